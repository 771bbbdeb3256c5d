/**
 * Identifiers that may reach a NATS subject. Every id the gateway puts into a
 * subject is server-made or checked against {@link ID_PATTERN} first, so user
 * text can never add a token, a wildcard or whitespace to a subject.
 */

import { publicRandomBytes } from "./random-pool.js";

/** Letters, digits, `_` and `-`; 1 to 64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A message id made by a client: 16 to 64 subject-safe characters (the SDK makes 22: 128 random bits). */
export const MSG_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The shape of a stored handle: 3 to 32 code points of letters, combining marks, decimal digits
 * and `_`, starting with a letter. A stored handle also passes the rest of `handleProblem`
 * (folded, one script): use `isHandle` (handles.ts) to check one, `normalizeHandle` to make one.
 */
export const HANDLE_PATTERN = /^\p{L}[\p{L}\p{M}\p{Nd}_]{2,31}$/u;

/** A NATS user public nkey: `U` and 55 base32 characters (a bot's own key; its seed never leaves the bot). */
export const NATS_USER_KEY_PATTERN = /^U[A-Z2-7]{55}$/;

/** Whether `value` is an id that may stand in a NATS subject ({@link ID_PATTERN}). */
export function isSubjectToken(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** 128 random bits as 22 base64url characters, with an optional prefix such as `c_`. */
export function randomId(prefix = ""): string {
  const bytes = publicRandomBytes(16);
  let out = prefix;
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += ALPHABET[n & 63];
  }
  return out;
}

/** Prefixes of team principals' ids: agents `a_`, bots `b_` (customers are `c_`, guests `g_`). */
const TEAM_ID_PREFIXES = ["a_", "b_"] as const;

/**
 * Whether a principal id is a team member's (an agent's or a bot's) by its prefix. The gateway's word only:
 * it makes the ids. End-to-end conversations use the team vouch instead (ADR 0028).
 */
export function isTeamPrincipalId(id: string): boolean {
  return TEAM_ID_PREFIXES.some((prefix) => id.startsWith(prefix));
}
