/** The embedded store's per-shop storage counters: one `shop_usage` row per shop (usage.ts of the port). */
import type Database from "better-sqlite3";
import type { UsageStore } from "../port/usage.js";
import type { SqliteContext } from "./statements.js";

export class SqliteUsage implements UsageStore {
  readonly #c: SqliteContext;
  #add: Database.Statement<{ shop: string; bytes: number }, number> | undefined;
  #get: Database.Statement<[string], number> | undefined;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async addShopBytes(shopId: string, bytes: number): Promise<number> {
    // One statement: the read and the write of the counter cannot interleave with another process's.
    this.#add ??= this.#c.db
      .prepare<{ shop: string; bytes: number }, number>(
        `INSERT INTO shop_usage (shop_id, bytes) VALUES (@shop, max(0, @bytes))
         ON CONFLICT (shop_id) DO UPDATE SET bytes = max(0, bytes + @bytes) RETURNING bytes`,
      )
      .pluck();
    const add = this.#add;
    return this.#c.write(() => add.get({ shop: shopId, bytes: Math.trunc(bytes) }) ?? 0);
  }

  async shopBytes(shopId: string): Promise<number> {
    this.#get ??= this.#c.db.prepare<[string], number>("SELECT bytes FROM shop_usage WHERE shop_id = ?").pluck();
    return this.#get.get(shopId) ?? 0;
  }
}
