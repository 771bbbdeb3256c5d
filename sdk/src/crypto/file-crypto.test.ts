import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { FILE_CHUNK_BYTES, FILE_CHUNK_OVERHEAD, fileCipherLength } from "../protocol/files.js";
import {
  decryptFile,
  encryptFile,
  FileCorruptError,
  type FileCorruptReason,
  type FileKeys,
  FileOpener,
  FileSealer,
} from "./file-crypto.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";

const C = FILE_CHUNK_BYTES + FILE_CHUNK_OVERHEAD;
const sodium = await loadSodium();
const b64sha = (b: Uint8Array) => toBase64Url(createHash("sha256").update(b).digest());

/** Expects opening to fail with a FileCorruptError and returns its reason. */
async function rejection(keys: FileKeys, ciphertext: Uint8Array): Promise<FileCorruptReason> {
  let plain: Uint8Array | undefined;
  try {
    plain = await decryptFile(keys, ciphertext);
  } catch (error) {
    expect(error).toBeInstanceOf(FileCorruptError);
    return (error as FileCorruptError).reason;
  }
  throw new Error(`opened a tampered file of ${plain.length} bytes`);
}

/** Seals `plain` with chosen tags per chunk, straight on libsodium (the sealer refuses to). */
function sealWithTags(plain: Uint8Array, tags: number[]): { keys: FileKeys; ciphertext: Uint8Array } {
  const key = randomBytes(32);
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts = tags.map((tag, i) =>
    sodium.crypto_secretstream_xchacha20poly1305_push(
      state,
      plain.subarray(i * FILE_CHUNK_BYTES, (i + 1) * FILE_CHUNK_BYTES),
      null,
      tag,
    ),
  );
  return {
    keys: {
      size: plain.length,
      sha256: b64sha(plain),
      key: toBase64Url(key),
      header: toBase64Url(header),
      chunkSize: FILE_CHUNK_BYTES,
    },
    ciphertext: Buffer.concat(parts),
  };
}

const chunk = (ct: Uint8Array, i: number) => ct.subarray(i * C, (i + 1) * C);

describe("file encryption round trips", () => {
  const sizes = [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 5, 5_000_000];
  for (const size of sizes) {
    it(`seals and opens ${size} bytes; the ciphertext is size + 17 per chunk`, async () => {
      const plain = randomBytes(size);
      const { ciphertext, sealed } = await encryptFile(plain);
      const chunks = Math.max(1, Math.ceil(size / FILE_CHUNK_BYTES));
      expect(ciphertext.length).toBe(size + 17 * chunks);
      expect(ciphertext.length).toBe(fileCipherLength(size));
      expect(sealed).toMatchObject({ size, chunkSize: 65_536, sha256: b64sha(plain) });
      expect(fromBase64Url(sealed.key)).toHaveLength(32);
      expect(fromBase64Url(sealed.header)).toHaveLength(24);
      expect(Buffer.from(await decryptFile(sealed, ciphertext)).equals(Buffer.from(plain))).toBe(true);
    });
  }

  it("opens a ciphertext fed in pieces of any size the same as in one piece", async () => {
    const plain = randomBytes(3 * 65_536 + 777);
    const { ciphertext, sealed } = await encryptFile(plain);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 12 }),
        async (sizes) => {
          const opener = await FileOpener.create(sealed);
          let at = 0;
          for (let i = 0; at < ciphertext.length; i++) {
            const n = sizes[i % sizes.length] ?? 1;
            opener.write(ciphertext.subarray(at, at + n));
            at += n;
          }
          expect(Buffer.from(opener.finish()).equals(Buffer.from(plain))).toBe(true);
        },
      ),
      { seed: 20261124, numRuns: 25 },
    );
  });

  it("uses a fresh key and header for every file", async () => {
    const plain = randomBytes(10);
    const a = await encryptFile(plain);
    const b = await encryptFile(plain);
    expect(a.sealed.key).not.toBe(b.sealed.key);
    expect(a.sealed.header).not.toBe(b.sealed.header);
    expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
  });

  it("opens a fixed vector (pins the format: secretstream, no associated data, one FINAL chunk)", async () => {
    const keys: FileKeys = {
      size: 14,
      sha256: b64sha(new TextEncoder().encode("Parley file v1")),
      key: toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => i)),
      header: toBase64Url(Buffer.from("8fcedf4f10fbf071e6d60baca1f59da373a5450d37eae7d6", "hex")),
      chunkSize: 65_536,
    };
    const ct = Buffer.from("e110b7d58299921dd8a27ca898465bb9bb3090a1aee905db2cff4af9ab9762", "hex");
    expect(new TextDecoder().decode(await decryptFile(keys, ct))).toBe("Parley file v1");
  });

  it("refuses to seal chunks of the wrong size or after the FINAL one", async () => {
    const sealer = await FileSealer.create();
    expect(() => sealer.push(new Uint8Array(100), false)).toThrow(RangeError);
    expect(() => sealer.push(new Uint8Array(65_537), true)).toThrow(RangeError);
    expect(() => sealer.result()).toThrow(RangeError);
    sealer.push(new Uint8Array(5), true);
    expect(() => sealer.push(new Uint8Array(5), true)).toThrow(RangeError);
    expect(sealer.result().size).toBe(5);
  });
});

