/**
 * Builders for the embedded store's own tests (writer*.test.ts and the
 * child process they kill): a store on a real file in a fresh temp dir, and
 * conversations and messages to append.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConversationRecord, NewMessage } from "../port.js";
import { SqliteStore, type SqliteStoreOptions } from "./store.js";

export const T0 = 1_700_000_000_000;

export async function openStore(path: string, options: Omit<SqliteStoreOptions, "path"> = {}): Promise<SqliteStore> {
  const store = new SqliteStore({ path, ...options });
  await store.init();
  return store;
}

export interface TempStore {
  store: SqliteStore;
  /** The database file, for second stores and processes. */
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** An initialized store on a new file in a temp dir; disposing closes it and removes the dir. */
export async function tempStore(options: Omit<SqliteStoreOptions, "path"> = {}): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), "parley-sqlite-writer-"));
  const path = join(dir, "parley.sqlite");
  const store = await openStore(path, options);
  return {
    store,
    path,
    async [Symbol.asyncDispose]() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const conversation = (id: string): ConversationRecord => ({
  id,
  shopId: "shop-1",
  status: "open",
  createdBy: "p-owner",
  createdAt: T0,
  updatedAt: T0,
  lastSeq: 0,
  epoch: 0,
});

/** Creates conversations with the given ids. */
export async function createConversations(store: SqliteStore, ids: readonly string[]): Promise<void> {
  for (const id of ids) await store.createConversation(conversation(id));
}

export const message = (convId: string, msgId: string, ts = T0 + 1000): NewMessage => ({
  convId,
  msgId,
  sender: "p-sender",
  ts,
  envelope: {
    v: 1,
    convId,
    epoch: 0,
    msgId,
    senderDevice: "d-1",
    ts: ts - 5,
    alg: "none",
    nonce: "",
    ct: `body of ${msgId}`,
    sig: "",
  },
});

/** Resolves after `turns` turns of the event loop (each one a chance for the store to send a batch). */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
