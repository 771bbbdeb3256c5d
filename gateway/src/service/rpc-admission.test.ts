import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { RpcAdmission } from "./rpc-admission.js";

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof GatewayError ? { code: err.code, retryAfter: err.retryAfter } : err;
  }
  return undefined;
};

describe("RPC admission", () => {
  it("admits at most perPrincipal of one principal, then busy with retryAfter, and again after a release", () => {
    const admission = new RpcAdmission({ perPrincipal: 2, total: 10 });
    const first = admission.enter("p1");
    admission.enter("p1");
    expect(refusal(() => admission.enter("p1"))).toEqual({ code: "busy", retryAfter: 1 });
    // Another principal is not held up by p1's.
    expect(refusal(() => admission.enter("p2"))).toBeUndefined();
    first();
    first(); // a second release of the same slot changes nothing
    expect(refusal(() => admission.enter("p1"))).toBeUndefined();
    expect(refusal(() => admission.enter("p1"))).toEqual({ code: "busy", retryAfter: 1 });
    expect(admission.stats()).toEqual({ inFlight: 3, refusedPrincipal: 2, refusedTotal: 0 });
  });

  it("admits at most total in all, whoever asks", () => {
    const admission = new RpcAdmission({ perPrincipal: 5, total: 3 });
    const releases = ["a", "b", "c"].map((p) => admission.enter(p));
    expect(refusal(() => admission.enter("d"))).toEqual({ code: "busy", retryAfter: 1 });
    for (const release of releases) release();
    expect(refusal(() => admission.enter("d"))).toBeUndefined();
    expect(admission.stats()).toEqual({ inFlight: 1, refusedPrincipal: 0, refusedTotal: 1 });
  });
});
