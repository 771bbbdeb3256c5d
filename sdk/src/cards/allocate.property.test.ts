import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_AMOUNT } from "../protocol/cards/wire.js";
import { allocate } from "./allocate.js";

const SEED = 20_261_206;
const total = fc.integer({ min: 0, max: MAX_AMOUNT });
const weights = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: MAX_AMOUNT })), {
    minLength: 1,
    maxLength: 50,
  })
  .filter((ws) => ws.some((w) => w > 0));

describe("allocate", () => {
  it("divides exactly in examples, BigInt range included", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(allocate(10, [0, 1])).toEqual([0, 10]);
    expect(allocate(0, [3, 4])).toEqual([0, 0]);
    // total * w passes 2^53 here (10^11 * (10^11 - 1)); the first two tie at .5 and the unit left goes to the first.
    expect(allocate(MAX_AMOUNT, [MAX_AMOUNT - 1, 1, MAX_AMOUNT])).toEqual([50_000_000_000, 0, 50_000_000_000]);
    expect(allocate(MAX_AMOUNT, [1, MAX_AMOUNT - 1, MAX_AMOUNT])).toEqual([1, 49_999_999_999, 50_000_000_000]);
  });

  it("refuses non-integer, negative or all-zero input", () => {
    for (const [t, ws] of [
      [0.5, [1]],
      [Number.NaN, [1]],
      [-1, [1]],
      [10, [0.5, 1]],
      [10, [-1, 2]],
      [10, [0, 0]],
      [10, []],
      [10, [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
    ] as const) {
      expect(() => allocate(t, ws)).toThrow(RangeError);
    }
  });

  it("shares are safe integers adding up to the total, each within 1 of the exact proportion, deterministic", () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const shares = allocate(t, ws);
        expect(shares).toHaveLength(ws.length);
        expect(shares.every(Number.isSafeInteger)).toBe(true);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(t);
        const sum = BigInt(ws.reduce((a, b) => a + b, 0));
        shares.forEach((share, i) => {
          // |share - t*w/W| < 1, exactly: |share*W - t*w| < W
          const diff = BigInt(share) * sum - BigInt(t) * BigInt(ws[i] ?? 0);
          expect(diff < sum && -diff < sum).toBe(true);
        });
        expect(allocate(t, ws)).toEqual(shares);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("equal splits differ by at most 1, the extra units going to the first people", () => {
    fc.assert(
      fc.property(total, fc.integer({ min: 1, max: 50 }), (t, n) => {
        const shares = allocate(
          t,
          Array.from({ length: n }, () => 1),
        );
        const base = Math.floor(t / n);
        const extra = t - base * n;
        expect(shares).toEqual(Array.from({ length: n }, (_, i) => (i < extra ? base + 1 : base)));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
