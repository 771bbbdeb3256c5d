/**
 * Every error class the SDK throws, from one module. Each extends
 * {@link SdkError}: a stable `code` and `retryable`. The gateway's codes (and
 * whether each is retryable) are `ErrorCodes` in `protocol/errors.ts`; the
 * SDK's own are {@link ClientErrorCodes}.
 */
import { SdkError } from "./error-base.js";
import { type ErrorCode, ErrorCodes, isErrorCode } from "./protocol/errors.js";
import { isRequestId } from "./protocol/request-id.js";

export type { ClientErrorCode, SdkErrorCode } from "./error-base.js";
export { ClientErrorCodes, isRetryable, SdkError } from "./error-base.js";

/** A failure reported by the gateway, or a local one mapped onto the same codes. */
export class ParleyError extends SdkError {
  /** Always `"ParleyError"`. */
  override readonly name = "ParleyError";
  /** The gateway's stable code. */
  readonly code: ErrorCode;
  /** For `rate_limited` and `busy`: seconds to wait before trying again, when the gateway said. */
  readonly retryAfter: number | undefined;
  /** The id of the failed request, when the gateway named it (quote it when asking the gateway's operators). */
  readonly requestId: string | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; retryAfter?: number | undefined; requestId?: string | undefined },
  ) {
    super(message ?? ErrorCodes[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfter = options?.retryAfter;
    this.requestId = options?.requestId;
  }

  /** Whether sending the same request again may succeed. */
  get retryable(): boolean {
    return ErrorCodes[this.code].retryable;
  }

  /** The error a gateway error body (`{code, message, retryAfter, requestId}`) stands for; unknown codes become `internal`. */
  static from(body: unknown): ParleyError {
    const b = body as { code?: unknown; message?: unknown; retryAfter?: unknown; requestId?: unknown } | undefined;
    const code = isErrorCode(b?.code) ? b.code : "internal";
    const message = typeof b?.message === "string" ? b.message : undefined;
    const retryAfter = typeof b?.retryAfter === "number" ? b.retryAfter : undefined;
    const requestId = isRequestId(b?.requestId) ? b.requestId : undefined;
    return new ParleyError(code, message, { retryAfter, requestId });
  }
}

/** The client could not reach the gateway or NATS (offline, timeout); the request may be retried. */
export class ConnectionLostError extends SdkError {
  /** `"ConnectionLostError"` (`"NotConnectedError"` for a {@link NotConnectedError}). */
  override readonly name: string = "ConnectionLostError";
  /** `connection_lost` (`not_connected` for a {@link NotConnectedError}). */
  readonly code: "connection_lost" | "not_connected" = "connection_lost";
  /** Always true: the link may come back. */
  readonly retryable: boolean = true;
}

/**
 * A call that needs a session came before `connect()` resolved or after the
 * client closed: the one "not connected" error. A {@link ConnectionLostError},
 * so code that treats "offline" alike keeps working.
 */
export class NotConnectedError extends ConnectionLostError {
  /** Always `"NotConnectedError"`. */
  override readonly name = "NotConnectedError";
  override readonly code = "not_connected";

  constructor(message = "not connected: call connect() first", options?: { cause?: unknown }) {
    super(message, options);
  }
}

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
export class EncryptionUnavailableError extends SdkError {
  /** Always `"EncryptionUnavailableError"`. */
  override readonly name = "EncryptionUnavailableError";
  readonly code = "encryption_unavailable";
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

  /** False when waiting cannot help: the epoch has no team wrap, or this device was never given its key. */
  get retryable(): boolean {
    return this.reason !== "no_team_wrap" && this.reason !== "not_in_epoch";
  }
}

// -- the crypto layer's errors: `reason` says which check failed -----------------------

/** Why an envelope could not be opened. */
export const DecryptFailures = [
  "bad_header",
  "bad_signature",
  "bad_ciphertext",
  "bad_padding",
  "bad_body",
  "unknown_epoch",
  "unknown_device",
  "misplaced",
] as const;
/** One of {@link DecryptFailures}. */
export type DecryptFailure = (typeof DecryptFailures)[number];

const decryptMessages: Record<DecryptFailure, string> = {
  bad_header: "envelope header is malformed or not an end-to-end envelope",
  bad_signature: "sender signature does not verify",
  bad_ciphertext: "ciphertext does not decrypt under the epoch key",
  bad_padding: "decrypted plaintext has invalid padding",
  bad_body: "decrypted plaintext is not a valid message body",
  unknown_epoch: "no key for this conversation epoch",
  unknown_device: "no signing key for the sender device",
  misplaced: "served under another conversation, message id or seq than the one its signed header carries",
};

/** An envelope could not be opened. Carries no plaintext, whatever the stage that failed. */
export class DecryptError extends SdkError {
  /** Always `"DecryptError"`. */
  override readonly name = "DecryptError";
  readonly code = "decrypt_failed";
  readonly retryable = true;
  /** Which check failed. */
  readonly reason: DecryptFailure;

  constructor(reason: DecryptFailure, options?: { cause?: unknown }) {
    super(decryptMessages[reason], options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** Why a message could not be sealed. */
export const SealFailures = ["bad_header", "bad_key", "bad_body", "too_large", "unknown_epoch"] as const;
/** One of {@link SealFailures}. */
export type SealFailure = (typeof SealFailures)[number];

/** A message could not be sealed: a caller error, or no key yet for the current epoch. */
export class SealError extends SdkError {
  /** Always `"SealError"`. */
  override readonly name = "SealError";
  readonly code = "seal_failed";
  readonly retryable = false;
  /** What was wrong. */
  readonly reason: SealFailure;

  constructor(reason: SealFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Why a commit is refused: malformed, not chained to the previous one, unknown committer, bad signature, committer not a member, or wraps not for member devices. */
export const CommitFailures = [
  "bad_shape",
  "bad_chain",
  "unknown_committer",
  "bad_signature",
  "not_a_member",
  "bad_wraps",
] as const;
/** One of {@link CommitFailures}. */
export type CommitFailure = (typeof CommitFailures)[number];

const commitMessages: Record<CommitFailure, string> = {
  bad_shape: "commit is malformed or not in canonical form",
  bad_chain: "commit does not follow the previous commit (conversation, epoch or prevHash)",
  unknown_committer: "committer device is not pinned for the committer's principal",
  bad_signature: "commit signature does not verify",
  not_a_member: "committer was not a member of the previous epoch",
  bad_wraps: "commit wraps do not match its member devices, or this device's wrap does not open",
};

/** A commit was refused; `reason` says which check failed. */
export class CommitError extends SdkError {
  /** Always `"CommitError"`. */
  override readonly name = "CommitError";
  readonly code = "commit_refused";
  readonly retryable = true;
  /** Which check failed. */
  readonly reason: CommitFailure;

  constructor(reason: CommitFailure, detail?: string, options?: { cause?: unknown }) {
    super(
      detail ? `${commitMessages[reason]}: ${detail}` : commitMessages[reason],
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.reason = reason;
  }
}

/** Why a team key record or wrap is refused. */
export const TeamKeyFailures = ["bad_shape", "bad_signature", "wrong_device", "bad_ciphertext", "wrong_key"] as const;
/** One of {@link TeamKeyFailures}. */
export type TeamKeyFailure = (typeof TeamKeyFailures)[number];

const teamKeyMessages: Record<TeamKeyFailure, string> = {
  bad_shape: "team key record or wrap is malformed, or they do not belong together",
  bad_signature: "team key signature does not verify against the signing device",
  wrong_device: "the team key wrap is for another device",
  bad_ciphertext: "the team key wrap does not open",
  wrong_key: "the team key wrap holds a key other than the record's",
};

/** A team key record or wrap was refused; `reason` says which check failed. */
export class TeamKeyError extends SdkError {
  /** Always `"TeamKeyError"`. */
  override readonly name = "TeamKeyError";
  readonly code = "team_key_refused";
  readonly retryable = true;
  /** Which check failed. */
  readonly reason: TeamKeyFailure;

  constructor(reason: TeamKeyFailure, options?: { cause?: unknown }) {
    super(teamKeyMessages[reason], options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** Thrown when the stored identity exists but cannot be read; it is never silently replaced. */
export class DeviceIdentityError extends SdkError {
  /** Always `"DeviceIdentityError"`. */
  override readonly name = "DeviceIdentityError";
  readonly code = "device_identity_unreadable";
  readonly retryable = false;
}

/** A key store (pins, epoch keys) exists but cannot be read; it is left as it is. */
export class KeyStoreError extends SdkError {
  /** Always `"KeyStoreError"`. */
  override readonly name = "KeyStoreError";
  readonly code = "key_store_unreadable";
  readonly retryable = false;
}

/** Why a file could not be opened. */
export const FileCorruptReasons = {
  /** The reference is malformed. */
  bad_ref: "the file reference is malformed (key, header, size or chunk size)",
  /** A chunk failed authentication. */
  auth: "a chunk failed authentication (damaged, reordered, duplicated, or sealed with another key)",
  /** The stream ends before the announced size. */
  early_final: "the stream ends (FINAL tag) before the announced size",
  /** The last chunk is not marked final. */
  missing_final: "the last chunk does not carry the FINAL tag",
  /** A chunk carries a tag the format never uses. */
  bad_tag: "a chunk carries a tag this format never uses",
  /** Bytes follow the last chunk. */
  trailing_bytes: "there are bytes after the last chunk",
  /** The stream stops before the announced size. */
  truncated: "the stream stops before the announced size",
  /** The plaintext's SHA-256 is not the announced one. */
  hash_mismatch: "the plaintext's SHA-256 is not the announced one",
} as const;
/** One of the {@link FileCorruptReasons}. */
export type FileCorruptReason = keyof typeof FileCorruptReasons;

/** A file that cannot be opened; no plaintext accompanies it. */
export class FileCorruptError extends SdkError {
  /** Always `"FileCorruptError"`. */
  override readonly name = "FileCorruptError";
  readonly code = "file_corrupt";
  readonly retryable = false;
  /** Which check failed. */
  readonly reason: FileCorruptReason;

  constructor(reason: FileCorruptReason, detail?: string) {
    super(detail ? `${FileCorruptReasons[reason]} (${detail})` : FileCorruptReasons[reason]);
    this.reason = reason;
  }
}
