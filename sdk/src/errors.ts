import { type ErrorCode, ErrorCodes, isErrorCode } from "./protocol/errors.js";

/** A failure reported by the gateway, or a local one mapped onto the same codes. */
export class ParleyError extends Error {
  /** Always `"ParleyError"`. */
  override readonly name = "ParleyError";
  /** The stable error code. */
  readonly code: ErrorCode;
  /** Seconds to wait before retrying, when the gateway said (`rate_limited`). */
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

  /** Makes the error from an error body of a reply; a code this SDK does not know becomes `internal`. */
  static from(body: unknown): ParleyError {
    const b = body as { code?: unknown; message?: unknown; retryAfter?: unknown } | undefined;
    const code = isErrorCode(b?.code) ? b.code : "internal";
    const message = typeof b?.message === "string" ? b.message : undefined;
    const retryAfter = typeof b?.retryAfter === "number" ? b.retryAfter : undefined;
    return new ParleyError(code, message, { retryAfter });
  }
}

/** The client could not reach the gateway or NATS (offline, timeout); the request may be retried. */
export class ConnectionLostError extends Error {
  /** Always `"ConnectionLostError"`. */
  override readonly name = "ConnectionLostError";
}
