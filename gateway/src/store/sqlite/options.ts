/** The embedded store's options, validated once when the store is built. */
import { resolve } from "node:path";
import type { SqliteWriterFailpoints } from "./writer.js";

export interface SqliteStoreOptions {
  /**
   * Path of the database file. Not `":memory:"`: the writer thread opens the
   * file with a connection of its own, and an in-memory database is private to
   * one connection.
   */
  path: string;
  /**
   * How long a write waits for the write lock held by another connection, in
   * ms: another process's, or this store's own writer thread, which holds it
   * while a batch of appends commits (a few ms, the fsync included), so writes
   * on this thread and the writer's take turns. The writer thread waits in
   * SQLite's busy handler; this thread waits on timers (`#write`), so the event
   * loop keeps serving. 5 s is far above any batch's commit and still ends a
   * lock held by a stuck process with SQLITE_BUSY instead of waiting forever.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * This store is the only one writing its file: one gateway process, the
   * embedded store's deployment (`openStore` sets it; `--workers` > 1 is refused
   * on SQLite). Then each conversation's record and members and each shop's
   * team key, read by every send, are kept in memory and kept exact by this
   * store's own writes (send-context.ts, ADR 0051). Another process, or a second
   * store in this one, writing those rows would go unseen: leave it off for that.
   * @default false
   */
  exclusive?: boolean;
  /**
   * With `exclusive`: conversations kept in memory at most (least recently used
   * dropped first); team keys are kept for at most a tenth as many shops.
   * @default 10000
   */
  cachedConversations?: number;
  /**
   * Fault injection for tests only (see SqliteWriterFailpoints).
   * @default undefined
   */
  failpoints?: SqliteWriterFailpoints;
}

const defaults = {
  busyTimeoutMs: 5000,
  exclusive: false,
  cachedConversations: 10_000,
} satisfies Partial<SqliteStoreOptions>;

/** The options with their defaults filled in and the path made absolute. */
export type ParsedOptions = Required<Omit<SqliteStoreOptions, "failpoints">> & Pick<SqliteStoreOptions, "failpoints">;

/** Checks the options and fills in the defaults; throws a `TypeError` for a bad one. */
export function parseOptions(options: SqliteStoreOptions): ParsedOptions {
  if (typeof options.path !== "string" || options.path === "") throw new TypeError("SqliteStore: `path` is required");
  if (options.path === ":memory:") {
    throw new TypeError("SqliteStore: `:memory:` cannot be shared with the writer thread; use a file (a temp dir)");
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? defaults.busyTimeoutMs;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new TypeError("SqliteStore: bad `busyTimeoutMs`");
  const exclusive = options.exclusive ?? defaults.exclusive;
  const cachedConversations = options.cachedConversations ?? defaults.cachedConversations;
  if (!Number.isInteger(cachedConversations) || cachedConversations < 1) {
    throw new TypeError("SqliteStore: bad `cachedConversations`");
  }
  // Absolute, so both connections open the same file whatever the working directory is later.
  return { path: resolve(options.path), busyTimeoutMs, exclusive, cachedConversations, failpoints: options.failpoints };
}
