/** What the MongoDB store's aggregates share. */
import type { Collection, Document, Filter } from "mongodb";
import type { Collections } from "./collections.js";

export interface MongoContext {
  readonly col: Collections;
  /** How many times `append` retries after another process took the seq it tried. */
  readonly maxAppendRetries: number;
  /** Runs one operation, turning connection failures into `StoreUnavailableError`. */
  run<T>(op: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` after every earlier operation queued under `key` in this process:
   * read-modify-write operations on one document (FerretDB updates are not
   * atomic). Keys are shared across aggregates: `conv:<id>` orders a
   * conversation's appends, commits and status changes, which all rewrite it.
   */
  serial<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** `replaceOne` with upsert, retried once when a concurrent upsert inserted the same key first. */
  upsert<T extends Document>(collection: Collection<T>, filter: Filter<T>, doc: T): Promise<void>;
}
