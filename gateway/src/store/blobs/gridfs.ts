/**
 * Blobs in GridFS, beside the MongoDB store: bucket `blobs` (collections
 * `blobs.files` and `blobs.chunks`), the blob id as the GridFS `_id`, the
 * conversation and uploader in `metadata`. GridFS writes the files document
 * only after the last chunk, so an unfinished upload is never visible; an
 * aborted one is cleaned up with `abort()`. A gateway that dies mid-upload
 * leaves chunks without a files document; each upload is noted in
 * `blobs.pending` while it runs, and `init` removes the chunks of pending notes
 * older than an hour (safe with several gateways on one database).
 *
 * Works on FerretDB v1.24 (checked: upload, the unique `files_id, n` index,
 * download, abort and delete).
 */
import { once } from "node:events";
import type { Readable } from "node:stream";
import {
  type Collection,
  type Db,
  GridFSBucket,
  MongoClient,
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type ObjectId,
} from "mongodb";
import { driverOptions } from "../mongo/driver-options.js";
import { StoreUnavailableError } from "../port.js";
import {
  type BlobInfo,
  type BlobQuery,
  type BlobStore,
  BlobTooLargeError,
  isBlobId,
  type PutBlobOptions,
} from "./port.js";

export interface GridFsBlobStoreOptions {
  uri: string;
  /** @default the database named in `uri`, else `"parley"` */
  dbName?: string;
  /** @default "blobs" */
  bucketName?: string;
  /** @default 5000 */
  serverSelectionTimeoutMS?: number;
  /** How long a write waits for majority acknowledgement, in ms. @default 10000 */
  writeConcernTimeoutMS?: number;
  /**
   * Pending uploads older than this are taken to be dead and their chunks removed at `init`.
   * @default 3_600_000 (one hour)
   */
  stalePendingMs?: number;
}

/** GridFS chunk size: 255 KiB, the driver's default (under the 256 KiB FerretDB and MongoDB handle best). */
const CHUNK_BYTES = 255 * 1024;

interface FileDoc {
  _id: string;
  length: number;
  uploadDate: Date;
  metadata?: { convId?: unknown; uploader?: unknown; shopId?: unknown; claimed?: unknown };
}

interface PendingDoc {
  _id: string;
  startedAt: Date;
}

export class GridFsBlobStore implements BlobStore {
  readonly kind = "gridfs";
  readonly #client: MongoClient;
  readonly #db: Db;
  readonly #bucket: GridFSBucket;
  readonly #files: Collection<FileDoc>;
  readonly #chunks: Collection<{ files_id: string; n: number }>;
  readonly #pending: Collection<PendingDoc>;
  readonly #stalePendingMs: number;

