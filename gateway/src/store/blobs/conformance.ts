/**
 * The blob store conformance suite: both adapters run it against the real
 * thing (fs.test.ts on a temp directory, gridfs.test.ts on FerretDB or the
 * MongoDB that MONGODB_URI names), and a fixture hook counts what is really
 * stored, so "nothing left behind" is checked on the raw storage.
 */
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type BlobStore, BlobTooLargeError, newBlobId } from "./port.js";

export interface BlobStoreFixture {
  /** A fresh, initialized store holding no blobs. */
  blobs: BlobStore;
  /** How many things the raw storage holds: files (temp files included), or GridFS and pending documents. */
  residue(): Promise<number>;
  /** Opens another initialized store on the same data (it runs `init` again); the suite closes it. */
  reopen(): Promise<BlobStore>;
  /**
   * Leaves, in the raw storage, what a gateway killed mid-upload leaves,
   * dated old enough for `init` to clear it.
   */
  leaveDeadUpload(): Promise<void>;
  /** Closes the store and removes the data. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Feeds `data` in uneven pieces, as a network would. */
async function* pieces(data: Uint8Array, fail?: { after: number; error: Error }): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const n = [1, 7000, 65_536, 100_003, 333][i++ % 5] ?? 1;
    if (fail && at >= fail.after) throw fail.error;
    yield data.subarray(at, at + n);
    at += n;
  }
  if (fail) throw fail.error;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

const meta = (maxBytes = 10_000_000) => ({
  id: newBlobId(),
  convId: "cv_conformance",
  uploader: "p_uploader",
  maxBytes,
});

