/** Why this device cannot seal or open a conversation's messages right now. */
export const EncryptionUnavailableReasons = {
  /** The epoch was committed while the shop had no team key (`teamWrap` is ""): agents cannot read it. */
  no_team_wrap: "the epoch was committed while the shop had no team key, so agents cannot read it",
  /** This agent device holds no team key yet (no admin device has wrapped it to this device). */
  no_team_key: "this agent device has no team key yet: an admin device must come online and wrap it",
  /** This device was not given the epoch's key (not a member then, or added later without history). */
  not_in_epoch: "this device was not given the key of that epoch",
  /** The chain has no epoch this device may commit: it is not a member of the head epoch yet. */
  not_a_member: "this device is not a member of the conversation's current epoch yet; a member must add it",
  /** Commits kept losing the compare-and-set race. */
  commit_conflict: "the epoch chain kept moving while committing; try again",
} as const;
/** Why encryption is unavailable: `no_team_wrap`, `no_team_key`, `not_in_epoch`, `not_a_member` or `commit_conflict`. */
export type EncryptionUnavailableReason = keyof typeof EncryptionUnavailableReasons;

/**
 * The end-to-end layer cannot seal or open a message: a missing key rather
 * than a forged or damaged envelope (those are `DecryptError`s). `retryable`
 * says whether waiting (for a commit, a team key wrap) may fix it.
 */
export class EncryptionUnavailableError extends Error {
  /** Always `"EncryptionUnavailableError"`. */
  override readonly name = "EncryptionUnavailableError";
  /** Which key is missing, and so what may fix it. */
  readonly reason: EncryptionUnavailableReason;
  /**
   * With `not_in_epoch`: false when the epoch's verified commit does not list
   * this principal (it joined later and no history was shared with it), true
   * when it does (the key went to the principal's other devices), undefined
   * when this device cannot tell.
   */
  readonly memberThen: boolean | undefined;

  constructor(reason: EncryptionUnavailableReason, detail?: string, options?: { memberThen?: boolean }) {
    super(detail ? `${EncryptionUnavailableReasons[reason]} (${detail})` : EncryptionUnavailableReasons[reason]);
    this.reason = reason;
    this.memberThen = options?.memberThen;
  }

  /** Whether waiting (for a commit, a team key wrap) may fix it. */
  get retryable(): boolean {
    return this.reason !== "no_team_wrap" && this.reason !== "not_in_epoch";
  }
}
