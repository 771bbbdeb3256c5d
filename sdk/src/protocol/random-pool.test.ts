import { describe, expect, it } from "vitest";
import { randomId } from "./ids.js";
import { MAX_PUBLIC_RANDOM_BYTES, publicRandomBytes, RANDOM_POOL_BYTES, RandomPool } from "./random-pool.js";

/** A fill that writes a running counter, so every byte a pool hands out says where it came from. */
function countingFill() {
  let next = 0;
  let calls = 0;
  return {
    fill: (block: Uint8Array) => {
      calls++;
      for (let i = 0; i < block.length; i++) block[i] = next++ & 0xff;
    },
    calls: () => calls,
  };
}

describe("RandomPool", () => {
  it("hands every byte of a block out once, in order, and refills when a take does not fit", () => {
    const source = countingFill();
    const pool = new RandomPool(source.fill, 64);
    const taken: number[] = [];
    // 24-byte takes (nonces): two fit in 64 bytes, the third needs a new block; the 16 left over are skipped.
    for (let i = 0; i < 5; i++) taken.push(...pool.take(24));
    expect(source.calls()).toBe(3);
    const expected = [
      ...Array.from({ length: 48 }, (_, i) => i),
      ...Array.from({ length: 48 }, (_, i) => 64 + i),
      ...Array.from({ length: 24 }, (_, i) => 128 + i),
    ];
    expect(taken).toEqual(expected);
    expect(new Set(taken).size).toBe(taken.length);
  });

  it("gives copies: changing a taken value changes neither the pool nor later takes", () => {
    const source = countingFill();
    const pool = new RandomPool(source.fill, 64);
    const first = pool.take(8);
    first.fill(0xaa);
    expect([...pool.take(8)]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it("refuses lengths past the limit or not a non-negative integer", () => {
    const pool = new RandomPool();
    for (const n of [-1, 1.5, Number.NaN, MAX_PUBLIC_RANDOM_BYTES + 1]) expect(() => pool.take(n)).toThrow(RangeError);
    expect(pool.take(0)).toHaveLength(0);
  });
});

describe("publicRandomBytes", () => {
  it("never repeats a value across many blocks of the platform CSPRNG", () => {
    const seen = new Set<string>();
    const takes = Math.ceil((4 * RANDOM_POOL_BYTES) / 24);
    for (let i = 0; i < takes; i++) seen.add(publicRandomBytes(24).join(","));
    expect(seen.size).toBe(takes);
    const ids = new Set(Array.from({ length: 2_000 }, () => randomId()));
    expect(ids.size).toBe(2_000);
  });
});