export function describeBlobStoreConformance(name: string, makeFixture: () => Promise<BlobStoreFixture>): void {
  describe(`${name} (blob store conformance)`, () => {
    const withFixture = (test: (f: BlobStoreFixture) => Promise<void>) => async () => {
      const fixture = await makeFixture();
      try {
        await test(fixture);
      } finally {
        await fixture[Symbol.asyncDispose]();
      }
    };

    it(
      "stores and serves blobs of 0 B, 1 B, 64 KiB + 17 and 1 MB byte for byte, with their conversation and uploader",
      withFixture(async ({ blobs }) => {
        for (const size of [0, 1, 65_553, 1_000_000]) {
          const data = randomBytes(size);
          const options = meta();
          const info = await blobs.put(pieces(data), options);
          expect(info).toMatchObject({ id: options.id, convId: "cv_conformance", uploader: "p_uploader", size });
          expect(await blobs.stat(options.id)).toMatchObject({ id: options.id, convId: "cv_conformance", size });
          const opened = await blobs.open(options.id);
          expect(opened?.info.size).toBe(size);
          expect((await readAll(opened?.stream as Readable)).equals(data)).toBe(true);
        }
      }),
    );

    it(
      "answers undefined for unknown and malformed ids, and never writes under a malformed one",
      withFixture(async ({ blobs, residue }) => {
        const before = await residue();
        expect(await blobs.stat(newBlobId())).toBeUndefined();
        expect(await blobs.open(newBlobId())).toBeUndefined();
        expect(await blobs.delete(newBlobId())).toBe(false);
        const malformed = [
          "",
          "..",
          "../../etc/passwd",
          "fb_../../../../tmp/xxxxxxxxx",
          "fb_AAAAAAAAAAAAAAAAAAAA/A",
          "fb_AAAAAAAAAAAAAAAAAAAAA",
          "fb_AAAAAAAAAAAAAAAAAAAAAAA",
          "FB_AAAAAAAAAAAAAAAAAAAAAA",
          "fb_AAAAAAAAAAAAAAAAAAAAA\u0000",
          "fb_AAAAAAAAAAAAAAAAAAAA.A",
          { $gt: "" } as unknown as string,
        ];
        for (const id of malformed) {
          expect(await blobs.stat(id)).toBeUndefined();
          expect(await blobs.open(id)).toBeUndefined();
          expect(await blobs.delete(id)).toBe(false);
          await expect(blobs.put(pieces(randomBytes(10)), { ...meta(), id })).rejects.toThrow(TypeError);
        }
        expect(await residue()).toBe(before);
      }),
    );

    it(
      "refuses a blob past maxBytes with BlobTooLargeError and keeps nothing; exactly maxBytes is fine",
      withFixture(async ({ blobs, residue }) => {
        const before = await residue();
        const options = meta(300_000);
        await expect(blobs.put(pieces(randomBytes(300_001)), options)).rejects.toBeInstanceOf(BlobTooLargeError);
        await expect(blobs.put(pieces(randomBytes(900_000)), meta(300_000))).rejects.toBeInstanceOf(BlobTooLargeError);
        expect(await blobs.stat(options.id)).toBeUndefined();
        expect(await residue()).toBe(before);
        const exact = meta(300_000);
        await blobs.put(pieces(randomBytes(300_000)), exact);
        expect((await blobs.stat(exact.id))?.size).toBe(300_000);
      }),
    );

    it(
      "keeps nothing when the source fails mid-upload (a client gone)",
      withFixture(async ({ blobs, residue }) => {
        const before = await residue();
        const options = meta();
        const error = new Error("client went away");
        await expect(blobs.put(pieces(randomBytes(800_000), { after: 500_000, error }), options)).rejects.toBe(error);
        expect(await blobs.stat(options.id)).toBeUndefined();
        expect(await blobs.open(options.id)).toBeUndefined();
        expect(await residue()).toBe(before);
      }),
    );

    it(
      "deletes a blob and everything it stored",
      withFixture(async ({ blobs, residue }) => {
        const before = await residue();
        const options = meta();
        await blobs.put(pieces(randomBytes(600_000)), options);
        expect(await residue()).toBeGreaterThan(before);
        expect(await blobs.delete(options.id)).toBe(true);
        expect(await blobs.stat(options.id)).toBeUndefined();
        expect(await residue()).toBe(before);
      }),
    );

    it(
      "claims a blob for its own conversation only, lists unclaimed old ones and by conversation, deletes once",
      withFixture(async ({ blobs, residue }) => {
        const before = await residue();
        const [a, b, c] = [meta(), meta(), { ...meta(), convId: "cv_other", shopId: "shop_x" }];
        for (const options of [a, b, c]) await blobs.put(pieces(randomBytes(1000)), options);
        expect(await blobs.claim(a.id, "cv_other")).toBe(false);
        expect(await blobs.claim(newBlobId(), "cv_conformance")).toBe(false);
        expect(await blobs.claim("../x", "cv_conformance")).toBe(false);
        expect(await blobs.claim(a.id, "cv_conformance")).toBe(true);
        expect(await blobs.claim(a.id, "cv_conformance")).toBe(true);
        expect(await blobs.stat(a.id)).toMatchObject({ claimed: true, size: 1000 });
        expect((await blobs.stat(b.id))?.claimed).toBeUndefined();
        expect(await blobs.stat(c.id)).toMatchObject({ shopId: "shop_x" });
        const later = Date.now() + 60_000;
        const unclaimed = await blobs.list({ unclaimedBefore: later }, 100);
        expect(unclaimed.map((i) => i.id).sort()).toEqual([b.id, c.id].sort());
        expect(await blobs.list({ unclaimedBefore: Date.now() - 60_000 }, 100)).toEqual([]);
        expect((await blobs.list({ convId: "cv_other" }, 100)).map((i) => i.id)).toEqual([c.id]);
        expect(await blobs.list({ convId: "cv_conformance" }, 1)).toHaveLength(1);
        const deletes = await Promise.all([blobs.delete(b.id), blobs.delete(b.id), blobs.delete(b.id)]);
        expect(deletes.filter(Boolean)).toHaveLength(1);
        expect(await blobs.claim(b.id, "cv_conformance")).toBe(false);
        expect(await blobs.stat(b.id)).toBeUndefined();
        await blobs.delete(a.id);
        await blobs.delete(c.id);
        expect(await residue()).toBe(before);
      }),
    );

    it(
      "keeps blobs across a restart, stores concurrent uploads apart, and clears dead uploads at init",
      withFixture(async ({ blobs, residue, reopen, leaveDeadUpload }) => {
        const datas = [randomBytes(70_000), randomBytes(300_000), randomBytes(5), randomBytes(0)];
        const ids = datas.map(() => newBlobId());
        await Promise.all(datas.map((d, i) => blobs.put(pieces(d), { ...meta(), id: ids[i] ?? "" })));
        const stored = await residue();
        await leaveDeadUpload();
        expect(await residue()).toBeGreaterThan(stored);
        await blobs.close();
        const again = await reopen();
        try {
          expect(await residue()).toBe(stored);
          for (const [i, id] of ids.entries()) {
            const opened = await again.open(id);
            expect((await readAll(opened?.stream as Readable)).equals(datas[i] ?? Buffer.alloc(1))).toBe(true);
          }
        } finally {
          await again.close();
        }
      }),
    );
  });
}