describe("tampered files are rejected, with no plaintext", () => {
  const plain = randomBytes(3 * 65_536 + 5);
  const sealedOnce = encryptFile(plain);

  it("truncated: the last chunk dropped, or cut mid-chunk", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    expect(await rejection(sealed, ciphertext.subarray(0, 3 * C))).toBe("truncated");
    expect(await rejection(sealed, ciphertext.subarray(0, C + 1000))).toBe("truncated");
    expect(await rejection(sealed, ciphertext.subarray(0, ciphertext.length - 1))).toBe("truncated");
    expect(await rejection(sealed, new Uint8Array(0))).toBe("truncated");
  });

  it("reordered chunks", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    const swapped = Buffer.concat([chunk(ciphertext, 1), chunk(ciphertext, 0), ciphertext.subarray(2 * C)]);
    expect(await rejection(sealed, swapped)).toBe("auth");
  });

  it("a duplicated chunk, in place of the next one or inserted", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    const replaced = Buffer.concat([chunk(ciphertext, 0), chunk(ciphertext, 0), ciphertext.subarray(2 * C)]);
    expect(await rejection(sealed, replaced)).toBe("auth");
    const inserted = Buffer.concat([chunk(ciphertext, 0), chunk(ciphertext, 0), ciphertext.subarray(C)]);
    expect(await rejection(sealed, inserted)).toBe("auth");
  });

  it("trailing bytes after the FINAL chunk", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    expect(await rejection(sealed, Buffer.concat([ciphertext, new Uint8Array(1)]))).toBe("trailing_bytes");
    const empty = await encryptFile(new Uint8Array(0));
    expect(await rejection(empty.sealed, Buffer.concat([empty.ciphertext, empty.ciphertext]))).toBe("trailing_bytes");
  });

  it("a missing FINAL tag (the last chunk sealed as MESSAGE), and a FINAL tag too early", async () => {
    const M = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const F = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    const noFinal = sealWithTags(plain, [M, M, M, M]);
    expect(await rejection(noFinal.keys, noFinal.ciphertext)).toBe("missing_final");
    const early = sealWithTags(plain, [M, F, M, F]);
    expect(await rejection(early.keys, early.ciphertext)).toBe("early_final");
    // The same stream cut after its early FINAL, with the size adjusted to match, still fails on the hash.
    const cut = sealWithTags(plain, [M, F]);
    expect(await rejection({ ...cut.keys, size: 2 * 65_536, sha256: b64sha(plain) }, cut.ciphertext)).toBe(
      "hash_mismatch",
    );
    const push = sealWithTags(plain, [M, sodium.crypto_secretstream_xchacha20poly1305_TAG_PUSH, M, F]);
    expect(await rejection(push.keys, push.ciphertext)).toBe("bad_tag");
    // A control: the helper's well-formed stream opens.
    const good = sealWithTags(plain, [M, M, M, F]);
    expect((await decryptFile(good.keys, good.ciphertext)).length).toBe(plain.length);
  });

  it("a wrong hash", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    expect(await rejection({ ...sealed, sha256: b64sha(randomBytes(8)) }, ciphertext)).toBe("hash_mismatch");
  });

  it("size lies, bigger and smaller than the real size", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    const reasons: FileCorruptReason[] = [];
    for (const delta of [1, 16, 17, 65_536, 65_553, -1, -5, -6, -17, -65_536]) {
      reasons.push(await rejection({ ...sealed, size: sealed.size + delta }, ciphertext));
    }
    expect(new Set(reasons).size).toBeGreaterThan(1);
    const small = await encryptFile(randomBytes(10));
    for (const size of [0, 9, 11, 65_536]) await rejection({ ...small.sealed, size }, small.ciphertext);
  });

  it("every bit flip of the stream header", async () => {
    const { ciphertext, sealed } = await encryptFile(randomBytes(70_000));
    const variants = flipEveryBit(sealed.header);
    expect(variants).toHaveLength(192);
    for (const header of variants) expect(await rejection({ ...sealed, header }, ciphertext)).toBe("auth");
  });

  it("every bit flip of a small file's ciphertext, and sampled flips in every chunk of a larger one", async () => {
    const small = await encryptFile(randomBytes(40));
    for (let i = 0; i < small.ciphertext.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const ct = small.ciphertext.slice();
        ct[i] = (ct[i] ?? 0) ^ (1 << bit);
        expect(await rejection(small.sealed, ct)).toBe("auth");
      }
    }
    const { ciphertext, sealed } = await sealedOnce;
    for (const at of [0, 1, 16, 17, C - 1, C, C + 17, 2 * C + 9999, 3 * C, ciphertext.length - 1]) {
      const ct = ciphertext.slice();
      ct[at] = (ct[at] ?? 0) ^ 0x01;
      expect(await rejection(sealed, ct)).toBe("auth");
    }
  });

  it("the wrong key", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    expect(await rejection({ ...sealed, key: toBase64Url(randomBytes(32)) }, ciphertext)).toBe("auth");
  });

  it("a malformed reference, before any decryption", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    for (const bad of [
      { ...sealed, key: sealed.key.slice(1) },
      { ...sealed, header: `${sealed.header}A` },
      { ...sealed, chunkSize: 4096 },
      { ...sealed, size: -1 },
      { ...sealed, size: 1.5 },
    ]) {
      expect(await rejection(bad, ciphertext)).toBe("bad_ref");
    }
  });

  it("keeps failing once a chunk fails: no later write or finish hands out plaintext", async () => {
    const { ciphertext, sealed } = await sealedOnce;
    const opener = await FileOpener.create(sealed);
    opener.write(chunk(ciphertext, 0));
    const bad = chunk(ciphertext, 2);
    expect(() => opener.write(bad)).toThrow(FileCorruptError);
    expect(() => opener.write(chunk(ciphertext, 1))).toThrow(FileCorruptError);
    expect(() => opener.finish()).toThrow(FileCorruptError);
  });
});
