/**
 * What the connection watcher (connections.ts) remembers for a while: revoked
 * principals and user keys (for the longest JWT lifetime, so a reconnect with an
 * older JWT is closed too), and connections that closed recently (a connection
 * list read in the meantime may still show them).
 */
import { MAX_PRINCIPAL_TTL_SECONDS } from "./minter.js";

const REVOCATION_MS = (MAX_PRINCIPAL_TTL_SECONDS + 60) * 1000;
const RECENTLY_GONE_MS = 60_000;

export class Revocations {
  /** principal → revocation time (ms). */
  readonly #principals = new Map<string, number>();
  /** user nkey → revocation time (ms): a kicked JWT may not come back. */
  readonly #keys = new Map<string, number>();
  /** connection key → when it closed (ms). */
  readonly #gone = new Map<string, number>();

  /** Forgets what is older than its keeping time. */
  prune(now: number): void {
    for (const [k, t] of this.#principals) if (now - t > REVOCATION_MS) this.#principals.delete(k);
    for (const [k, t] of this.#keys) if (now - t > REVOCATION_MS) this.#keys.delete(k);
    for (const [k, t] of this.#gone) if (now - t > RECENTLY_GONE_MS) this.#gone.delete(k);
  }

  revokePrincipal(principal: string, at: number): void {
    this.#principals.set(principal, Math.max(at, this.#principals.get(principal) ?? 0));
  }

  /** When the principal was last revoked (ms), if within the keeping time. */
  principalRevokedAt(principal: string): number | undefined {
    return this.#principals.get(principal);
  }

  revokeKey(user: string, at: number): void {
    this.#keys.set(user, at);
  }

  isKeyRevoked(user: string): boolean {
    return this.#keys.has(user);
  }

  markGone(key: string, at: number): void {
    this.#gone.set(key, at);
  }

  isGone(key: string): boolean {
    return this.#gone.has(key);
  }
}
