/**
 * NATS subjects. Every variable token is an opaque server-made id (see ids.ts).
 *
 * - `api.<principal>.<op>`: requests a principal sends to the gateway; its
 *   user JWT may publish only under its own `api.<principal>.>`.
 * - `user.<principal>.ev`: events for one principal (messages, membership,
 *   invites) fanned out by the gateway.
 * - `team.<shopId>.ev`: events for every agent and bot of a shop's team.
 * - `_INBOX_<principal>.>`: the principal's private reply inboxes.
 */
import { isSubjectToken } from "./ids.js";

/** Queue group shared by every gateway instance serving `api.*.>`. */
export const API_QUEUE = "gateway";

/**
 * Subject wildcards of the NATS permissions: what the accounts share and what
 * the gateway listens on. A principal's own allow-list is {@link principalPermissions}.
 */
export const SubjectWildcards = {
  /** Every request subject (the app account's service export to the bots account). */
  api: "api.>",
  /** Every principal's requests: what the gateway subscribes to. */
  apiRequests: "api.*.>",
  /** Every principal's event subject. */
  userEvents: "user.*.ev",
  /** Every shop team's event subject. */
  teamEvents: "team.*.ev",
} as const;

/** Wildcard the gateway subscribes to. */
export const API_WILDCARD = SubjectWildcards.apiRequests;

function token(value: string, what: string): string {
  if (!isSubjectToken(value)) throw new TypeError(`${what} is not a subject-safe id`);
  return value;
}

/** Builders of the NATS subjects; each throws a `TypeError` for an id that is not subject-safe. */
export const subjects = {
  /** `api.<principal>.<op>`: where a principal sends the request `op`. */
  api: (principal: string, op: string) => `api.${token(principal, "principal")}.${op}`,
  /** `api.<principal>.>`: every request subject of a principal (its JWT's publish allowance). */
  apiPrefix: (principal: string) => `api.${token(principal, "principal")}.>`,
  /** `user.<principal>.ev`: the principal's events. */
  user: (principal: string) => `user.${token(principal, "principal")}.ev`,
  /** `team.<shopId>.ev`: the events of a shop's team. */
  team: (shopId: string) => `team.${token(shopId, "shopId")}.ev`,
  /** `_INBOX_<principal>`: the inbox prefix the principal's client must use. */
  inboxPrefix: (principal: string) => `_INBOX_${token(principal, "principal")}`,
  /** Every reply inbox under the principal's prefix. */
  inboxes: (principal: string) => `_INBOX_${token(principal, "principal")}.>`,
} as const;

/**
 * What one principal's NATS user JWT allows: publish its own requests;
 * subscribe its events, its reply inboxes and, for the shop's team
 * (`team: true`), the shop's team subject. Throws a `TypeError` when the
 * principal or the shop id is not subject-safe.
 */
export function principalPermissions(
  principal: string,
  shopId: string,
  team: boolean,
): {
  /** Subjects the principal may publish to. */
  pub: string[];
  /** Subjects the principal may subscribe to. */
  sub: string[];
} {
  const pub = [subjects.apiPrefix(principal)];
  const sub = [subjects.user(principal), subjects.inboxes(principal)];
  // Checked for every principal, not only the team's: the shop id also goes into the JWT's tags.
  const teamSubject = subjects.team(shopId);
  if (team) sub.push(teamSubject);
  return { pub, sub };
}

/** Splits `api.<principal>.<op...>` into its parts, or undefined if it is not one. */
export function parseApiSubject(subject: string):
  | {
      /** The principal that sent the request. */
      principal: string;
      /** The operation, dots included (`msg.send`). */
      op: string;
    }
  | undefined {
  const parts = subject.split(".");
  if (parts.length < 3 || parts[0] !== "api") return undefined;
  const principal = parts[1] ?? "";
  if (!isSubjectToken(principal)) return undefined;
  return { principal, op: parts.slice(2).join(".") };
}
