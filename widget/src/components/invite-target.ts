/**
 * The composer's invite rule: a message whose first word is `@handle`, where no
 * current member holds that handle, invites that person before it is sent.
 */

/** Someone who can be mentioned. */
export interface Mentionable {
  /** Their handle, without `@`. */
  handle: string;
  /** Their display name. */
  displayName: string;
  /** Set for current members of the conversation (no invite needed). */
  member?: boolean;
}

const LEADING_HANDLE = /^@([A-Za-z0-9_.-]+)(?=\s|$)/;

/** The handle that `text` invites under the invite rule, if any (without `@`). */
export function inviteTarget(text: string, mentionable: readonly Mentionable[]): string | undefined {
  const match = LEADING_HANDLE.exec(text.trimStart());
  const handle = match?.[1];
  if (!handle) return undefined;
  const lower = handle.toLowerCase();
  const member = mentionable.some((m) => m.member && m.handle.toLowerCase() === lower);
  return member ? undefined : handle;
}
