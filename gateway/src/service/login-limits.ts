/**
 * Agent (and bot) sign-in attempts, limited per (shop, login) and per client
 * IP in budgets counted in the store (`Store.sharedLimiter`), so every gateway
 * on one store shares them. Each attempt takes a point from every tier before
 * the password is checked (concurrent guesses cannot all slip through); a
 * sign-in that succeeds gives its points back, so only failures count. The
 * tiers make the wait grow with the failures: after 5 failures for one login
 * the next waits up to a minute, after 20 up to an hour, after 50 up to a day.
 */
import { GatewayError } from "../errors.js";
import type { LimiterStore, LimitRule, SharedLimiter } from "../store/port.js";

/** The budgets of failed sign-ins, each a list of tiers. */
export interface LoginLimits {
  /** Failures per (shop, login). @default 5 a minute, 20 an hour, 50 a day */
  perLogin?: LimitRule[];
  /** Failures per client IP, all logins together. @default 20 a minute, 100 an hour */
  perIp?: LimitRule[];
}

/** The defaults of {@link LoginLimits}. */
export const DEFAULT_LOGIN_LIMITS = {
  perLogin: [
    { points: 5, durationSeconds: 60 },
    { points: 20, durationSeconds: 3600 },
    { points: 50, durationSeconds: 86_400 },
  ],
  perIp: [
    { points: 20, durationSeconds: 60 },
    { points: 100, durationSeconds: 3600 },
  ],
} as const satisfies Required<LoginLimits>;

/** Points one attempt took: given back when the sign-in succeeded. */
export type LoginAttempt = Array<{ limiter: SharedLimiter; key: string }>;

/** Takes sign-in points; one instance per gateway, counting in the shared store. */
export class LoginLimit {
  readonly #perLogin: SharedLimiter[];
  readonly #perIp: SharedLimiter[];

  constructor(store: LimiterStore, limits: LoginLimits = {}) {
    // The rule is in the name: a gateway configured differently counts apart instead of mixing windows.
    const tiers = (prefix: string, rules: readonly LimitRule[]) =>
      rules.map((r) => store.sharedLimiter(`${prefix}${r.points}-${r.durationSeconds}`, r));
    this.#perLogin = tiers("login-l", limits.perLogin ?? DEFAULT_LOGIN_LIMITS.perLogin);
    this.#perIp = tiers("login-ip", limits.perIp ?? DEFAULT_LOGIN_LIMITS.perIp);
  }

  /** Takes one point per tier for the IP, then for the login; throws `rate_limited` with `retryAfter` (s). */
  async take(shopId: string, login: string, ip: string | undefined): Promise<LoginAttempt> {
    const taken: LoginAttempt = [];
    if (ip !== undefined) await this.#take(this.#perIp, ip, taken);
    await this.#take(this.#perLogin, `${shopId}:${login}`, taken);
    return taken;
  }

  /** Gives back the points of an attempt that signed in. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    for (const { limiter, key } of attempt) await limiter.refund(key);
  }

  async #take(tiers: SharedLimiter[], key: string, taken: LoginAttempt): Promise<void> {
    let waitMs = 0;
    for (const limiter of tiers) {
      const wait = await limiter.consume(key);
      if (wait > 0) waitMs = Math.max(waitMs, wait);
      else taken.push({ limiter, key });
    }
    if (waitMs > 0) {
      throw new GatewayError("rate_limited", "too many failed sign-ins; try again later", {
        retryAfter: Math.ceil(waitMs / 1000),
        limiter: "login",
      });
    }
  }
}
