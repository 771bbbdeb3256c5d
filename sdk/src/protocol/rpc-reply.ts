/**
 * The one reply shape of every RPC, built by the gateway (NATS responder and
 * `POST /v1/rpc/<op>`) and read by the SDK: `{ok: true, result}` or
 * `{ok: false, error}`. Over HTTP an error is `{error}` with the code's status
 * instead (see {@link HttpErrorReply}).
 */
import { type ErrorBody, ErrorCodes, isErrorCode } from "./errors.js";
import { isRequestId } from "./request-id.js";
import type { RpcResults } from "./rpc.js";
import type { RpcOp } from "./schemas.js";

/** Every NATS reply (and every successful `POST /v1/rpc/<op>`): a result or an error. HTTP errors are `{error}` with the matching status. */
export type RpcReply<Op extends RpcOp = RpcOp> =
  | {
      /** The operation succeeded. */
      ok: true;
      /** The op's result. */
      result: RpcResults[Op];
    }
  | {
      /** The operation failed. */
      ok: false;
      /** Why, with a stable code. */
      error: ErrorBody;
    };

/** The body of every failed HTTP request, with the status of {@link ErrorCodes}`[code]`. */
export interface HttpErrorReply {
  /** Why, with a stable code. */
  error: ErrorBody;
}

/** A successful reply carrying `result`. */
export function rpcResult<Op extends RpcOp>(result: RpcResults[Op]): RpcReply<Op> {
  return { ok: true, result };
}

/** A failed reply carrying `error`. */
export function rpcError(error: ErrorBody): RpcReply<never> {
  return { ok: false, error };
}

/**
 * Reads an error body from untrusted JSON: an unknown or missing code becomes
 * `internal`, a missing message the code's default, a non-number `retryAfter`
 * and a `requestId` that is not one ({@link isRequestId}) are dropped.
 */
export function parseErrorBody(value: unknown): ErrorBody {
  const b = (typeof value === "object" && value !== null ? value : {}) as {
    code?: unknown;
    message?: unknown;
    retryAfter?: unknown;
    requestId?: unknown;
  };
  const code = isErrorCode(b.code) ? b.code : "internal";
  const message = typeof b.message === "string" ? b.message : ErrorCodes[code].message;
  const body: ErrorBody =
    typeof b.retryAfter === "number" ? { code, message, retryAfter: b.retryAfter } : { code, message };
  if (isRequestId(b.requestId)) body.requestId = b.requestId;
  return body;
}

/**
 * Reads a reply from its JSON text. Anything but `{ok: true, ...}` is a
 * failure, its error read with {@link parseErrorBody}. The result is not
 * checked: the gateway is trusted for its shape. Throws a `SyntaxError` when
 * the text is not JSON.
 */
export function parseRpcReply<Op extends RpcOp>(text: string): RpcReply<Op> {
  const value: unknown = JSON.parse(text);
  const reply = (typeof value === "object" && value !== null ? value : {}) as {
    ok?: unknown;
    result?: unknown;
    error?: unknown;
  };
  if (reply.ok === true) return { ok: true, result: reply.result as RpcResults[Op] };
  return { ok: false, error: parseErrorBody(reply.error) };
}
