/**
 * Blobs as files, for the embedded store: `<dir>/<id>.bin` holds the
 * ciphertext and `<dir>/<id>.json` its record. A write goes to `<dir>/tmp/`
 * first and is renamed into place only when complete (data first, record
 * last: the record is the commit point), so a reader never sees a partial
 * blob. Ids are checked against the blob id pattern before they touch a path,
 * which rules out traversal.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  type BlobInfo,
  type BlobQuery,
  type BlobStore,
  BlobTooLargeError,
  isBlobId,
  type PutBlobOptions,
} from "./port.js";

export interface FsBlobStoreOptions {
  /** Directory of the blobs; created when missing. */
  dir: string;
  /**
   * Temp files older than this are removed at `init` (left by a crash mid-upload).
   * @default 3_600_000 (one hour)
   */
  staleTempMs?: number;
}

export class FsBlobStore implements BlobStore {
  readonly kind = "fs";
  readonly #dir: string;
  readonly #tmp: string;
  readonly #staleTempMs: number;

  constructor(options: FsBlobStoreOptions) {
    this.#dir = options.dir;
    this.#tmp = join(options.dir, "tmp");
    this.#staleTempMs = options.staleTempMs ?? 3_600_000;
  }

  async init(): Promise<void> {
    await mkdir(this.#tmp, { recursive: true });
    const now = Date.now();
    for (const name of await readdir(this.#tmp)) {
      const path = join(this.#tmp, name);
      const s = await stat(path).catch(() => undefined);
      if (s && now - s.mtimeMs > this.#staleTempMs) await rm(path, { force: true });
    }
    // Data renamed into place whose record never followed (a crash between the two renames).
    const names = new Set(await readdir(this.#dir));
    for (const name of names) {
      if (name.endsWith(".bin") && !names.has(`${name.slice(0, -4)}.json`)) {
        await rm(join(this.#dir, name), { force: true });
      }
    }
  }

  async put(source: AsyncIterable<Uint8Array>, options: PutBlobOptions): Promise<BlobInfo> {
    const { id, maxBytes } = options;
    if (!isBlobId(id)) throw new TypeError("malformed blob id");
    const nonce = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(6))).toString("hex");
    const tmpData = join(this.#tmp, `${id}.${nonce}.part`);
    const tmpRecord = join(this.#tmp, `${id}.${nonce}.json`);
    let placed = false;
    const file = await open(tmpData, "wx", 0o600);
    try {
      let size = 0;
      try {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const info: BlobInfo = {
        id,
        convId: options.convId,
        uploader: options.uploader,
        size,
        createdAt: Date.now(),
        ...(options.shopId === undefined ? {} : { shopId: options.shopId }),
      };
      await writeFile(tmpRecord, JSON.stringify(info), { mode: 0o600, flag: "wx" });
      await rename(tmpData, this.#data(id));
      placed = true;
      await rename(tmpRecord, this.#record(id));
      return info;
    } catch (error) {
      await rm(tmpData, { force: true });
      await rm(tmpRecord, { force: true });
      if (placed) await rm(this.#data(id), { force: true });
      throw error;
    }
  }

  async stat(id: string): Promise<BlobInfo | undefined> {
    if (!isBlobId(id)) return undefined;
    let text: string;
    try {
      text = await readFile(this.#record(id), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const info = JSON.parse(text) as BlobInfo;
    return {
      id,
      convId: info.convId,
      uploader: info.uploader,
      size: info.size,
      createdAt: info.createdAt,
      ...(typeof info.shopId === "string" ? { shopId: info.shopId } : {}),
      ...(info.claimed === true ? { claimed: true } : {}),
    };
  }

  async claim(id: string, convId: string): Promise<boolean> {
    const info = await this.stat(id);
    if (!info || info.convId !== convId) return false;
    if (info.claimed) return true;
    // The record is replaced whole by a rename: a reader sees the old record or the new one.
    const nonce = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(6))).toString("hex");
    const tmpRecord = join(this.#tmp, `${id}.${nonce}.json`);
    await writeFile(tmpRecord, JSON.stringify({ ...info, claimed: true }), { mode: 0o600, flag: "wx" });
    try {
      await rename(tmpRecord, this.#record(id));
    } catch (error) {
      await rm(tmpRecord, { force: true });
      throw error;
    }
    // Deleted meanwhile: the rename brought a record back without data; take it away again.
    if (!(await stat(this.#data(id)).catch(() => undefined))) {
      await rm(this.#record(id), { force: true });
      return false;
    }
    return true;
  }

  async list(query: BlobQuery, limit: number): Promise<BlobInfo[]> {
    const found: BlobInfo[] = [];
    for (const name of await readdir(this.#dir)) {
      if (found.length >= limit) break;
      if (!name.endsWith(".json")) continue;
      const info = await this.stat(name.slice(0, -5));
      if (info && matches(info, query)) found.push(info);
    }
    return found;
  }

  async open(id: string): Promise<{ info: BlobInfo; stream: Readable } | undefined> {
    const info = await this.stat(id);
    if (!info) return undefined;
    const handle = await open(this.#data(id), "r").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (!handle) return undefined;
    // The size on disk is what will be streamed, whatever the record says.
    const { size } = await handle.stat();
    return { info: { ...info, size }, stream: createReadStream("", { fd: handle, highWaterMark: 65_536 }) };
  }

  async delete(id: string): Promise<boolean> {
    if (!isBlobId(id)) return false;
    // Renaming the record away is the commit point: of two deleters only one renames it.
    const nonce = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(6))).toString("hex");
    const doomed = join(this.#tmp, `${id}.${nonce}.deleted`);
    let existed = true;
    await rename(this.#record(id), doomed).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      existed = false;
    });
    await rm(this.#data(id), { force: true });
    await rm(doomed, { force: true });
    return existed;
  }

  async close(): Promise<void> {}

  #data(id: string): string {
    return join(this.#dir, `${id}.bin`);
  }

  #record(id: string): string {
    return join(this.#dir, `${id}.json`);
  }
}

/** Whether `info` matches every condition of `query`. */
export function matches(info: BlobInfo, query: BlobQuery): boolean {
  if (query.convId !== undefined && info.convId !== query.convId) return false;
  if (query.unclaimedBefore !== undefined && (info.claimed || info.createdAt >= query.unclaimedBefore)) return false;
  return true;
}
