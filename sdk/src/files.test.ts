/**
 * File transfer in the SDK against a small real HTTP server standing in for
 * the gateway's two file routes (the gateway itself is tested end to end in
 * gateway/test/files.test.ts). One fake is used, and only where the real thing
 * cannot run here: a `fetch` that refuses stream bodies the way Chromium does
 * over HTTP/1.1, to drive the buffered fallback.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMessageBody, plainCodec } from "./codec.js";
import { decryptFile, encryptFile } from "./crypto/file-crypto.js";
import { ParleyError } from "./errors.js";
import { downloadFile, type FileTransport, uploadFile } from "./files.js";
import type { FileRef } from "./protocol/files.js";

const uploads = new Map<string, Buffer>();
/** What GET serves per id (tests set it), with an optional Content-Length override. */
const serving = new Map<string, { body: Uint8Array; length?: number }>();
let server: Server;
let base: string;
let counter = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers.authorization !== "Bearer t0ken") {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "unauthorized", message: "no" } }));
      return;
    }
    if (req.method === "POST") {
      const parts: Buffer[] = [];
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => {
        const id = `fb_${String(++counter).padStart(22, "0")}`;
        const body = Buffer.concat(parts);
        uploads.set(id, body);
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ id, size: body.length }));
      });
      return;
    }
    const id = new URL(req.url ?? "/", "http://x").pathname.split("/").at(-1) ?? "";
    const served = serving.get(id);
    if (!served) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "not_found", message: "no such file" } }));
      return;
    }
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": String(served.length ?? served.body.length),
    });
    res.end(served.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const transport = (fetchImpl: typeof fetch = fetch): FileTransport => ({
  fetch: fetchImpl,
  gatewayUrl: base,
  apiToken: () => "t0ken",
});

function random(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65_536)));
  return out;
}

describe("uploadFile", () => {
  it("streams the ciphertext with progress per chunk; the stored bytes open with the returned reference", async () => {
    const data = random(5 * 65_536 + 3);
    const progress: number[] = [];
    const ref = await uploadFile(
      transport(),
      "cv_1",
      { data: new Blob([data]), meta: { name: "a.bin", mime: "application/octet-stream" } },
      { onProgress: (p) => progress.push(p.sent) },
    );
    expect(progress).toEqual([0, 65_536, 2 * 65_536, 3 * 65_536, 4 * 65_536, 5 * 65_536, 5 * 65_536 + 3]);
    const stored = uploads.get(ref.id);
    expect(stored?.length).toBe(data.length + 6 * 17);
    expect(Buffer.from(await decryptFile(ref, stored ?? new Uint8Array())).equals(Buffer.from(data))).toBe(true);
  });

  it("falls back to a buffered body where the platform refuses streamed ones, and remembers it", async () => {
    let streamedAttempts = 0;
    // Chromium over HTTP/1.1 rejects a ReadableStream body with a TypeError; Node cannot be made to.
    const chromiumLike: typeof fetch = async (input, init) => {
      if (init?.body instanceof ReadableStream) {
        streamedAttempts++;
        throw new TypeError("Failed to fetch");
      }
      return fetch(input, init);
    };
    const t = transport(chromiumLike);
    for (const size of [0, 200_000]) {
      const data = random(size);
      const progress: number[] = [];
      const ref = await uploadFile(
        t,
        "cv_1",
        { data, meta: { name: "b.bin", mime: "application/octet-stream" } },
        { onProgress: (p) => progress.push(p.sent) },
      );
      expect(progress).toEqual(size === 0 ? [0] : [0, size]);
      const stored = uploads.get(ref.id) ?? new Uint8Array();
      expect(Buffer.from(await decryptFile(ref, stored)).equals(Buffer.from(data))).toBe(true);
    }
    expect(streamedAttempts).toBe(1);
    expect(t.streamingUploads).toBe(false);
  });

  it("refuses bad metadata before uploading anything", async () => {
    const before = uploads.size;
    for (const meta of [
      { name: "x".repeat(256), mime: "text/plain" },
      { name: "a", mime: "m".repeat(128) },
      { name: "a", mime: "image/png", image: { width: 0, height: 10 } },
      { name: "a", mime: "image/png", image: { width: 1.5, height: 10 } },
    ]) {
      await expect(uploadFile(transport(), "cv_1", { data: new Uint8Array(3), meta })).rejects.toMatchObject({
        code: "bad_request",
      });
    }
    expect(uploads.size).toBe(before);
  });

  it("passes the gateway's error code through", async () => {
    const t = { ...transport(), apiToken: () => "wrong" };
    await expect(
      uploadFile(t, "cv_1", { data: new Uint8Array(3), meta: { name: "a", mime: "b" } }),
    ).rejects.toMatchObject({ code: "unauthorized" });
  });
});

