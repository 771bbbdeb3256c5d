/**
 * The MongoDB store's per-shop storage counters (usage.ts of the port), in
 * `shopUsage`: each add inserts the next version of the shop's counter, and the
 * unique {shopId, v} index makes that a compare-and-set across processes (on
 * FerretDB v1 too, whose `$inc` is a read and a whole-document write). Old
 * versions are deleted now and then, far behind the newest. A process
 * adds to one shop one at a time; the loser of a race re-reads and tries again.
 */
import type { UsageStore } from "../port/usage.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./errors.js";

/**
 * Versions kept below the newest. Deleting the version just replaced would let a process that read
 * it before the delete insert it again (no duplicate left to stop it) and lose an add; a process
 * would have to be this many adds behind to do that.
 */
const KEEP_VERSIONS = 1000;

/** Tries before giving up on a counter another process keeps moving (each try is one read and one insert). */
const MAX_TRIES = 50;

export class MongoUsage implements UsageStore {
  readonly #c: MongoContext;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  addShopBytes(shopId: string, bytes: number): Promise<number> {
    const { col, run, serial } = this.#c;
    const delta = Math.trunc(bytes);
    return serial(`usage:${shopId}`, () =>
      run(async () => {
        for (let tries = 1; ; tries++) {
          const head = await col.shopUsage.find({ shopId }).sort({ v: -1 }).limit(1).next();
          const next = { shopId, v: (head?.v ?? 0) + 1, bytes: Math.max(0, (head?.bytes ?? 0) + delta) };
          try {
            await col.shopUsage.insertOne({ ...next });
          } catch (error) {
            if (isDuplicateKey(error) && tries < MAX_TRIES) continue;
            throw error;
          }
          if (next.v % 100 === 0) await col.shopUsage.deleteMany({ shopId, v: { $lt: next.v - KEEP_VERSIONS } });
          return next.bytes;
        }
      }),
    );
  }

  async shopBytes(shopId: string): Promise<number> {
    const head = await this.#c.run(() => this.#c.col.shopUsage.find({ shopId }).sort({ v: -1 }).limit(1).next());
    return head?.bytes ?? 0;
  }
}
