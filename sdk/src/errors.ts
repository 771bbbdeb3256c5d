/**
 * Every error class the SDK throws, from one module. Each extends
 * {@link SdkError}: a stable `code` and `retryable`. The gateway's codes (and
 * whether each is retryable) are `ErrorCodes` in `protocol/errors.ts`; the
 * SDK's own are {@link ClientErrorCodes}.
 */
import { ClientErrorCodes, SdkError } from "./error-base.js";
import { type ErrorCode, ErrorCodes, isErrorCode } from "./protocol/errors.js";

export {
  CommitError,
  type CommitFailure,
  DecryptError,
  type DecryptFailure,
  DeviceIdentityError,
  FileCorruptError,
  type FileCorruptReason,
  KeyStoreError,
  SealError,
  type SealFailure,
  TeamKeyError,
  type TeamKeyFailure,
} from "./crypto/crypto-errors.js";
export type { ClientErrorCode, SdkErrorCode } from "./error-base.js";
export { ClientErrorCodes, isRetryable, SdkError } from "./error-base.js";

/** A failure reported by the gateway, or a local one mapped onto the same codes. */
export class ParleyError extends SdkError {
  override readonly name = "ParleyError";
  /** The gateway's stable code. */
  readonly code: ErrorCode;
  /** For `rate_limited`: seconds to wait before trying again, when the gateway said. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; retryAfter?: number | undefined }) {
    super(message ?? ErrorCodes[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfter = options?.retryAfter;
  }

  /** Whether sending the same request again may succeed. */
  get retryable(): boolean {
    return ErrorCodes[this.code].retryable;
  }

  /** The error a gateway error body (`{code, message, retryAfter}`) stands for; unknown codes become `internal`. */
  static from(body: unknown): ParleyError {
    const b = body as { code?: unknown; message?: unknown; retryAfter?: unknown } | undefined;
    const code = isErrorCode(b?.code) ? b.code : "internal";
    const message = typeof b?.message === "string" ? b.message : undefined;
    const retryAfter = typeof b?.retryAfter === "number" ? b.retryAfter : undefined;
    return new ParleyError(code, message, { retryAfter });
  }
}

/** The client could not reach the gateway or NATS (offline, timeout); the request may be retried. */
export class ConnectionLostError extends SdkError {
  override readonly name: string = "ConnectionLostError";
  readonly code: "connection_lost" | "not_connected" = "connection_lost";
  readonly retryable = ClientErrorCodes.connection_lost.retryable;
}

/**
 * A call that needs a session came before `connect()` resolved or after the
 * client closed: the one "not connected" error. A {@link ConnectionLostError},
 * so code that treats "offline" alike keeps working.
 */
export class NotConnectedError extends ConnectionLostError {
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
export type EncryptionUnavailableReason = keyof typeof EncryptionUnavailableReasons;

/**
 * The end-to-end layer cannot seal or open a message: a missing key rather
 * than a forged or damaged envelope (those are `DecryptError`s). `retryable`
 * says whether waiting (for a commit, a team key wrap) may fix it.
 */
export class EncryptionUnavailableError extends SdkError {
  override readonly name = "EncryptionUnavailableError";
  readonly code = "encryption_unavailable";
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
