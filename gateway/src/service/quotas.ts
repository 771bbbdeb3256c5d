/**
 * Quotas on the calls that make the gateway store or read a lot on a caller's
 * behalf: opening conversations, posting epoch commits, registering devices,
 * changing profiles, reading history and uploading files. Each op has a budget
 * per principal and one per client IP (the IP recorded when the principal's
 * session was minted: fresh guest sessions from one address share it),
 * counted in the store (`Store.sharedLimiter`), so every gateway on one store
 * shares them. Past a budget the call is answered `rate_limited` with
 * `retryAfter` (seconds) and does no work.
 *
 * The shop's team (agents and bots) gets {@link TEAM_FACTOR} times the
 * per-principal budget and takes no per-IP point: a team session needs the
 * shop's credentials, so it cannot be minted afresh like a guest's, and an
 * agent's dashboard or a bot reads and commits across every conversation of
 * the shop, often many agents behind one office address.
 *
 * The defaults are far above what a person or the SDK does (an agent's
 * dashboard reading back a few hundred conversations after a reconnect, a page
 * reloaded every minute); `PARLEY_QUOTAS` changes any of them.
 */
import { isTeamKind } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { LimiterStore, PrincipalRecord, SharedLimiter } from "../store/port.js";

/** The ops with a quota: the RPC ops, and `upload` for `POST /v1/files`. */
export const QUOTA_OPS = [
  "conv.open",
  "epoch.commit",
  "device.register",
  "profile.update",
  "msg.history",
  "msg.since",
  "upload",
] as const;

/** One of {@link QUOTA_OPS}. */
export type QuotaOp = (typeof QUOTA_OPS)[number];

/** One op's budget: `perPrincipal` and `perIp` calls per `windowSeconds`. */
export interface QuotaRule {
  perPrincipal: number;
  perIp: number;
  windowSeconds: number;
}

/** How many times the per-principal budget the shop's agents and bots get (and no per-IP budget). */
export const TEAM_FACTOR = 10;

/** Every op's budget. */
export type QuotaTable = Record<QuotaOp, QuotaRule>;

/**
 * The default budgets. `msg.history` and `msg.since` together are the history reads: each has its
 * own budget, so catching up after a reconnect (`msg.since`) is never starved by scrolling back.
 */
export const DEFAULT_QUOTAS: Readonly<QuotaTable> = Object.freeze({
  "conv.open": { perPrincipal: 30, perIp: 300, windowSeconds: 600 },
  "epoch.commit": { perPrincipal: 120, perIp: 1200, windowSeconds: 600 },
  "device.register": { perPrincipal: 60, perIp: 1200, windowSeconds: 3600 },
  "profile.update": { perPrincipal: 30, perIp: 300, windowSeconds: 600 },
  "msg.history": { perPrincipal: 600, perIp: 3000, windowSeconds: 60 },
  "msg.since": { perPrincipal: 1200, perIp: 6000, windowSeconds: 60 },
  upload: { perPrincipal: 30, perIp: 300, windowSeconds: 60 },
});

const RULE = /^([a-z.]+)=(\d{1,9})\/(\d{1,9})\/(\d{1,7})$/;

/**
 * Reads `PARLEY_QUOTAS`: comma-separated `op=perPrincipal/perIp/windowSeconds`, e.g.
 * `conv.open=10/100/600,msg.history=300/3000/60`. Ops not named keep their defaults.
 * Throws a message naming the first bad part.
 */
export function parseQuotas(text: string | undefined, base: Readonly<QuotaTable> = DEFAULT_QUOTAS): QuotaTable {
  const table = { ...base } as QuotaTable;
  for (const part of (text ?? "").split(",")) {
    const trimmed = part.trim();
    if (trimmed === "") continue;
    const m = RULE.exec(trimmed);
    const op = m?.[1] as QuotaOp | undefined;
    if (!m || op === undefined || !(QUOTA_OPS as readonly string[]).includes(op)) {
      throw new Error(
        `"${trimmed.slice(0, 60)}" is not op=perPrincipal/perIp/windowSeconds with op one of ${QUOTA_OPS.join(", ")}`,
      );
    }
    const [perPrincipal, perIp, windowSeconds] = [Number(m[2]), Number(m[3]), Number(m[4])];
    if (perPrincipal < 1 || perIp < 1 || windowSeconds < 1)
      throw new Error(`"${trimmed}": every figure must be at least 1`);
    table[op] = { perPrincipal, perIp, windowSeconds };
  }
  return table;
}

/** Whether `op` has a quota. */
export function isQuotaOp(op: string): op is QuotaOp {
  return (QUOTA_OPS as readonly string[]).includes(op);
}

/** Takes quota points; one instance per gateway, counting in the shared store. */
export class Quotas {
  readonly #limiters = new Map<QuotaOp, { principal: SharedLimiter; team: SharedLimiter; ip: SharedLimiter }>();

  constructor(store: LimiterStore, table: Readonly<QuotaTable> = DEFAULT_QUOTAS) {
    for (const op of QUOTA_OPS) {
      const { perPrincipal, perIp, windowSeconds } = table[op];
      // The rule is in the name: a gateway configured differently counts apart instead of mixing windows.
      const name = `q-${op.replace(".", "_")}-${windowSeconds}`;
      this.#limiters.set(op, {
        principal: store.sharedLimiter(`${name}-p${perPrincipal}`, {
          points: perPrincipal,
          durationSeconds: windowSeconds,
        }),
        team: store.sharedLimiter(`${name}-t${perPrincipal * TEAM_FACTOR}`, {
          points: perPrincipal * TEAM_FACTOR,
          durationSeconds: windowSeconds,
        }),
        ip: store.sharedLimiter(`${name}-ip${perIp}`, { points: perIp, durationSeconds: windowSeconds }),
      });
    }
  }

  /**
   * Takes one point of `op` for `actor` and one for the client IP its session was minted from (for the
   * shop's team, one point of its larger budget and none for the IP), or throws `rate_limited` with
   * `retryAfter` (seconds). Ops without a quota pass.
   */
  async take(actor: PrincipalRecord, op: string): Promise<void> {
    if (!isQuotaOp(op)) return;
    const limiters = this.#limiters.get(op);
    if (!limiters) return;
    if (isTeamKind(actor.kind)) return refuseOver(op, await limiters.team.consume(actor.id));
    await refuseOver(op, await limiters.principal.consume(actor.id));
    if (actor.lastIp !== undefined) await refuseOver(op, await limiters.ip.consume(actor.lastIp));
  }
}

async function refuseOver(op: QuotaOp, waitMs: number): Promise<void> {
  if (waitMs <= 0) return;
  throw new GatewayError("rate_limited", `too many ${op} requests; try again later`, {
    retryAfter: Math.max(1, Math.ceil(waitMs / 1000)),
    limiter: `quota.${op}`,
  });
}
