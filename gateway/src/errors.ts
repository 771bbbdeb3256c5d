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
  /**
   * For refusals by a limit (`rate_limited`, `busy`): which limiter refused, a fixed name such as `send`
   * or `quota.conv.open`, for the `parley_limit_hits_total` metric. Never sent to the client.
   */
  readonly limiter: string | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; retryAfter?: number; limiter?: string }) {
    super(message ?? ErrorCodes[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfter = options?.retryAfter;
    this.limiter = options?.limiter;
  }

  get status(): number {
    return ErrorCodes[this.code].status;
  }

  /** The body sent to the client; `requestId` names the request that failed. */
  toBody(requestId?: string): ErrorBody {
    const body: ErrorBody =
      this.retryAfter === undefined
        ? { code: this.code, message: this.message }
        : { code: this.code, message: this.message, retryAfter: this.retryAfter };
    if (requestId !== undefined) body.requestId = requestId;
    return body;
  }
}

/** Thrown at start when the configuration is invalid; lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid gateway configuration:\n  - ${problems.join("\n  - ")}`);
  }
}
