/**
 * Encrypted files on the wire: the blob id the gateway hands out, the
 * reference a file message carries, and the shape checks the SDK runs on a
 * decrypted reference before trusting any of its numbers. No zod here: the
 * browser client imports this module.
 */

/** Blob ids are made by the gateway: `fb_` and 22 base64url characters (128 random bits). */
export const BLOB_ID_PATTERN = /^fb_[A-Za-z0-9_-]{22}$/;

/** Most file ids one `msg.send` may claim (its `blobs`). */
export const MAX_CLAIMED_BLOBS = 16;

/** Plaintext bytes per secretstream chunk; every chunk but the last is exactly this long. */
export const FILE_CHUNK_BYTES = 65_536;

/** Bytes secretstream adds to each chunk (tag byte and Poly1305 MAC). */
export const FILE_CHUNK_OVERHEAD = 17;

/** The largest plaintext a file reference may announce (1 GiB); gateways set a lower limit. */
export const MAX_FILE_REF_BYTES = 1_073_741_824;

/** Longest display name and MIME type accepted in a reference. */
export const MAX_FILE_NAME_CHARS = 255;
export const MAX_FILE_MIME_CHARS = 127;

/** What a file message carries: everything a member needs to fetch, decrypt and check the file. */
export interface FileRef {
  /** Blob id assigned by the gateway. */
  id: string;
  /** Display name (untrusted text). */
  name: string;
  /** Declared type (untrusted; the widget previews only PNG, JPEG, GIF and WebP images). */
  mime: string;
  /** Plaintext bytes. */
  size: number;
  /** base64url SHA-256 of the plaintext. */
  sha256: string;
  /** base64url secretstream key, random per file. */
  key: string;
  /** base64url secretstream header. */
  header: string;
  /** Plaintext bytes per chunk: {@link FILE_CHUNK_BYTES}. */
  chunkSize: number;
  /** Pixel size, set by the sender for images. */
  image?: {
    /** Width in pixels. */
    width: number;
    /** Height in pixels. */
    height: number;
  };
}

/** `POST /v1/files` answers with the new blob's id and its stored (ciphertext) size. */
export interface FileUploadResult {
  /** The new blob id (`fb_...`). */
  id: string;
  /** Stored bytes (ciphertext). */
  size: number;
}

/** Ciphertext bytes of a file of `size` plaintext bytes: one chunk at least (an empty file is one empty final chunk). */
export function fileCipherLength(size: number, chunkSize = FILE_CHUNK_BYTES): number {
  const chunks = Math.max(1, Math.ceil(size / chunkSize));
  return size + chunks * FILE_CHUNK_OVERHEAD;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const b64urlOf = (bytes: number) => Math.ceil((bytes * 4) / 3);

/** Why `value` is not a well-formed {@link FileRef}, or undefined when it is. */
export function fileRefProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not an object";
  const v = value as Record<string, unknown>;
  const allowed = new Set(["id", "name", "mime", "size", "sha256", "key", "header", "chunkSize", "image"]);
  for (const k of Object.keys(v)) if (!allowed.has(k)) return `unknown field ${k.slice(0, 40)}`;
  if (typeof v.id !== "string" || !BLOB_ID_PATTERN.test(v.id)) return "id";
  if (typeof v.name !== "string" || v.name.length > MAX_FILE_NAME_CHARS) return "name";
  if (typeof v.mime !== "string" || v.mime.length > MAX_FILE_MIME_CHARS) return "mime";
  if (typeof v.size !== "number" || !Number.isSafeInteger(v.size) || v.size < 0 || v.size > MAX_FILE_REF_BYTES) {
    return "size";
  }
  if (!isB64(v.sha256, 32)) return "sha256";
  if (!isB64(v.key, 32)) return "key";
  if (!isB64(v.header, 24)) return "header";
  if (v.chunkSize !== FILE_CHUNK_BYTES) return "chunkSize";
  if (v.image !== undefined) {
    const image = v.image as Record<string, unknown> | null;
    if (image === null || typeof image !== "object" || Object.keys(image).length !== 2) return "image";
    if (!isDimension(image.width) || !isDimension(image.height)) return "image";
  }
  return undefined;
}

function isB64(value: unknown, bytes: number): boolean {
  return typeof value === "string" && value.length === b64urlOf(bytes) && B64URL.test(value);
}

function isDimension(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= 100_000;
}
