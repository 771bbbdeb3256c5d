/**
 * A {@link KeyValueStorage} on IndexedDB, for browsers: device keys, the
 * outbox and the session survive reloads without sitting in `localStorage`
 * (which every script of the page can read synchronously). One database per
 * name, one object store, string values; `clear()` wipes it (logout).
 */
import type { KeyValueStorage } from "./storage.js";

const STORE = "kv";

export interface IndexedDbStorage extends KeyValueStorage {
  /** Deletes every key (the session, device keys, the outbox). */
  clear(): Promise<void>;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

/**
 * Opens (lazily, on first use) the IndexedDB database `name`.
 * @param factory the IndexedDB factory. @default globalThis.indexedDB
 */
export function indexedDbStorage(name: string, factory?: IDBFactory): IndexedDbStorage {
  let db: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> => {
    db ??= (async () => {
      const idb = factory ?? globalThis.indexedDB;
      if (!idb) throw new TypeError("no IndexedDB available: pass a factory or use another storage");
      const request = idb.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      return done(request);
    })();
    return db;
  };
  const run = async <T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const tx = (await open()).transaction(STORE, mode);
    // Writes resolve once committed, not merely queued.
    const committed = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
    const [result] = await Promise.all([done(op(tx.objectStore(STORE))), committed]);
    return result;
  };
  return {
    async get(key) {
      const value = await run("readonly", (s) => s.get(key));
      return typeof value === "string" ? value : undefined;
    },
    async set(key, value) {
      await run("readwrite", (s) => s.put(value, key));
    },
    async delete(key) {
      await run("readwrite", (s) => s.delete(key));
    },
    async clear() {
      await run("readwrite", (s) => s.clear());
    },
  };
}
