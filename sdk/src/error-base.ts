/**
 * The base of every error the SDK throws, and the codes it adds to the
 * gateway's (`protocol/errors.ts`). A leaf module: the crypto layer's errors
 * extend it without pulling in the client. Apps import everything from
 * `errors.ts` (or the package index).
 */
import type { ErrorCode } from "./protocol/errors.js";

/**
 * Codes of failures the SDK finds itself (the gateway's codes are in
 * `ErrorCodes`). The code is the contract; messages are for people.
 */
export const ClientErrorCodes = {
  /** The gateway or NATS could not be reached (offline, timeout). */
  connection_lost: {
    /** Yes: the link may come back. */
    retryable: true,
  },
  /** A call that needs a session came before `connect()` resolved, or after the connection closed. */
  not_connected: {
    /** Yes: once `connect()` has resolved. */
    retryable: true,
  },
  /** End-to-end encryption: no key to seal or open with yet; `retryable` depends on the reason. */
  encryption_unavailable: {
    /** Usually; `EncryptionUnavailableError.retryable` says for each reason. */
    retryable: true,
  },
  /**
   * An envelope, wrap or grant did not verify or decrypt. Retryable: what the
   * gateway served may be served correctly later (a message that fails stays unreadable).
   */
  decrypt_failed: {
    /** Yes: the gateway may serve it correctly later. */
    retryable: true,
  },
  /** A message could not be sealed (a caller error, or no key for the epoch). */
  seal_failed: {
    /** No: a send that fails to seal is marked failed, not tried again. */
    retryable: false,
  },
  /** An epoch commit from the gateway was refused by its checks; fetching the chain again may bring a valid one. */
  commit_refused: {
    /** Yes: the chain may be fetched again. */
    retryable: true,
  },
  /** A team key record or wrap from the gateway was refused; a later wrap may be valid. */
  team_key_refused: {
    /** Yes: a later wrap may be valid. */
    retryable: true,
  },
  /** This device's stored identity exists but cannot be read; it is never replaced silently. */
  device_identity_unreadable: {
    /** No: the stored identity stays as it is. */
    retryable: false,
  },
  /** A stored key store (device pins, epoch keys) exists but cannot be read. */
  key_store_unreadable: {
    /** No: the store stays as it is. */
    retryable: false,
  },
} as const;

/** A code the SDK adds to the gateway's. */
export type ClientErrorCode = keyof typeof ClientErrorCodes;

/** Every code an {@link SdkError} may carry: the gateway's and the SDK's own. */
export type SdkErrorCode = ErrorCode | ClientErrorCode;

/**
 * The base of every error the SDK throws. `code` is stable (switch on it);
 * `retryable` says whether trying the same thing again later may succeed,
 * which is all the outbox looks at when a send fails.
 */
export abstract class SdkError extends Error {
  /** A stable code. */
  abstract readonly code: SdkErrorCode;
  /** Whether trying the same thing again later may succeed. */
  abstract readonly retryable: boolean;
}

/**
 * Whether a failure is worth retrying: an {@link SdkError} says so itself;
 * anything else (a platform error, a storage failure) is taken as transient.
 */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof SdkError) || error.retryable;
}
