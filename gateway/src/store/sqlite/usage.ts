/**
 * The embedded store's per-shop storage counters: one `shop_usage` row per
 * shop (usage.ts of the port). Additions are written by the writer thread in
 * its next batch (writer.ts `WriterOp`), so the event loop waits for no fsync.
 */
import type Database from "better-sqlite3";
import type { UsageStore } from "../port/usage.js";
import type { SqliteContext } from "./statements.js";
import type { WriterOp } from "./writer.js";

export class SqliteUsage implements UsageStore {
  readonly #c: SqliteContext;
  readonly #run: (op: WriterOp) => Promise<unknown>;
  #get: Database.Statement<[string], number> | undefined;

  constructor(context: SqliteContext, run: (op: WriterOp) => Promise<unknown>) {
    this.#c = context;
    this.#run = run;
  }

  async addShopBytes(shopId: string, bytes: number): Promise<number> {
    // One statement on the writer thread: the read and the write of the counter cannot interleave with another's.
    return (await this.#run(["usage", shopId, Math.trunc(bytes)])) as number;
  }

  async shopBytes(shopId: string): Promise<number> {
    this.#get ??= this.#c.db.prepare<[string], number>("SELECT bytes FROM shop_usage WHERE shop_id = ?").pluck();
    return this.#get.get(shopId) ?? 0;
  }
}
