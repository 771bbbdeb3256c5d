import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBytes } from "./random.js";
import { Sha256, sha256 } from "./sha256.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nodeHash = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("Sha256", () => {
  it("matches the FIPS 180-4 examples", () => {
    const enc = new TextEncoder();
    expect(hex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(sha256(enc.encode("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex(sha256(enc.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("agrees with node:crypto for every length around the block and padding edges", () => {
    const data = randomBytes(200);
    for (let n = 0; n <= 200; n++) expect(hex(sha256(data.subarray(0, n)))).toBe(nodeHash(data.subarray(0, n)));
  });

  it("gives the same digest however the input is split", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 8 }), (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const h = new Sha256();
        let at = 0;
        for (const p of [...points, data.length]) {
          h.update(data.subarray(at, p));
          at = p;
        }
        expect(hex(h.digest())).toBe(nodeHash(data));
      }),
      { seed: 20261124, numRuns: 200 },
    );
  });

  it("hashes a 5 MB buffer fed in 64 KiB pieces like node:crypto", () => {
    const data = randomBytes(5_000_000);
    const h = new Sha256();
    for (let i = 0; i < data.length; i += 65_536) h.update(data.subarray(i, i + 65_536));
    expect(hex(h.digest())).toBe(nodeHash(data));
  });

  it("refuses to be used after the digest", () => {
    const h = new Sha256().update(new Uint8Array(3));
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});
