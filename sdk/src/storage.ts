/**
 * Where the SDK keeps what must survive a reload: the outbox and the session's
 * refresh token. Injected, so browsers can pass IndexedDB or localStorage and
 * Node a file; values are JSON strings.
 */
export interface KeyValueStorage {
  /** The value under `key`, or `undefined`. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, replacing what was there. */
  set(key: string, value: string): Promise<void>;
  /** Removes `key` (nothing happens when it is absent). */
  delete(key: string): Promise<void>;
}

/** Keeps everything in memory: nothing survives the process. The default. */
export function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    async get(key) {
      return map.get(key);
    },
    async set(key, value) {
      map.set(key, value);
    },
    async delete(key) {
      map.delete(key);
    },
  };
}

/** Adapts a Web Storage object (`localStorage`, `sessionStorage`). */
export function webStorage(storage: Pick<Storage, "getItem" | "setItem" | "removeItem">): KeyValueStorage {
  return {
    async get(key) {
      return storage.getItem(key) ?? undefined;
    },
    async set(key, value) {
      storage.setItem(key, value);
    },
    async delete(key) {
      storage.removeItem(key);
    },
  };
}
