/**
 * The blob store port: encrypted file contents, kept apart from the main store
 * (files on disk beside the embedded SQLite store, GridFS beside MongoDB). The
 * gateway only ever writes and serves ciphertext it cannot read; a blob
 * remembers the conversation it was uploaded to, so downloads can be checked
 * against that conversation's membership.
 *
 * Both adapters pass one conformance suite (conformance.ts).
 */
import type { Readable } from "node:stream";
import { BLOB_ID_PATTERN } from "@parley/sdk/protocol";

export interface BlobInfo {
  id: string;
  /** The conversation the blob was uploaded to. */
  convId: string;
  /** The principal that uploaded it. */
  uploader: string;
  /** Stored bytes. */
  size: number;
  createdAt: number;
  /** The shop whose storage the blob counts against (absent on blobs stored before quotas). */
  shopId?: string;
  /** Whether a sent message claimed the blob (`msg.send` `blobs`); unclaimed blobs are swept. */
  claimed?: boolean;
}

/** Which blobs {@link BlobStore.list} answers: all conditions given must hold. */
export interface BlobQuery {
  /** Uploaded to this conversation. */
  convId?: string;
  /** Not claimed and created before this time (ms since the epoch). */
  unclaimedBefore?: number;
}

export interface PutBlobOptions {
  /** The id to store under: made by the caller with {@link newBlobId}. */
  id: string;
  convId: string;
  uploader: string;
  /** The shop whose storage it counts against. */
  shopId?: string;
  /** Bytes past which the write stops with {@link BlobTooLargeError}. */
  maxBytes: number;
}

export interface BlobStore {
  readonly kind: "fs" | "gridfs";
  /** Prepares the store (directories, indexes) and clears what interrupted writes left behind. */
  init(): Promise<void>;
  /**
   * Writes `source` to completion, then makes the blob visible in one step.
   * On any failure (source error, client gone, {@link BlobTooLargeError}) it
   * rejects and leaves nothing behind: no blob, no partial data.
   */
  put(source: AsyncIterable<Uint8Array>, options: PutBlobOptions): Promise<BlobInfo>;
  /** The blob's record, or undefined for an unknown or malformed id. */
  stat(id: string): Promise<BlobInfo | undefined>;
  /** The blob's bytes as a stream, or undefined for an unknown or malformed id. */
  open(id: string): Promise<{ info: BlobInfo; stream: Readable } | undefined>;
  /**
   * Marks the blob claimed by a sent message when it was uploaded to `convId`; resolves false for an
   * unknown blob or one of another conversation.
   */
  claim(id: string, convId: string): Promise<boolean>;
  /** Up to `limit` blobs matching `query`, in no particular order. */
  list(query: BlobQuery, limit: number): Promise<BlobInfo[]>;
  /**
   * Removes a blob; resolves false when there was none. Of several processes deleting one blob at
   * once, one resolves true (so whoever counts the freed bytes counts them once).
   */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A write went past `maxBytes`; nothing was kept. */
export class BlobTooLargeError extends Error {
  override readonly name = "BlobTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`the blob is larger than ${maxBytes} bytes`);
  }
}

/** Whether `id` is a well-formed blob id (and therefore safe as a file name or key). */
export function isBlobId(id: unknown): id is string {
  return typeof id === "string" && BLOB_ID_PATTERN.test(id);
}

/** A fresh blob id: `fb_` and 128 random bits. */
export function newBlobId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `fb_${Buffer.from(bytes).toString("base64url")}`;
}
