/**
 * The handle-probe budget: every answer that could tell whether a handle
 * exists (`handle.lookup`, `handle.check`, `profile.update` with a changed
 * handle, `invite.create`) takes one point per principal and one per client
 * IP, from limiters counted in the store (`Store.sharedLimiter`), so every
 * gateway shares them and fresh guest sessions from one IP share that IP's
 * budget. The IP is the one recorded when the principal's session was minted
 * (sessions.ts); RPCs arrive over NATS, which carries no client address.
 */
import { GatewayError } from "../errors.js";
import type { LimiterStore, PrincipalRecord, PrincipalStore, SharedLimiter } from "../store/port.js";

/** The handle-probe budgets, per minute. */
export interface HandleProbeLimits {
  /** Probes per principal per minute. @default 20 */
  perPrincipal?: number;
  /** Probes per client IP per minute, all principals from it together. @default 60 */
  perIp?: number;
}

/** The defaults of {@link HandleProbeLimits}. */
export const DEFAULT_HANDLE_PROBE_LIMITS = { perPrincipal: 20, perIp: 60 } as const satisfies HandleProbeLimits;

/** Takes handle-probe points; one instance per gateway, counting in the shared store. */
export class HandleProbeLimit {
  readonly #store: PrincipalStore;
  readonly #perPrincipal: SharedLimiter;
  readonly #perIp: SharedLimiter;

  constructor(store: PrincipalStore & LimiterStore, limits: HandleProbeLimits = {}) {
    const perPrincipal = limits.perPrincipal ?? DEFAULT_HANDLE_PROBE_LIMITS.perPrincipal;
    const perIp = limits.perIp ?? DEFAULT_HANDLE_PROBE_LIMITS.perIp;
    this.#store = store;
    // The rule is in the name: a gateway configured differently counts apart instead of mixing windows.
    this.#perPrincipal = store.sharedLimiter(`probe-p${perPrincipal}`, { points: perPrincipal, durationSeconds: 60 });
    this.#perIp = store.sharedLimiter(`probe-ip${perIp}`, { points: perIp, durationSeconds: 60 });
  }

  /** Takes one point for `actor` and one for its client IP, or throws `rate_limited` with `retryAfter` (seconds). */
  async take(actor: PrincipalRecord): Promise<void> {
    await this.#take(this.#perPrincipal, actor.id);
    // The actor record may be a moment old (RecentPrincipals): the IP is read afresh.
    const ip = (await this.#store.getPrincipal(actor.id))?.lastIp ?? actor.lastIp;
    if (ip !== undefined) await this.#take(this.#perIp, ip);
  }

  async #take(limiter: SharedLimiter, key: string): Promise<void> {
    const waitMs = await limiter.consume(key);
    if (waitMs > 0) {
      throw new GatewayError("rate_limited", "too many handle lookups; try again later", {
        retryAfter: Math.ceil(waitMs / 1000),
        limiter: "handle_probe",
      });
    }
  }
}
