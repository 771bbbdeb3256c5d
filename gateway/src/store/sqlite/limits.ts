/**
 * The embedded store's shared rate limits: rate-limiter-flexible's
 * RateLimiterSQLite on the store's own connection and its `rate_limits` table
 * (schema.ts), so every process on the file shares each budget. Every limiter
 * shares the table, its keys prefixed by the limiter's name.
 */
import type Database from "better-sqlite3";
import { RateLimiterRes, RateLimiterSQLite } from "rate-limiter-flexible";
import type { LimitRule, SharedLimiter } from "../port/limits.js";
import { isBusy } from "./errors.js";

/** How often expired counters are deleted, at most (on a consume). */
const SWEEP_MS = 5 * 60_000;

export interface SqliteLimiterOptions {
  db: Database.Database;
  name: string;
  rule: LimitRule;
  /** How long a consume waits out SQLITE_BUSY (another connection writing), ms. */
  busyTimeoutMs: number;
}

/** One named budget in the `rate_limits` table. */
export class SqliteLimiter implements SharedLimiter {
  readonly #limiter: RateLimiterSQLite;
  readonly #o: SqliteLimiterOptions;
  #lastSweep = Date.now();

  constructor(options: SqliteLimiterOptions) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(options.name)) throw new TypeError(`bad limiter name ${options.name}`);
    this.#o = options;
    this.#limiter = new RateLimiterSQLite({
      storeClient: options.db,
      storeType: "better-sqlite3",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: options.name,
      points: options.rule.points,
      duration: options.rule.durationSeconds,
    });
  }

  async consume(key: string): Promise<number> {
    const deadline = Date.now() + this.#o.busyTimeoutMs;
    for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 16)) {
      try {
        await this.#sweep();
        await this.#limiter.consume(key);
        return 0;
      } catch (error) {
        if (error instanceof RateLimiterRes) return Math.max(1, error.msBeforeNext);
        // The connection answers SQLITE_BUSY at once (busy_timeout 0): wait on a timer and try again.
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  async refund(key: string): Promise<void> {
    const deadline = Date.now() + this.#o.busyTimeoutMs;
    for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 16)) {
      try {
        // Only a counter still in its window is given a point back: an expired one is gone already.
        const res = await this.#limiter.get(key);
        if (res && res.consumedPoints > 0) await this.#limiter.reward(key, 1);
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweep < SWEEP_MS) return;
    this.#o.db.prepare("DELETE FROM rate_limits WHERE expire < ?").run(now);
    this.#lastSweep = now;
  }
}
