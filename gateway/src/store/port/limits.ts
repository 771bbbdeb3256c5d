/**
 * Rate limits shared by every gateway on one store: the budget is counted in
 * the store, not in one process's memory (on SQLite a counter per key written
 * in the writer thread's batches, ADR 0051; on MongoDB a document per point,
 * ADR 0023), so several gateways, and fresh sessions, share it.
 */

/** A budget: `points` per `durationSeconds`, counted from a key's first point. */
export interface LimitRule {
  points: number;
  durationSeconds: number;
}

/** One named budget, counted per key in the store. */
export interface SharedLimiter {
  /** Takes one point for `key`: resolves 0 when it was free, else the ms until the next one is. */
  consume(key: string): Promise<number>;
  /** Gives back one point `consume` took for `key` (e.g. a sign-in that succeeded); never below zero. */
  refund(key: string): Promise<void>;
}

export interface LimiterStore {
  /**
   * The limiter `name` (letters, digits, `_` and `-`) with `rule`. Limiters of the same name share
   * their counts across processes on the same store; keep one name per rule.
   */
  sharedLimiter(name: string, rule: LimitRule): SharedLimiter;
}