describe("downloadFile", () => {
  const serve = async (size: number) => {
    const plain = random(size);
    const { ciphertext, sealed } = await encryptFile(plain);
    const ref: FileRef = { id: `fb_${String(++counter).padStart(22, "0")}`, name: "f", mime: "x/y", ...sealed };
    serving.set(ref.id, { body: ciphertext });
    return { plain, ciphertext, ref };
  };

  it("returns the verified plaintext with progress ending at the size", async () => {
    const { plain, ref } = await serve(3 * 65_536 + 100);
    const seen: number[] = [];
    const got = await downloadFile(transport(), "cv_1", ref, { onProgress: (p) => seen.push(p.received) });
    expect(Buffer.from(got).equals(Buffer.from(plain))).toBe(true);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(plain.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("rejects with file_corrupt when the gateway serves another file's bytes, a wrong length, or damaged bytes", async () => {
    const a = await serve(70_000);
    const b = await serve(70_000);
    serving.set(a.ref.id, { body: b.ciphertext });
    await expect(downloadFile(transport(), "cv_1", a.ref)).rejects.toMatchObject({ code: "file_corrupt" });

    const c = await serve(1000);
    serving.set(c.ref.id, { body: c.ciphertext.subarray(0, 500), length: 500 });
    await expect(downloadFile(transport(), "cv_1", c.ref)).rejects.toMatchObject({ code: "file_corrupt" });

    const d = await serve(1000);
    const damaged = d.ciphertext.slice();
    damaged[40] = (damaged[40] ?? 0) ^ 0x80;
    serving.set(d.ref.id, { body: damaged });
    const error = await downloadFile(transport(), "cv_1", d.ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyError);
    expect((error as ParleyError).code).toBe("file_corrupt");
  });

  it("rejects a malformed reference before any request, and passes not_found through", async () => {
    const { ref } = await serve(10);
    for (const bad of [
      { ...ref, id: "../../etc/passwd" },
      { ...ref, key: "short" },
      { ...ref, chunkSize: 1 },
    ]) {
      await expect(downloadFile(transport(), "cv_1", bad)).rejects.toMatchObject({ code: "file_corrupt" });
    }
    await expect(downloadFile(transport(), "cv_1", { ...ref, id: "fb_zzzzzzzzzzzzzzzzzzzzzz" })).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("file message bodies", () => {
  const ref: FileRef = {
    id: "fb_AAAAAAAAAAAAAAAAAAAAAA",
    name: "photo.png",
    mime: "image/png",
    size: 12,
    sha256: "A".repeat(43),
    key: "B".repeat(43),
    header: "C".repeat(32),
    chunkSize: 65_536,
    image: { width: 640, height: 480 },
  };

  it("round-trip through a codec, caption included", async () => {
    const body = { type: "file", file: ref, caption: "look" } as const;
    const envelope = await plainCodec.seal(
      { v: 1, convId: "c", epoch: 0, msgId: "m_AAAAAAAAAAAAAAAAAAAAAA", senderDevice: "d", ts: 1 },
      body,
    );
    expect(await plainCodec.open(envelope)).toEqual(body);
  });

  it("are refused when any field is out of shape", () => {
    const bad: unknown[] = [
      { ...ref, id: "fb_../../../../etc/passwd" },
      { ...ref, id: 7 },
      { ...ref, key: "B".repeat(42) },
      { ...ref, header: "C".repeat(43) },
      { ...ref, sha256: `${"A".repeat(42)}+` },
      { ...ref, size: -1 },
      { ...ref, size: 2 ** 31 },
      { ...ref, chunkSize: 1024 },
      { ...ref, name: "n".repeat(256) },
      { ...ref, image: { width: 1, height: 1, src: "javascript:alert(1)" } },
      { ...ref, image: { width: -1, height: 1 } },
      { ...ref, extra: "field" },
      null,
      [],
    ];
    for (const file of bad) expect(() => parseMessageBody({ type: "file", file })).toThrow(TypeError);
    expect(() => parseMessageBody({ type: "file", file: ref, caption: 5 })).toThrow(TypeError);
    expect(() => parseMessageBody({ type: "file", file: ref, caption: "c".repeat(4001) })).toThrow(TypeError);
    const { image: _image, ...noImage } = ref;
    expect(parseMessageBody({ type: "file", file: noImage })).toEqual({ type: "file", file: noImage });
  });
});
