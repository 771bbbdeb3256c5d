/**
 * How many RPCs run at once: at most `perPrincipal` of one principal and
 * `total` in all on this gateway (both transports, NATS and `POST /v1/rpc`,
 * share one instance). A request over either limit is refused with `busy`
 * before its body is even parsed, so nothing ran and retrying is safe; one
 * principal's flood cannot take the event loop from everyone else.
 */
import { GatewayError } from "../errors.js";

/** The concurrency limits of {@link RpcAdmission}. */
export interface RpcConcurrency {
  /** Requests of one principal running at once on this gateway. @default 8 */
  perPrincipal?: number;
  /** Requests running at once on this gateway, all principals together. @default 64 */
  total?: number;
}

/** The defaults of {@link RpcConcurrency}. */
export const DEFAULT_RPC_CONCURRENCY = { perPrincipal: 8, total: 64 } as const satisfies RpcConcurrency;

/** What {@link RpcAdmission} counted since the gateway started. */
export interface AdmissionStats {
  /** Requests running now. */
  inFlight: number;
  /** Refused because the principal had `perPrincipal` running. */
  refusedPrincipal: number;
  /** Refused because the gateway had `total` running. */
  refusedTotal: number;
}

/** Seconds a refused caller is told to wait: a running request usually ends within milliseconds. */
const RETRY_AFTER_SECONDS = 1;

/** Counts the RPCs running on this gateway, per principal and in all, and refuses those over the limits. */
export class RpcAdmission {
  readonly #perPrincipal: number;
  readonly #total: number;
  readonly #running = new Map<string, number>();
  #inFlight = 0;
  #refusedPrincipal = 0;
  #refusedTotal = 0;

  constructor(limits: RpcConcurrency = {}) {
    this.#perPrincipal = limits.perPrincipal ?? DEFAULT_RPC_CONCURRENCY.perPrincipal;
    this.#total = limits.total ?? DEFAULT_RPC_CONCURRENCY.total;
  }

  /**
   * Admits one request of `principal` and answers the function that ends it (call it exactly once),
   * or throws `busy` (with `retryAfter`) when the principal or the gateway is at its limit.
   */
  enter(principal: string): () => void {
    const mine = this.#running.get(principal) ?? 0;
    if (mine >= this.#perPrincipal) {
      this.#refusedPrincipal++;
      throw new GatewayError("busy", `at most ${this.#perPrincipal} requests of one principal at once`, {
        retryAfter: RETRY_AFTER_SECONDS,
        limiter: "busy_principal",
      });
    }
    if (this.#inFlight >= this.#total) {
      this.#refusedTotal++;
      throw new GatewayError("busy", "the gateway is at its limit of requests at once", {
        retryAfter: RETRY_AFTER_SECONDS,
        limiter: "busy_total",
      });
    }
    this.#running.set(principal, mine + 1);
    this.#inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inFlight--;
      const left = (this.#running.get(principal) ?? 1) - 1;
      if (left > 0) this.#running.set(principal, left);
      else this.#running.delete(principal);
    };
  }

  /** The counters since start. */
  stats(): AdmissionStats {
    return { inFlight: this.#inFlight, refusedPrincipal: this.#refusedPrincipal, refusedTotal: this.#refusedTotal };
  }
}
