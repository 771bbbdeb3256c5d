import { type ErrorBody, type ErrorCode, ErrorCodes } from "@parley/sdk/protocol";

/**
 * The gateway's one error type. Thrown anywhere in request handling; the HTTP
 * error middleware and the NATS responder turn it into an {@link ErrorBody}
 * with the same stable code.
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: ErrorCode;
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(message ?? ErrorCodes[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfter = options?.retryAfter;
  }

  get status(): number {
    return ErrorCodes[this.code].status;
  }

  toBody(): ErrorBody {
    return this.retryAfter === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfter: this.retryAfter };
  }
}

/** Thrown at start when the configuration is invalid; lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid gateway configuration:\n  - ${problems.join("\n  - ")}`);
  }
}
