import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64Url, portableToBase64Url, toBase64Url } from "./base64url.js";

describe("base64url", () => {
  it("encodes with Node's Buffer exactly as the browser path does, and decodes back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(portableToBase64Url(bytes));
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it("encodes only a view's own bytes, not the rest of its buffer", () => {
    const backing = new Uint8Array([0xff, 0xfe, 1, 2, 3, 0xfd]);
    const view = backing.subarray(2, 5);
    expect(toBase64Url(view)).toBe("AQID");
    expect(portableToBase64Url(view)).toBe("AQID");
  });

  it("refuses text outside the alphabet instead of skipping it", () => {
    expect(() => fromBase64Url("AQ!D")).toThrow();
    expect(() => fromBase64Url("AQ D")).toThrow();
    expect(() => fromBase64Url("AQ==")).toThrow();
    expect(() => fromBase64Url("A")).toThrow();
  });
});
