import { type ErrorCode, ErrorCodes, isErrorCode } from "./protocol/errors.js";

/** A failure reported by the gateway, or a local one mapped onto the same codes. */
export class ParleyError extends Error {
  override readonly name = "ParleyError";
  readonly code: ErrorCode;
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
  override readonly name = "ConnectionLostError";
}
