/**
 * The crypto layer's errors, kept apart from the code that throws them so the
 * SDK's one error module (`../errors.ts`) can export them without loading
 * libsodium or the crypto code. Each extends `SdkError`: a stable `code`, and
 * `retryable`. `reason` says which check failed.
 */
import { SdkError } from "../error-base.js";

export const DecryptFailures = [
  "bad_header",
  "bad_signature",
  "bad_ciphertext",
  "bad_padding",
  "bad_body",
  "unknown_epoch",
  "unknown_device",
] as const;
export type DecryptFailure = (typeof DecryptFailures)[number];

const decryptMessages: Record<DecryptFailure, string> = {
  bad_header: "envelope header is malformed or not an end-to-end envelope",
  bad_signature: "sender signature does not verify",
  bad_ciphertext: "ciphertext does not decrypt under the epoch key",
  bad_padding: "decrypted plaintext has invalid padding",
  bad_body: "decrypted plaintext is not a valid message body",
  unknown_epoch: "no key for this conversation epoch",
  unknown_device: "no signing key for the sender device",
};

/** An envelope could not be opened. Carries no plaintext, whatever the stage that failed. */
export class DecryptError extends SdkError {
  override readonly name = "DecryptError";
  readonly code = "decrypt_failed";
  readonly retryable = true;
  readonly reason: DecryptFailure;

  constructor(reason: DecryptFailure, options?: { cause?: unknown }) {
    super(decryptMessages[reason], options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

export const SealFailures = ["bad_header", "bad_key", "bad_body", "too_large", "unknown_epoch"] as const;
export type SealFailure = (typeof SealFailures)[number];

/** A message could not be sealed: a caller error, or no key yet for the current epoch. */
export class SealError extends SdkError {
  override readonly name = "SealError";
  readonly code = "seal_failed";
  readonly retryable = false;
  readonly reason: SealFailure;

  constructor(reason: SealFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export const CommitFailures = [
  "bad_shape",
  "bad_chain",
  "unknown_committer",
  "bad_signature",
  "not_a_member",
  "bad_wraps",
] as const;
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
  override readonly name = "CommitError";
  readonly code = "commit_refused";
  readonly retryable = true;
  readonly reason: CommitFailure;

  constructor(reason: CommitFailure, detail?: string, options?: { cause?: unknown }) {
    super(
      detail ? `${commitMessages[reason]}: ${detail}` : commitMessages[reason],
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.reason = reason;
  }
}

export const TeamKeyFailures = ["bad_shape", "bad_signature", "wrong_device", "bad_ciphertext", "wrong_key"] as const;
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
  override readonly name = "TeamKeyError";
  readonly code = "team_key_refused";
  readonly retryable = true;
  readonly reason: TeamKeyFailure;

  constructor(reason: TeamKeyFailure, options?: { cause?: unknown }) {
    super(teamKeyMessages[reason], options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** Why a file could not be opened. */
export const FileCorruptReasons = {
  bad_ref: "the file reference is malformed (key, header, size or chunk size)",
  auth: "a chunk failed authentication (damaged, reordered, duplicated, or sealed with another key)",
  early_final: "the stream ends (FINAL tag) before the announced size",
  missing_final: "the last chunk does not carry the FINAL tag",
  bad_tag: "a chunk carries a tag this format never uses",
  trailing_bytes: "there are bytes after the last chunk",
  truncated: "the stream stops before the announced size",
  hash_mismatch: "the plaintext's SHA-256 is not the announced one",
} as const;
export type FileCorruptReason = keyof typeof FileCorruptReasons;

/** A file that cannot be opened; no plaintext accompanies it. */
export class FileCorruptError extends SdkError {
  override readonly name = "FileCorruptError";
  readonly code = "file_corrupt";
  readonly retryable = false;
  readonly reason: FileCorruptReason;

  constructor(reason: FileCorruptReason, detail?: string) {
    super(detail ? `${FileCorruptReasons[reason]} (${detail})` : FileCorruptReasons[reason]);
    this.reason = reason;
  }
}

/** Thrown when the stored identity exists but cannot be read; it is never silently replaced. */
export class DeviceIdentityError extends SdkError {
  override readonly name = "DeviceIdentityError";
  readonly code = "device_identity_unreadable";
  readonly retryable = false;
}

/** A key store (pins, epoch keys) exists but cannot be read; it is left as it is. */
export class KeyStoreError extends SdkError {
  override readonly name = "KeyStoreError";
  readonly code = "key_store_unreadable";
  readonly retryable = false;
}
