/**
 * Stable error codes shared by the gateway and the SDK. The code is the
 * contract; messages are for people and may change.
 */
export const ErrorCodes = {
  bad_request: { status: 400, retryable: false, message: "The request is malformed." },
  payload_too_large: { status: 413, retryable: false, message: "The request is too large." },
  too_large: { status: 413, retryable: false, message: "The file is larger than the gateway accepts." },
  unauthorized: { status: 401, retryable: false, message: "Missing or invalid credentials." },
  forbidden: { status: 403, retryable: false, message: "Not allowed." },
  not_found: { status: 404, retryable: false, message: "Not found." },
  conflict: { status: 409, retryable: false, message: "The resource changed or already exists." },
  handle_taken: { status: 409, retryable: false, message: "That handle is taken." },
  /** `invite.create`: no one has that handle. */
  unknown_handle: { status: 404, retryable: false, message: "No one has that handle." },
  /** `invite.create`: the handle belongs to a member of the conversation (or to the inviter). */
  already_member: { status: 409, retryable: false, message: "Already a member of this conversation." },
  stale_epoch: {
    status: 409,
    retryable: false,
    message: "The conversation moved to a newer encryption epoch: fetch its commits and seal again.",
  },
  guests_disabled: { status: 403, retryable: false, message: "This shop does not allow guests." },
  origin_not_allowed: { status: 403, retryable: false, message: "This origin is not allowed for the shop." },
  rate_limited: { status: 429, retryable: true, message: "Too many requests; slow down." },
  unavailable: { status: 503, retryable: true, message: "The service is temporarily unavailable." },
  internal: { status: 500, retryable: true, message: "Internal error." },
  /** Raised by the SDK only (never sent by the gateway): a downloaded file failed its checks; no plaintext is returned. */
  file_corrupt: {
    status: 502,
    retryable: false,
    message: "The file failed its integrity checks (damaged, truncated or not the file that was sent).",
  },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The body of every error, over HTTP and over NATS. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Seconds to wait before retrying, for `rate_limited`. */
  retryAfter?: number;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ErrorCodes, value);
}
