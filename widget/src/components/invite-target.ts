/**
 * The composer's @mentions: the suggestions for a handle being typed, its
 * completion, and the invite rule: a message whose first word is `@handle`,
 * where no current member holds that handle, invites that person before it is
 * sent.
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

const PARTIAL_HANDLE = /(?:^|\s)@([A-Za-z0-9_.-]*)$/;

/** Up to 8 people whose handle starts with the `@partial` just before the caret; none when no handle is being typed. */
export function mentionSuggestions(before: string, mentionable: readonly Mentionable[]): Mentionable[] {
  const match = PARTIAL_HANDLE.exec(before);
  if (!match) return [];
  const prefix = (match[1] ?? "").toLowerCase();
  return mentionable.filter((m) => m.handle.toLowerCase().startsWith(prefix)).slice(0, 8);
}

/** `before` (the text up to the caret) with its `@partial` completed to `@handle `. */
export function completeMention(before: string, handle: string): string {
  return before.replace(/@[A-Za-z0-9_.-]*$/, `@${handle} `);
}
