/**
 * Sessions: one record per sign-in (a "family"), the chain of refresh tokens
 * descending from it. Each refresh moves the family's generation on by one
 * (compare-and-set, across processes), so a refresh token is good once; a
 * reused one revokes the whole family. Revoking by principal ends every family
 * of an agent whose password changed or who was removed.
 */

/** Why a family was revoked. */
export type SessionRevokeReason = "reuse" | "logout" | "password_changed" | "removed";

/** One sign-in and where its refresh-token chain stands. */
export interface SessionRecord {
  id: string;
  principalId: string;
  /** When the principal signed in, ms. */
  createdAt: number;
  /** The absolute end of the session: no refresh after it (ms). */
  expiresAt: number;
  /** The generation of the newest refresh token (1 at sign-in). */
  generation: number;
  /** When the newest generation was issued, ms. */
  rotatedAt: number;
  /** No token of the family is valid after this (ms): the record may be deleted then. */
  keepUntil: number;
  /** Set once, when the family was revoked. */
  revokedAt?: number;
  revokedReason?: SessionRevokeReason;
}

export interface SessionStore {
  /** Stores a new family; sweeps families past their `keepUntil` now and then. */
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /**
   * Compare-and-set: when the family's generation is `from` and it is not revoked, moves it to
   * `from + 1`, with `rotatedAt` = `at` and `keepUntil` raised to `keepUntil`. Resolves true when it
   * moved; of two concurrent rotations from the same generation exactly one does, across processes.
   */
  rotateSession(id: string, from: number, at: number, keepUntil: number): Promise<boolean>;
  /** Revokes one family (kept as it was when already revoked); resolves true when it was live. */
  revokeSession(id: string, at: number, reason: SessionRevokeReason): Promise<boolean>;
  /** Revokes every live family of a principal; resolves how many. */
  revokeSessionsOf(principalId: string, at: number, reason: SessionRevokeReason): Promise<number>;
}
