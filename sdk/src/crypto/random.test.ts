import { describe, expect, it } from "vitest";
import { randomBytes } from "./random.js";

describe("randomBytes", () => {
  it("fills requests of any size, past the 65,536-byte limit of one getRandomValues call", () => {
    for (const n of [0, 1, 24, 65_535, 65_536, 65_537, 200_000]) {
      const bytes = randomBytes(n);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.length).toBe(n);
    }
    const big = randomBytes(3 * 65_536 + 10);
    // Every chunk (and the short tail) was filled: 1,024 zero bytes in a row has probability 2^-8192.
    for (let offset = 0; offset < big.length; offset += 65_536) {
      const chunk = big.subarray(offset, Math.min(offset + 1_024, big.length));
      expect(chunk.some((b) => b !== 0)).toBe(true);
    }
    expect(big.subarray(big.length - 10).some((b) => b !== 0)).toBe(true);
  });

  it("returns different bytes each call and uses all byte values", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(randomBytes(16).join(","));
    expect(seen.size).toBe(100);
    expect(new Set(randomBytes(65_536)).size).toBe(256);
  });

  it("refuses lengths that are not non-negative integers", () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => randomBytes(n)).toThrow(RangeError);
  });
});
