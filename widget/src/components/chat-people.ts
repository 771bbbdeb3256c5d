/**
 * Who the chat can name: display names by principal id (the team online, the
 * conversation's members, and "You" for oneself, in the chat's language) and
 * the members the composer may mention by handle (never oneself).
 */
import type { Mentionable } from "./invite-target.js";

/** What the chat knows of a person: their id, display name and, for members, their handle. */
interface Person {
  principalId: string;
  displayName: string;
  handle?: string;
}

/** Names by principal id and the mentionable members, from the team online and the members. */
export function chatPeople(
  online: readonly Person[],
  members: readonly Person[],
  me: string | undefined,
  you: string,
): { names: Record<string, string>; mentionable: Mentionable[] } {
  const names: Record<string, string> = {};
  for (const p of online) names[p.principalId] = p.displayName;
  for (const m of members) names[m.principalId] = m.displayName;
  if (me) names[me] = you;
  const mentionable = members
    .filter((m) => m.handle && m.principalId !== me)
    .map((m) => ({ handle: (m.handle ?? "").replace(/^@/, ""), displayName: m.displayName, member: true }));
  return { names, mentionable };
}
