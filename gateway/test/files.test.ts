/**
 * Encrypted files through the real stack, on both stores: the embedded one
 * (blobs as files on disk) and MongoDB (GridFS; FerretDB here, or the MongoDB
 * that MONGODB_URI names). A customer with end-to-end encryption uploads files
 * of several sizes and the agent downloads the same bytes; the gateway refuses
 * strangers, oversize and rate-busting uploads without storing anything, an
 * upload cut off mid-body leaves nothing behind, and a blob damaged at rest is
 * refused by the receiver as `file_corrupt`. Each check on "nothing stored"
 * counts the raw storage (files, or GridFS and pending documents).
 */

import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { type ClientEvents, type FileRef, type ParleyClient, ParleyError } from "@parley/sdk";
import { fileCipherLength, type SessionResponse } from "@parley/sdk/protocol";
import { Binary, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

const MAX_FILE_BYTES = 25 * 1024 * 1024;

/** Raw access to where the blobs live, bypassing the gateway. */
interface BlobProbe {
  /** Files (temp files included), or GridFS and pending documents. */
  residue(): Promise<number>;
  /** Flips one byte of a stored blob's ciphertext. */
  flipByte(id: string, at: number): Promise<void>;
  /** Every stored byte, for the canary scan. */
  dump(): Promise<Buffer>;
  close(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

function fsProbe(dir: string): BlobProbe {
  return {
    residue: async () => (await filesUnder(dir)).length,
    async flipByte(id, at) {
      const path = join(dir, `${id}.bin`);
      const bytes = await readFile(path);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await writeFile(path, bytes);
    },
    dump: async () => Buffer.concat(await Promise.all((await filesUnder(dir)).map((f) => readFile(f)))),
    close: async () => undefined,
  };
}

function gridFsProbe(uri: string, dbName: string): BlobProbe {
  const client = new MongoClient(uri);
  const db = client.db(dbName);
  const names = ["blobs.files", "blobs.chunks", "blobs.pending"];
  return {
    async residue() {
      let n = 0;
      for (const name of names) n += await db.collection(name).countDocuments({});
      return n;
    },
    async flipByte(id, at) {
      const chunks = db.collection<{ files_id: string; n: number; data: Binary }>("blobs.chunks");
      const chunk = await chunks.findOne({ files_id: id, n: 0 });
      if (!chunk) throw new Error(`no chunk 0 for ${id}`);
      const data = Buffer.from(chunk.data.buffer);
      data[at] = (data[at] ?? 0) ^ 0x01;
      await chunks.updateOne({ _id: chunk._id }, { $set: { data: new Binary(data) } });
    },
    async dump() {
      const parts: Buffer[] = [];
      for (const name of names) {
        for (const doc of await db.collection(name).find({}).toArray()) {
          const data = (doc as { data?: { buffer?: Uint8Array } }).data?.buffer;
          parts.push(Buffer.from(JSON.stringify(doc)));
          if (data) parts.push(Buffer.from(data));
        }
      }
      return Buffer.concat(parts);
    },
    close: () => client.close(),
  };
}

interface FilesEnv {
  stack: TestStack;
  probe: BlobProbe;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A session's API token, opened over HTTP like a browser would, for raw calls. */
async function apiToken(stack: TestStack, customerSub: string): Promise<string> {
  const res = await fetch(`${stack.url}/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ shopId: SHOP_ID, token: await stack.customerToken(customerSub, customerSub) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as SessionResponse).apiToken;
}

/** A raw upload over node:http, so a test can cut the body short or stream it without a length. */
function rawUpload(
  url: string,
  options: { token: string; convId: string; contentLength?: number },
): { req: ReturnType<typeof httpRequest>; response: Promise<{ status: number; body: string }> } {
  const req = httpRequest(`${url}/v1/files?convId=${options.convId}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${options.token}`,
      "content-type": "application/octet-stream",
      ...(options.contentLength === undefined ? {} : { "content-length": String(options.contentLength) }),
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  return { req, response };
}

function describeFiles(name: string, open: () => Promise<FilesEnv>): void {
  describe(`encrypted files through the gateway: ${name}`, () => {
    let env: FilesEnv;
    let stack: TestStack;
    let agent: ParleyClient;
    let customer: ParleyClient;
    let convId: string;
    let ownerToken: string;
    const clients: ParleyClient[] = [];

    beforeAll(async () => {
      env = await open();
      stack = env.stack;
      agent = stack.agent({ encryption: true });
      clients.push(agent);
      await agent.connect();
      customer = stack.customer("files-owner", { encryption: true });
      clients.push(customer);
      await customer.connect();
      convId = (await customer.openConversation()).id;
      ownerToken = await apiToken(stack, "files-owner");
    });
    afterAll(async () => {
      for (const c of clients) await c.close().catch(() => undefined);
      await env?.[Symbol.asyncDispose]();
    });

    /** The agent's copy of a file message, once it has arrived and decrypted. */
    const agentsRef = (msgId: string) =>
      waitFor(() => {
        const m = agent.conversation(convId).value.messages.find((x) => x.msgId === msgId);
        return m?.body?.type === "file" ? m.body.file : undefined;
      }, `the agent to decrypt file message ${msgId}`);

    const sendRandom = async (size: number, asBlob = false) => {
      const bytes = randomBig(size);
      const sent = await customer.sendFile(convId, asBlob ? new Blob([bytes]) : bytes, {
        name: `file-${size}.bin`,
        mime: "application/octet-stream",
      });
      if (sent.body?.type !== "file") throw new Error("not a file message");
      return { bytes, ref: sent.body.file, msgId: sent.msgId };
    };

    it("carries files of 0 B, 1 B, 64 KiB, 64 KiB + 1 and 3 MB from customer to agent byte for byte, with monotonic progress", async () => {
      const sizes = [0, 1, 65_536, 65_537, 3_000_000];
      for (const [i, size] of sizes.entries()) {
        const bytes = randomBig(size);
        const onProgress: { sent: number; total: number }[] = [];
        const events: ClientEvents["upload-progress"][] = [];
        const off = customer.on("upload-progress", (e) => events.push(e));
        const sent = await customer.sendFile(
          convId,
          i % 2 === 0 ? new Blob([bytes]) : bytes,
          { name: `report-${size}.pdf`, mime: "application/pdf", caption: `size ${size}` },
          { onProgress: (p) => onProgress.push(p) },
        );
        off();
        expect(sent.body?.type).toBe("file");
        if (sent.body?.type !== "file") return;
        expect(sent.body.caption).toBe(`size ${size}`);
        const ref = sent.body.file;
        expect(ref).toMatchObject({ size, name: `report-${size}.pdf`, mime: "application/pdf", chunkSize: 65_536 });

        // Progress: never decreasing, ending at the file's size; the events end with done.
        expect(onProgress.length).toBeGreaterThan(0);
        for (let k = 1; k < onProgress.length; k++) {
          expect(onProgress[k]?.sent).toBeGreaterThanOrEqual(onProgress[k - 1]?.sent ?? 0);
        }
        expect(onProgress.at(-1)).toEqual({ sent: size, total: size });
        expect(events.every((e) => e.conversationId === convId && e.name === `report-${size}.pdf`)).toBe(true);
        expect(new Set(events.map((e) => e.uploadId)).size).toBe(1);
        for (let k = 1; k < events.length; k++) {
          expect(events[k]?.sent).toBeGreaterThanOrEqual(events[k - 1]?.sent ?? 0);
        }
        expect(events.at(-1)).toMatchObject({ sent: size, total: size, done: true });
        expect(events.filter((e) => e.done)).toHaveLength(1);
        if (size >= 3_000_000) expect(onProgress.length).toBeGreaterThan(10);

        // The gateway holds ciphertext of the exact length; the message carrying the key is sealed.
        const info = await stack.gateway.blobs.stat(ref.id);
        expect(info).toMatchObject({ convId, uploader: customer.principal.id, size: fileCipherLength(size) });
        const stored = (await stack.gateway.store.since(convId, 0, 100)).find((m) => m.msgId === sent.msgId);
        expect(stored?.envelope.alg).toBe("xc20p-ed25519");
        expect(JSON.stringify(stored)).not.toContain(ref.key);

        const theirs = await agentsRef(sent.msgId);
        expect(theirs).toEqual(ref);
        const received: { received: number; total: number }[] = [];
        const plain = await agent.downloadFile(convId, theirs, { onProgress: (p) => received.push(p) });
        expect(Buffer.from(plain).equals(Buffer.from(bytes))).toBe(true);
        for (let k = 1; k < received.length; k++) {
          expect(received[k]?.received).toBeGreaterThan(received[k - 1]?.received ?? -1);
        }
        expect(received.at(-1)).toEqual({ received: size, total: size });
      }
    });

    it("serves a blob as an opaque attachment: octet-stream, attachment named by id, nosniff, private no-store, exact length", async () => {
      const { ref } = await sendRandom(70_000);
      const res = await fetch(`${stack.url}/v1/files/${ref.id}?convId=${convId}`, {
        headers: { authorization: `Bearer ${ownerToken}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/octet-stream");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${ref.id}.bin"`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("content-length")).toBe(String(fileCipherLength(70_000)));
      const body = new Uint8Array(await res.arrayBuffer());
      expect(body.length).toBe(fileCipherLength(70_000));
      expect(res.headers.get("content-disposition")).not.toContain("file-70000");
    });

    it("answers 404 to a non-member's download and upload, and stores nothing", async (ctx) => {
      const row = asAttack(ctx, {
        area: "uploads",
        attack: `non-member downloads and uploads a conversation's file; path traversal in the blob id (${stack.gateway.store.kind})`,
        expected: "404, nothing stored; 400",
      });
      const { ref } = await sendRandom(1000);
      const stranger = stack.customer("files-stranger", { encryption: true });
      clients.push(stranger);
      await stranger.connect();
      const own = await stranger.openConversation();
      const token = await apiToken(stack, "files-stranger");
      const before = await env.probe.residue();

      for (const asConv of [convId, own.id]) {
        const res = await fetch(`${stack.url}/v1/files/${ref.id}?convId=${asConv}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(404);
        expect((await res.json()).error.code).toBe("not_found");
      }
      await expect(stranger.downloadFile(convId, ref)).rejects.toMatchObject({ code: "not_found" });
      await expect(stranger.downloadFile(own.id, ref)).rejects.toMatchObject({ code: "not_found" });

      const up = await fetch(`${stack.url}/v1/files?convId=${convId}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
        body: new Uint8Array(5000),
      });
      expect(up.status).toBe(404);
      expect((await up.json()).error.code).toBe("not_found");
      await expect(
        stranger.sendFile(convId, new Uint8Array(100), { name: "x", mime: "text/plain" }),
      ).rejects.toMatchObject({ code: "not_found" });
      expect(await env.probe.residue()).toBe(before);

      // No token, or someone else's file id shape: refused before anything is looked up.
      expect((await fetch(`${stack.url}/v1/files/${ref.id}?convId=${convId}`)).status).toBe(401);
      const bad = await fetch(`${stack.url}/v1/files/..%2F..%2Fparley.sqlite?convId=${convId}`, {
        headers: { authorization: `Bearer ${ownerToken}` },
      });
      expect(bad.status).toBe(400);
      row.observed("download 404, upload 404, nothing stored, traversal 400");
    });

    it("refuses uploads over the limit with 413 too_large, declared or streamed, and stores nothing", async (ctx) => {
      const row = asAttack(ctx, {
        area: "uploads",
        attack: `oversize upload, declared and streamed (${stack.gateway.store.kind})`,
        expected: "413 too_large, nothing stored",
      });
      const before = await env.probe.residue();
      // Declared too big: answered before the body is read (the client has sent only 64 KiB of it).
      const declared = rawUpload(stack.url, { token: ownerToken, convId, contentLength: MAX_FILE_BYTES + 1 });
      declared.req.write(Buffer.alloc(65_536));
      const early = await declared.response;
      declared.req.destroy();
      expect(early.status).toBe(413);
      expect(JSON.parse(early.body).error.code).toBe("too_large");

      // No length given: counted while streaming, refused once past the limit.
      const streamed = rawUpload(stack.url, { token: ownerToken, convId });
      const piece = Buffer.alloc(1024 * 1024);
      let written = 0;
      const writing = (async () => {
        while (written <= MAX_FILE_BYTES + piece.length && !streamed.req.destroyed) {
          if (!streamed.req.write(piece)) await new Promise((r) => streamed.req.once("drain", r));
          written += piece.length;
        }
        streamed.req.end();
      })().catch(() => undefined);
      const late = await streamed.response;
      streamed.req.destroy();
      await writing;
      expect(late.status).toBe(413);
      expect(JSON.parse(late.body).error.code).toBe("too_large");
      expect(written).toBeGreaterThan(MAX_FILE_BYTES);

      // Through the SDK: a file whose ciphertext is one byte over.
      const over = new Uint8Array(MAX_FILE_BYTES - 17 * 400 + 1);
      expect(fileCipherLength(over.length)).toBeGreaterThan(MAX_FILE_BYTES);
      const error = await customer.sendFile(convId, over, { name: "big", mime: "x/y" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ParleyError);
      expect((error as ParleyError).code).toBe("too_large");

      await waitFor(async () => (await env.probe.residue()) === before, "nothing stored after the refusals");
      row.observed(`413 declared and after ${written} bytes streamed, nothing stored`);
    });

    it("leaves no blob behind when the client drops the connection mid-upload", async () => {
      const before = await env.probe.residue();
      const cut = rawUpload(stack.url, { token: ownerToken, convId, contentLength: 3_000_000 });
      cut.response.catch(() => undefined);
      for (let i = 0; i < 16; i++) cut.req.write(Buffer.alloc(65_536, i));
      // The gateway has started writing (a temp file, or GridFS chunks and a pending note) before the cut.
      await waitFor(async () => (await env.probe.residue()) > before, "the upload to reach the blob store");
      cut.req.destroy();
      await waitFor(async () => (await env.probe.residue()) === before, "the interrupted upload to be cleared");
    });

    it("rejects a blob damaged at rest (one flipped byte) with file_corrupt and no plaintext", async (ctx) => {
      const row = asAttack(ctx, {
        area: "uploads",
        attack: `flipped byte at rest; reference lying about size or hash (${stack.gateway.store.kind})`,
        expected: "file_corrupt, no plaintext",
      });
      const { ref, msgId } = await sendRandom(200_000);
      const theirs = await agentsRef(msgId);
      await env.probe.flipByte(ref.id, 70_000);
      const error = await agent.downloadFile(convId, theirs).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ParleyError);
      expect((error as ParleyError).code).toBe("file_corrupt");

      // A reference lying about the size or hash is refused too, before or after the bytes arrive.
      const fresh = await sendRandom(5000);
      for (const lie of [{ size: 4999 }, { size: 5001 }, { sha256: ref.sha256 }] satisfies Partial<FileRef>[]) {
        await expect(agent.downloadFile(convId, { ...fresh.ref, ...lie })).rejects.toMatchObject({
          code: "file_corrupt",
        });
      }
      expect(Buffer.from(await agent.downloadFile(convId, fresh.ref)).equals(Buffer.from(fresh.bytes))).toBe(true);
      row.observed("1 flipped byte and 3 lies: file_corrupt");
    });

    it("leaves no canary of an encrypted file in the blob store, the message store or the logs; a plaintext control is found", async () => {
      const canary = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;
      const control = `CONTROL${crypto.randomUUID().replace(/-/g, "")}`;
      // About 200 KB: several secretstream chunks and, on GridFS, more than one GridFS chunk.
      const bytes = new TextEncoder().encode(`${canary} `.repeat(5000));
      await customer.sendFile(convId, bytes, { name: `${canary}.txt`, mime: "text/plain", caption: canary });
      // The control goes up without encryption: the same scan must find it, or the scan proves nothing.
      const res = await fetch(`${stack.url}/v1/files?convId=${convId}`, {
        method: "POST",
        headers: { authorization: `Bearer ${ownerToken}`, "content-type": "application/octet-stream" },
        body: new TextEncoder().encode(`${control} `.repeat(100)),
      });
      expect(res.status).toBe(201);
      const blobs = (await env.probe.dump()).toString("latin1");
      const messages = JSON.stringify(await stack.gateway.store.since(convId, 0, 1000));
      const found = {
        blobs: blobs.split(canary).length - 1,
        store: messages.split(canary).length - 1,
        logs: stack.logs().split(canary).length - 1,
      };
      console.log(
        `${name}: canary found ${JSON.stringify(found)} in ${blobs.length} blob bytes; control found ${blobs.split(control).length - 1} times`,
      );
      expect(blobs.split(control).length - 1).toBe(100);
      expect(found).toEqual({ blobs: 0, store: 0, logs: 0 });
    });

    it("limits uploads per principal (429 rate_limited past the limit)", async () => {
      const limited = stack.customer("files-flood", { encryption: true });
      clients.push(limited);
      await limited.connect();
      const own = (await limited.openConversation()).id;
      const token = await apiToken(stack, "files-flood");
      const statuses: number[] = [];
      for (let i = 0; i < stack.config.uploadRatePerMinute + 2; i++) {
        const res = await fetch(`${stack.url}/v1/files?convId=${own}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
          body: new Uint8Array(17),
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      expect(statuses.slice(0, stack.config.uploadRatePerMinute).every((s) => s === 201)).toBe(true);
      expect(statuses.slice(stack.config.uploadRatePerMinute)).toEqual([429, 429]);
    });
  });
}

/** Random bytes of any size (getRandomValues fills at most 64 KiB per call). */
function randomBig(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65_536)));
  return out;
}

describeFiles("embedded store, blobs on disk", async () => {
  const stack = await startStack();
  expect((await stat(stack.config.blobDir)).isDirectory()).toBe(true);
  const probe = fsProbe(stack.config.blobDir);
  return {
    stack,
    probe,
    async [Symbol.asyncDispose]() {
      await probe.close();
      await stack[Symbol.asyncDispose]();
    },
  };
});

let mongo: MongoForTests | undefined;
describeFiles("MongoDB store, blobs in GridFS", async () => {
  mongo = await mongoForTests();
  const stack = await startStack({ mongo: { uri: mongo.uri, dbName: mongo.dbName } });
  expect(stack.gateway.blobs.kind).toBe("gridfs");
  const probe = gridFsProbe(mongo.uri, mongo.dbName);
  return {
    stack,
    probe,
    async [Symbol.asyncDispose]() {
      await probe.close();
      await stack[Symbol.asyncDispose]();
      await mongo?.[Symbol.asyncDispose]();
    },
  };
});
