/**
 * Stable error codes shared by the gateway and the SDK. The code is the
 * contract; messages are for people and may change.
 */
/** What the protocol says about one error code. */
export interface ErrorCodeInfo {
  /** The HTTP status the gateway answers it with. */
  readonly status: number;
  /** Whether the same request may succeed later (after `retryAfter` when the error carries one). */
  readonly retryable: boolean;
  /** A default message for people; it may change, the code does not. */
  readonly message: string;
}

const errorCodes = {
  /** The body or a parameter does not match its schema, or is not JSON. */
  bad_request: { status: 400, retryable: false, message: "The request is malformed." },
  /** The request body is over the size limit. */
  payload_too_large: { status: 413, retryable: false, message: "The request is too large." },
  /** A file upload is over the gateway's limit. */
  too_large: { status: 413, retryable: false, message: "The file is larger than the gateway accepts." },
  /** Missing or invalid token, password or refresh token; unknown principal. */
  unauthorized: { status: 401, retryable: false, message: "Missing or invalid credentials." },
  /** Authenticated, but this principal may not do this. */
  forbidden: { status: 403, retryable: false, message: "Not allowed." },
  /** No such shop, route, operation, conversation, member or invite, or no access to it. */
  not_found: { status: 404, retryable: false, message: "Not found." },
  /** The state changed or already exists (invite settled, already a member, msgId of another sender, a lost compare-and-set). */
  conflict: { status: 409, retryable: false, message: "The resource changed or already exists." },
  /** Another principal holds that handle. */
  handle_taken: { status: 409, retryable: false, message: "That handle is taken." },
  /** `invite.create`: no one has that handle. */
  unknown_handle: { status: 404, retryable: false, message: "No one has that handle." },
  /** `invite.create`: the handle belongs to a member of the conversation (or to the inviter). */
  already_member: { status: 409, retryable: false, message: "Already a member of this conversation." },
  /** The envelope was sealed under an older epoch: fetch the commits, seal again. */
  stale_epoch: {
    status: 409,
    retryable: false,
    message: "The conversation moved to a newer encryption epoch: fetch its commits and seal again.",
  },
  /** The shop does not allow guests. */
  guests_disabled: { status: 403, retryable: false, message: "This shop does not allow guests." },
  /** The request's `Origin` is not one of the shop's allowed origins. */
  origin_not_allowed: { status: 403, retryable: false, message: "This origin is not allowed for the shop." },
  /** Over a rate limit; `retryAfter` says how many seconds to wait. */
  rate_limited: { status: 429, retryable: true, message: "Too many requests; slow down." },
  /** The store (or another dependency) cannot be reached. */
  unavailable: { status: 503, retryable: true, message: "The service is temporarily unavailable." },
  /** An unexpected failure (logged by the gateway). */
  internal: { status: 500, retryable: true, message: "Internal error." },
  /** Raised by the SDK only (never sent by the gateway): a downloaded file failed its checks; no plaintext is returned. */
  file_corrupt: {
    status: 502,
    retryable: false,
    message: "The file failed its integrity checks (damaged, truncated or not the file that was sent).",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** Every error code the gateway sends (and `file_corrupt`, which the SDK raises), by name. */
export type ErrorCode = keyof typeof errorCodes;

/** Every error code with its HTTP status, whether it is retryable, and a default message. */
export const ErrorCodes: { readonly [Code in ErrorCode]: ErrorCodeInfo } = errorCodes;

/** The body of every error, over HTTP and over NATS. */
export interface ErrorBody {
  /** The stable code: what programs act on. */
  code: ErrorCode;
  /** For people; may change. */
  message: string;
  /** Seconds to wait before retrying, for `rate_limited`. */
  retryAfter?: number;
}

/** Whether `value` is one of the {@link ErrorCodes} (a newer gateway may send codes this SDK does not know). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ErrorCodes, value);
}
