/**
 * The embedded store's shared rate limits: one counter per key in the file's
 * `rate_limits` table, so every process on the file shares each budget. The
 * rows are the ones rate-limiter-flexible's SQLite limiter keeps (key
 * `<name>:<key>`, points, expire: a fixed window from a key's first point), but
 * they are written by the store's writer thread, in its next batch of appends
 * (writer.ts `WriterOp`): a point costs the event loop no fsync of its own,
 * and nothing is counted before it is on disk.
 */
import type { LimitRule, SharedLimiter } from "../port/limits.js";
import type { WriterOp } from "./writer.js";

/** How often expired counters are deleted, at most (on a consume). */
const SWEEP_MS = 5 * 60_000;

export interface SqliteLimiterOptions {
  /** Runs one write in the writer thread's next batch; resolves its answer after the commit. */
  run: (op: WriterOp) => Promise<unknown>;
  name: string;
  rule: LimitRule;
  now?: () => number;
}

/** One named budget in the `rate_limits` table. */
export class SqliteLimiter implements SharedLimiter {
  readonly #o: SqliteLimiterOptions;
  readonly #now: () => number;
  #lastSweep: number;

  constructor(options: SqliteLimiterOptions) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(options.name)) throw new TypeError(`bad limiter name ${options.name}`);
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#lastSweep = this.#now();
  }

  async consume(key: string): Promise<number> {
    const now = this.#now();
    if (now - this.#lastSweep >= SWEEP_MS) {
      this.#lastSweep = now;
      // Rides in the same batch as the point below; its answer is not waited for.
      this.#o.run(["sweep", now]).catch(() => undefined);
    }
    const { points, durationSeconds } = this.#o.rule;
    const answer = await this.#o.run(["limit", this.#key(key), 1, now + durationSeconds * 1000, now]);
    const [counted, expire] = answer as [number, number | null];
    if (counted <= points) return 0;
    return Math.max(1, (expire ?? now) - this.#now());
  }

  async refund(key: string): Promise<void> {
    // Only a counter still in its window is given a point back: an expired one is gone already.
    await this.#o.run(["refund", this.#key(key), this.#now()]);
  }

  #key(key: string): string {
    return `${this.#o.name}:${key}`;
  }
}
