/**
 * Session families (ADR-free summary, docs/security.md "Sessions"): every
 * sign-in starts a family in the store; each refresh token names its family
 * and generation and is good for one refresh, which moves the family on one
 * generation (compare-and-set, so it holds across gateways). A refresh token
 * used again revokes the whole family: the thief's and the owner's newest
 * tokens fail alike. A family ends at its absolute lifetime
 * (`PARLEY_SESSION_MAX_AGE`) however often it was refreshed, at logout, and
 * when the agent's password changes or the agent is removed. API tokens name
 * their family too and stop working when it is revoked.
 *
 * Two tabs (or a retry after a lost response) may present the same refresh
 * token at once. The token one generation behind, presented within the grace
 * window (`PARLEY_REFRESH_GRACE`, default 15 s) after the family moved on, gets
 * the family's current generation again instead of revoking it; older tokens,
 * or the previous one after the window, count as reuse. The SDK also reads the
 * newest refresh token from its shared storage before refreshing, so tabs of
 * one browser keep to one chain (sdk/src/client/session-keeper.ts).
 */
import { randomId } from "@parley/sdk/protocol";
import type { SessionTokens, TokenClaims } from "../auth/session-tokens.js";
import { GatewayError } from "../errors.js";
import type { SessionRevokeReason, SessionStore } from "../store/port.js";

/** The defaults of {@link SessionFamiliesOptions}, seconds. */
export const SESSION_DEFAULTS = { maxAgeSeconds: 30 * 86_400, graceSeconds: 15 } as const;

export interface SessionFamiliesOptions {
  store: SessionStore;
  tokens: SessionTokens;
  /** Absolute lifetime of a sign-in, seconds. */
  maxAgeSeconds: number;
  /** Lifetime of one refresh token, seconds. */
  refreshTtlSeconds: number;
  /** Lifetime of one API token, seconds. */
  apiTtlSeconds: number;
  /** How long the previous refresh token still answers after a rotation, seconds. */
  graceSeconds: number;
  /** The clock of session lifetimes (token expiry is checked on the wall clock). */
  now: () => number;
}

/** Where a session stands after a sign-in or a refresh: what the new tokens carry. */
export interface FamilyGrant {
  sid: string;
  /** The generation the new refresh token carries. */
  gen: number;
  /** The family's absolute end, ms. */
  expiresAt: number;
}

const ended = (why: string) => new GatewayError("unauthorized", why);

export class SessionFamilies {
  readonly #o: SessionFamiliesOptions;

  constructor(options: SessionFamiliesOptions) {
    this.#o = options;
  }

  /** Until when the store keeps a family issued at `at`: past every token it may have issued. */
  #keepUntil(at: number): number {
    const { refreshTtlSeconds, apiTtlSeconds, graceSeconds } = this.#o;
    return at + (Math.max(refreshTtlSeconds, apiTtlSeconds) + graceSeconds) * 1000;
  }

  /** Starts the family of a new sign-in. */
  async start(principalId: string): Promise<FamilyGrant> {
    const now = this.#o.now();
    const grant = { sid: randomId("s_"), gen: 1, expiresAt: now + this.#o.maxAgeSeconds * 1000 };
    await this.#o.store.createSession({
      id: grant.sid,
      principalId,
      createdAt: now,
      expiresAt: grant.expiresAt,
      generation: 1,
      rotatedAt: now,
      keepUntil: this.#keepUntil(now),
    });
    return grant;
  }

  /**
   * Spends a refresh token: resolves its principal and the family moved on one generation, or
   * throws `unauthorized` (unknown, revoked or expired family; a reused token, which revokes it).
   */
  async advance(refreshToken: string): Promise<{ principalId: string; grant: FamilyGrant }> {
    const claims = await this.#o.tokens.verify("refresh", refreshToken);
    const { store } = this.#o;
    const gen = claims.gen ?? 0;
    let family = await this.#live(claims);
    const now = this.#o.now();
    if (now >= family.expiresAt) throw ended("the session reached its maximum age: sign in again");
    const grant = (g: number): { principalId: string; grant: FamilyGrant } => ({
      principalId: claims.principalId,
      grant: { sid: family.id, gen: g, expiresAt: family.expiresAt },
    });
    if (gen === family.generation) {
      if (await store.rotateSession(family.id, gen, now, this.#keepUntil(now))) return grant(gen + 1);
      family = await this.#live(claims); // another request rotated it first (or revoked it)
    }
    // The other tab's twin request, or a retry after a lost answer: the current generation again.
    if (gen === family.generation - 1 && now - family.rotatedAt <= this.#o.graceSeconds * 1000) {
      return grant(family.generation);
    }
    await store.revokeSession(family.id, now, "reuse");
    throw ended("refresh token reused: the session is revoked, sign in again");
  }

  /** Revokes the family a refresh token belongs to (any generation of it); resolves its principal. */
  async end(refreshToken: string, reason: SessionRevokeReason): Promise<string> {
    const claims = await this.#o.tokens.verify("refresh", refreshToken);
    const family = await this.#o.store.getSession(claims.sid);
    if (!family || family.principalId !== claims.principalId) throw ended("no such session");
    await this.#o.store.revokeSession(family.id, this.#o.now(), reason);
    return claims.principalId;
  }

  /** Revokes every family of a principal; resolves how many were live. */
  revokeAll(principalId: string, reason: SessionRevokeReason): Promise<number> {
    return this.#o.store.revokeSessionsOf(principalId, this.#o.now(), reason);
  }

  /** The principal an API token stands for, while its family is live; else `unauthorized`. */
  async apiPrincipal(apiToken: string): Promise<string> {
    const claims = await this.#o.tokens.verify("api", apiToken);
    await this.#live(claims);
    return claims.principalId;
  }

  async #live(claims: TokenClaims) {
    const family = await this.#o.store.getSession(claims.sid);
    if (!family || family.principalId !== claims.principalId) throw ended("no such session");
    if (family.revokedAt !== undefined) throw ended("the session was ended: sign in again");
    return family;
  }
}
