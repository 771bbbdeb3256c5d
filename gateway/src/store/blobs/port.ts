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
}

export interface PutBlobOptions {
  /** The id to store under: made by the caller with {@link newBlobId}. */
  id: string;
  convId: string;
  uploader: string;
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
  /** Removes a blob; resolves false when there was none. */
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
