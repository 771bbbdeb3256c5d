/**
 * Per-key rate limits on rate-limiter-flexible's in-memory limiter. Each
 * gateway instance limits on its own; a shared limiter (Redis) is the upgrade
 * path when several gateways must share one budget.
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { GatewayError } from "../errors.js";

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
  /** The limiter's name in `parley_limit_hits_total` (a fixed word such as `send`). @default "other" */
  name?: string;
}

export class RateLimit {
  readonly #limiter: RateLimiterMemory;
  readonly #name: string;

  constructor(rule: RateLimitRule) {
    this.#limiter = new RateLimiterMemory({ points: rule.points, duration: rule.durationSeconds });
    this.#name = rule.name ?? "other";
  }

  /** Takes one point for `key`, or throws `rate_limited` with the seconds to wait. */
  async take(key: string): Promise<void> {
    try {
      await this.#limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new GatewayError("rate_limited", undefined, {
          retryAfter: Math.ceil(err.msBeforeNext / 1000),
          limiter: this.#name,
        });
      }
      throw err;
    }
  }
}
