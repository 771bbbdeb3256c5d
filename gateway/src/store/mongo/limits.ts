/**
 * The MongoDB store's shared rate limits, counted in the `rateLimitHits`
 * collection so every gateway on the database shares each budget.
 *
 * Not rate-limiter-flexible's RateLimiterMongo: it counts with one
 * `findOneAndUpdate` `$inc` per point, which FerretDB v1 (an update is a read
 * and a whole-document write) does not make atomic; the conformance suite let
 * 16 of 20 concurrent points through a budget of 5. Here each point is an
 * insert, then the key's points in the window are counted: every admitted point
 * counted itself and every point inserted before it, so no more than the
 * budget is admitted in a window, on MongoDB and FerretDB alike, across
 * processes. A refused point is deleted again, so waiting `retryAfter` is
 * enough. Points of one key are taken one at a time per process, so a burst
 * cannot refuse itself whole; across gateways at most one per gateway overlaps. Expired points are swept by the limiters (FerretDB v1 has no TTL
 * indexes).
 */
import type { Collection } from "mongodb";
import type { LimitRule, SharedLimiter } from "../port/limits.js";
import type { RateLimitHitDoc } from "./collections.js";

/** How often expired points are deleted, at most (on a consume). */
const SWEEP_MS = 60_000;

export interface MongoLimiterOptions {
  collection: Collection<RateLimitHitDoc>;
  /** Runs one operation, turning connection failures into `StoreUnavailableError`. */
  run: <T>(op: () => Promise<T>) => Promise<T>;
  /** Runs `fn` after the earlier operations queued under `key` in this process (MongoContext.serial). */
  serial: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  name: string;
  rule: LimitRule;
}

/** One named budget: its points are documents keyed `<name>:<key>`. */
export class MongoLimiter implements SharedLimiter {
  readonly #o: MongoLimiterOptions;
  readonly #windowMs: number;
  #lastSweep = Date.now();

  constructor(options: MongoLimiterOptions) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(options.name)) throw new TypeError(`bad limiter name ${options.name}`);
    if (!(options.rule.points >= 1 && options.rule.durationSeconds > 0)) throw new TypeError("bad limit rule");
    this.#o = options;
    this.#windowMs = options.rule.durationSeconds * 1000;
  }

  consume(key: string): Promise<number> {
    const { collection, run, serial, name, rule } = this.#o;
    const id = `${name}:${String(key)}`;
    // One consume per key at a time in this process: a burst of simultaneous points, each counting
    // all the others, would otherwise refuse them all. Across processes the count still decides.
    return serial(`limit:${id}`, () =>
      run(async () => {
        const now = Date.now();
        if (now - this.#lastSweep >= SWEEP_MS) {
          this.#lastSweep = now;
          await collection.deleteMany({ expire: { $lte: new Date(now) } });
        }
        const at = new Date(now);
        const { insertedId } = await collection.insertOne({ key: id, at, expire: new Date(now + this.#windowMs) });
        const since = { key: id, at: { $gt: new Date(now - this.#windowMs) } };
        const count = await collection.countDocuments(since);
        if (count <= rule.points) return 0;
        await collection.deleteOne({ _id: insertedId });
        const oldest = await collection.find(since).sort({ at: 1 }).limit(1).next();
        return Math.max(1000, (oldest ? oldest.at.getTime() : now) + this.#windowMs - now);
      }),
    );
  }

  refund(key: string): Promise<void> {
    const { collection, run, serial, name } = this.#o;
    const id = `${name}:${String(key)}`;
    return serial(`limit:${id}`, () =>
      run(async () => {
        // The newest point still in its window goes; an expired one counts for nothing already.
        const since = { key: id, at: { $gt: new Date(Date.now() - this.#windowMs) } };
        const newest = await collection.find(since).sort({ at: -1 }).limit(1).next();
        if (newest) await collection.deleteOne({ _id: newest._id });
      }),
    );
  }
}