  constructor(options: GridFsBlobStoreOptions) {
    const bucketName = options.bucketName ?? "blobs";
    this.#client = new MongoClient(
      options.uri,
      driverOptions({
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
        writeConcernTimeoutMS: options.writeConcernTimeoutMS ?? 10_000,
      }),
    );
    this.#db = this.#client.db(options.dbName ?? dbNameOf(options.uri));
    this.#bucket = new GridFSBucket(this.#db, { bucketName, chunkSizeBytes: CHUNK_BYTES });
    this.#files = this.#db.collection(`${bucketName}.files`);
    this.#chunks = this.#db.collection(`${bucketName}.chunks`);
    this.#pending = this.#db.collection(`${bucketName}.pending`);
    this.#stalePendingMs = options.stalePendingMs ?? 3_600_000;
  }

  async init(): Promise<void> {
    await this.#run(async () => {
      await this.#client.connect();
      // The indexes GridFS would make on its first write, made up front so every gateway sees the same.
      await this.#chunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
      await this.#files.createIndex({ filename: 1, uploadDate: 1 });
      const cutoff = new Date(Date.now() - this.#stalePendingMs);
      for (const dead of await this.#pending.find({ startedAt: { $lt: cutoff } }).toArray()) {
        await this.#discard(dead._id);
      }
    });
  }

  async put(source: AsyncIterable<Uint8Array>, options: PutBlobOptions): Promise<BlobInfo> {
    const { id, maxBytes } = options;
    if (!isBlobId(id)) throw new TypeError("malformed blob id");
    const createdAt = Date.now();
    await this.#run(() => this.#pending.insertOne({ _id: id, startedAt: new Date(createdAt) }));
    const upload = this.#bucket.openUploadStreamWithId(gridId(id), `${id}.bin`, {
      metadata: {
        convId: options.convId,
        uploader: options.uploader,
        ...(options.shopId === undefined ? {} : { shopId: options.shopId }),
      },
    });
    // Rejects on the upload's first error; raced against every wait below so none can hang.
    const failed = new Promise<never>((_resolve, reject) => upload.once("error", reject));
    failed.catch(() => undefined);
    try {
      let size = 0;
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
        if (!upload.write(chunk)) await Promise.race([once(upload, "drain"), failed]);
      }
      upload.end();
      await Promise.race([once(upload, "finish"), failed]);
      await this.#run(() => this.#pending.deleteOne({ _id: id }));
      return {
        id,
        convId: options.convId,
        uploader: options.uploader,
        size,
        createdAt,
        ...(options.shopId === undefined ? {} : { shopId: options.shopId }),
      };
    } catch (error) {
      await upload.abort().catch(() => undefined);
      await this.#discard(id).catch(() => undefined);
      throw mapError(error);
    }
  }

  async stat(id: string): Promise<BlobInfo | undefined> {
    if (!isBlobId(id)) return undefined;
    const doc = await this.#run(() => this.#files.findOne({ _id: id }));
    return doc ? toInfo(doc) : undefined;
  }

  async open(id: string): Promise<{ info: BlobInfo; stream: Readable } | undefined> {
    const info = await this.stat(id);
    if (!info) return undefined;
    return { info, stream: this.#bucket.openDownloadStream(gridId(id)) };
  }

  async claim(id: string, convId: string): Promise<boolean> {
    if (!isBlobId(id)) return false;
    const { matchedCount } = await this.#run(() =>
      this.#files.updateOne({ _id: id, "metadata.convId": convId }, { $set: { "metadata.claimed": true } }),
    );
    return matchedCount === 1;
  }

  async list(query: BlobQuery, limit: number): Promise<BlobInfo[]> {
    const filter: Record<string, unknown> = {};
    if (query.convId !== undefined) filter["metadata.convId"] = query.convId;
    if (query.unclaimedBefore !== undefined) {
      filter["metadata.claimed"] = { $ne: true };
      filter.uploadDate = { $lt: new Date(query.unclaimedBefore) };
    }
    const docs = await this.#run(() => this.#files.find(filter).limit(Math.max(1, limit)).toArray());
    return docs.map(toInfo);
  }

  async delete(id: string): Promise<boolean> {
    if (!isBlobId(id)) return false;
    // Deleting the files document is the commit point: of two deleters only one deletes it.
    const { deletedCount } = await this.#run(() => this.#files.deleteOne({ _id: id }));
    await this.#discard(id);
    return deletedCount === 1;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  /** Removes every trace of `id`: chunks, the files document, the pending note. */
  async #discard(id: string): Promise<void> {
    await this.#run(async () => {
      await this.#files.deleteOne({ _id: id });
      await this.#chunks.deleteMany({ files_id: id });
      await this.#pending.deleteOne({ _id: id });
    });
  }

  async #run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw mapError(error);
    }
  }
}

/** GridFS takes any `_id`; the driver's types say ObjectId only. Ours are checked blob id strings. */
function gridId(id: string): ObjectId {
  return id as unknown as ObjectId;
}

/** The database a connection string names (as the Mongo store reads it), else `parley`. */
function dbNameOf(uri: string): string {
  return decodeURIComponent(/^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(uri)?.[1] ?? "") || "parley";
}

function toInfo(doc: FileDoc): BlobInfo {
  const convId = doc.metadata?.convId;
  const uploader = doc.metadata?.uploader;
  const shopId = doc.metadata?.shopId;
  return {
    id: doc._id,
    convId: typeof convId === "string" ? convId : "",
    uploader: typeof uploader === "string" ? uploader : "",
    size: doc.length,
    createdAt: doc.uploadDate.getTime(),
    ...(typeof shopId === "string" ? { shopId } : {}),
    ...(doc.metadata?.claimed === true ? { claimed: true } : {}),
  };
}

function mapError(error: unknown): unknown {
  const unavailable =
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoClientClosedError;
  return unavailable ? new StoreUnavailableError("MongoDB is unreachable", { cause: error }) : error;
}
