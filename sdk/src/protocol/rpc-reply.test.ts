import { describe, expect, it } from "vitest";
import { ErrorCodes } from "./errors.js";
import { parseErrorBody, parseRpcReply, rpcError, rpcResult } from "./rpc-reply.js";

describe("RpcReply", () => {
  it("round-trips a result and an error through JSON as the gateway sends them", () => {
    const ok = rpcResult<"msg.send">({ seq: 7, ts: 1000, duplicate: false });
    expect(parseRpcReply<"msg.send">(JSON.stringify(ok))).toEqual({
      ok: true,
      result: { seq: 7, ts: 1000, duplicate: false },
    });
    const failed = rpcError({ code: "rate_limited", message: "slow down", retryAfter: 2 });
    expect(parseRpcReply(JSON.stringify(failed))).toEqual({
      ok: false,
      error: { code: "rate_limited", message: "slow down", retryAfter: 2 },
    });
  });

  it("reads anything but ok: true as a failure with an internal error", () => {
    for (const text of ["null", "42", '"ok"', "{}", '{"ok":false}', '{"ok":"true","result":1}']) {
      expect(parseRpcReply(text)).toEqual({
        ok: false,
        error: { code: "internal", message: ErrorCodes.internal.message },
      });
    }
  });

  it("throws a SyntaxError for text that is not JSON", () => {
    expect(() => parseRpcReply("<html>")).toThrow(SyntaxError);
  });
});

describe("parseErrorBody", () => {
  it("keeps a known code, its message and a numeric retryAfter", () => {
    expect(parseErrorBody({ code: "stale_epoch", message: "m", retryAfter: 3 })).toEqual({
      code: "stale_epoch",
      message: "m",
      retryAfter: 3,
    });
  });

  it("maps an unknown code to internal, fills the code's message and drops a non-numeric retryAfter", () => {
    expect(parseErrorBody({ code: "nope", retryAfter: "3" })).toEqual({
      code: "internal",
      message: ErrorCodes.internal.message,
    });
    expect(parseErrorBody({ code: "forbidden" })).toEqual({ code: "forbidden", message: ErrorCodes.forbidden.message });
    expect(parseErrorBody(undefined)).toEqual({ code: "internal", message: ErrorCodes.internal.message });
    expect(parseErrorBody({ code: "busy", message: "m", requestId: "r_abc-1.x:y" })).toEqual({
      code: "busy",
      message: "m",
      requestId: "r_abc-1.x:y",
    });
    for (const requestId of ["", "a b", "x".repeat(65), 42, 'x"}']) {
      expect(parseErrorBody({ code: "busy", message: "m", requestId })).toEqual({ code: "busy", message: "m" });
    }
    expect(parseErrorBody({ code: "toString" }).code).toBe("internal");
  });
});
