/**
 * File encryption: one random key per file, libsodium's
 * `crypto_secretstream_xchacha20poly1305` over 64 KiB plaintext chunks, the
 * last one tagged FINAL (an empty file is one empty FINAL chunk). The stored
 * blob is the chunks' ciphertexts back to back; the key and the stream header
 * travel in the end-to-end message (a {@link FileRef}), never to the gateway.
 *
 * Associated data: none. The blob id is assigned by the gateway after the
 * upload, so it cannot be bound into a stream sealed before it, and nothing
 * needs to be: the key is fresh for each file and reaches members only inside
 * the signed, epoch-encrypted message that also names the id, size and SHA-256.
 * Whatever else the server might serve under that id was not sealed with that
 * key and fails the first chunk. Order, truncation and duplication are caught
 * by secretstream itself (a nonce counter per chunk and the FINAL tag).
 *
 * The opener never hands out plaintext before every check has passed: chunk
 * authentication, tags (FINAL exactly on the last chunk), exact chunk and total
 * lengths derived from the announced size, and the SHA-256.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { FileCorruptError } from "../errors.js";
import { FILE_CHUNK_BYTES, FILE_CHUNK_OVERHEAD, type FileRef, fileCipherLength } from "../protocol/files.js";
import { randomBytes } from "./random.js";
import { Sha256 } from "./sha256.js";
import { loadSodium, type Sodium } from "./sodium.js";

/** Bytes of a file's secretstream key. */
export const FILE_KEY_BYTES = 32;
/** Bytes of a file's secretstream header. */
export const FILE_HEADER_BYTES = 24;

export { FileCorruptError, type FileCorruptReason, FileCorruptReasons } from "../errors.js";

/** What the sender learns once the last chunk is sealed: the fields of the {@link FileRef} besides id, name and mime. */
export interface SealedFile {
  /** Plaintext bytes. */
  size: number;
  /** base64url SHA-256 of the plaintext. */
  sha256: string;
  /** base64url secretstream key. */
  key: string;
  /** base64url secretstream header. */
  header: string;
  /** Plaintext bytes per chunk. */
  chunkSize: number;
}

/**
 * Seals a file chunk by chunk. Every chunk but the last must be exactly
 * {@link FILE_CHUNK_BYTES} long; the last (0 to 64 KiB) is pushed with `last`.
 *
 * (libsodium-wrappers allocates 52 bytes of wasm heap per stream state and
 * offers no call to release it; that small leak per file is accepted.)
 */
export class FileSealer {
  readonly #sodium: Sodium;
  readonly #state: number;
  readonly #key: Uint8Array;
  readonly #header: Uint8Array;
  readonly #hash = new Sha256();
  #size = 0;
  #finished = false;

  private constructor(sodium: Sodium) {
    this.#sodium = sodium;
    this.#key = randomBytes(FILE_KEY_BYTES);
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(this.#key);
    this.#state = state as unknown as number;
    this.#header = header;
  }

  /** A sealer with a fresh random key. */
  static async create(): Promise<FileSealer> {
    return new FileSealer(await loadSodium());
  }

  /** Seals the next chunk; returns its ciphertext (`plain.length + 17` bytes). */
  push(plain: Uint8Array, last: boolean): Uint8Array {
    if (this.#finished) throw new RangeError("FileSealer: the FINAL chunk was already pushed");
    if (last ? plain.length > FILE_CHUNK_BYTES : plain.length !== FILE_CHUNK_BYTES) {
      throw new RangeError(`FileSealer: a ${last ? "last" : "middle"} chunk of ${plain.length} bytes`);
    }
    const s = this.#sodium;
    const tag = last
      ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL
      : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const cipher = s.crypto_secretstream_xchacha20poly1305_push(this.#state as never, plain, null, tag);
    this.#hash.update(plain);
    this.#size += plain.length;
    this.#finished = last;
    return cipher;
  }

  /** The reference fields, once the FINAL chunk is pushed. */
  result(): SealedFile {
    if (!this.#finished) throw new RangeError("FileSealer: push the last chunk first");
    return {
      size: this.#size,
      sha256: toBase64Url(this.#hash.digest()),
      key: toBase64Url(this.#key),
      header: toBase64Url(this.#header),
      chunkSize: FILE_CHUNK_BYTES,
    };
  }
}

/** The parts of a {@link FileRef} the opener checks against. */
export type FileKeys = Pick<FileRef, "size" | "sha256" | "key" | "header" | "chunkSize">;

/**
 * Opens a file as its ciphertext arrives, in pieces of any size. Plaintext is
 * written into a buffer of the announced size and returned by `finish()` only
 * when everything checks out; on any failure the buffer is wiped and every
 * later call throws the same {@link FileCorruptError}.
 */
export class FileOpener {
  /** The exact ciphertext length the announced size implies. */
  readonly expectedLength: number;
  readonly #sodium: Sodium;
  readonly #state: number;
  readonly #size: number;
  readonly #sha256: string;
  readonly #chunks: number;
  readonly #out: Uint8Array;
  readonly #pending: Uint8Array;
  readonly #hash = new Sha256();
  #pendingLength = 0;
  #chunk = 0;
  #received = 0;
  #error: FileCorruptError | undefined;
  #done = false;

  private constructor(sodium: Sodium, keys: FileKeys) {
    this.#sodium = sodium;
    const key = decode(keys.key, FILE_KEY_BYTES);
    const header = decode(keys.header, FILE_HEADER_BYTES);
    if (
      !key ||
      !header ||
      keys.chunkSize !== FILE_CHUNK_BYTES ||
      !Number.isSafeInteger(keys.size) ||
      keys.size < 0 ||
      typeof keys.sha256 !== "string"
    ) {
      throw new FileCorruptError("bad_ref");
    }
    this.#size = keys.size;
    this.#sha256 = keys.sha256;
    this.#chunks = Math.max(1, Math.ceil(keys.size / FILE_CHUNK_BYTES));
    this.expectedLength = fileCipherLength(keys.size);
    try {
      this.#state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key) as unknown as number;
    } catch (err) {
      throw new FileCorruptError("bad_ref", (err as Error).message);
    }
    this.#out = new Uint8Array(keys.size);
    this.#pending = new Uint8Array(FILE_CHUNK_BYTES + FILE_CHUNK_OVERHEAD);
  }

  /** An opener for the file sealed under `keys`. */
  static async create(keys: FileKeys): Promise<FileOpener> {
    return new FileOpener(await loadSodium(), keys);
  }

  /** Feeds the next ciphertext bytes. Throws {@link FileCorruptError} as soon as something is wrong. */
  write(bytes: Uint8Array): void {
    this.#check();
    let offset = 0;
    while (offset < bytes.length) {
      if (this.#chunk >= this.#chunks) this.#fail(new FileCorruptError("trailing_bytes"));
      const want = this.#chunkCipherLength(this.#chunk);
      const take = Math.min(want - this.#pendingLength, bytes.length - offset);
      this.#pending.set(bytes.subarray(offset, offset + take), this.#pendingLength);
      this.#pendingLength += take;
      this.#received += take;
      offset += take;
      if (this.#pendingLength === want) this.#openChunk(want);
    }
  }

  /** Checks the whole stream and returns the plaintext. */
  finish(): Uint8Array {
    this.#check();
    if (this.#chunk < this.#chunks) {
      this.#fail(new FileCorruptError("truncated", `${this.#received} of ${this.expectedLength} bytes`));
    }
    if (toBase64Url(this.#hash.digest()) !== this.#sha256) this.#fail(new FileCorruptError("hash_mismatch"));
    this.#done = true;
    return this.#out;
  }

  /** Gives up: wipes what was decrypted so far. */
  abort(reason: FileCorruptError = new FileCorruptError("truncated", "aborted")): void {
    if (this.#error || this.#done) return;
    this.#error = reason;
    this.#out.fill(0);
    this.#pending.fill(0);
  }

  #chunkCipherLength(index: number): number {
    const plain = index < this.#chunks - 1 ? FILE_CHUNK_BYTES : this.#size - (this.#chunks - 1) * FILE_CHUNK_BYTES;
    return plain + FILE_CHUNK_OVERHEAD;
  }

  #openChunk(length: number): void {
    const s = this.#sodium;
    const last = this.#chunk === this.#chunks - 1;
    const result = s.crypto_secretstream_xchacha20poly1305_pull(
      this.#state as never,
      this.#pending.subarray(0, length),
      null,
    );
    if (result === false) this.#fail(new FileCorruptError("auth", `chunk ${this.#chunk}`));
    const { message, tag } = result as { message: Uint8Array; tag: number };
    if (tag === s.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      if (!last) this.#fail(new FileCorruptError("early_final", `chunk ${this.#chunk} of ${this.#chunks}`));
    } else if (tag === s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      if (last) this.#fail(new FileCorruptError("missing_final"));
    } else {
      this.#fail(new FileCorruptError("bad_tag", `tag ${tag}`));
    }
    const at = this.#chunk * FILE_CHUNK_BYTES;
    this.#out.set(message, at);
    this.#hash.update(message);
    message.fill(0);
    this.#chunk++;
    this.#pendingLength = 0;
  }

  #check(): void {
    if (this.#error) throw this.#error;
    if (this.#done) throw new RangeError("FileOpener: already finished");
  }

  #fail(error: FileCorruptError): never {
    this.abort(error);
    throw error;
  }
}

/** Seals a whole in-memory file: the blob to upload and the reference fields. */
export async function encryptFile(plain: Uint8Array): Promise<{
  /** The blob to upload. */
  ciphertext: Uint8Array;
  /** The reference fields. */
  sealed: SealedFile;
}> {
  const sealer = await FileSealer.create();
  const chunks = Math.max(1, Math.ceil(plain.length / FILE_CHUNK_BYTES));
  const ciphertext = new Uint8Array(fileCipherLength(plain.length));
  for (let i = 0; i < chunks; i++) {
    const part = plain.subarray(i * FILE_CHUNK_BYTES, (i + 1) * FILE_CHUNK_BYTES);
    ciphertext.set(sealer.push(part, i === chunks - 1), i * (FILE_CHUNK_BYTES + FILE_CHUNK_OVERHEAD));
  }
  return { ciphertext, sealed: sealer.result() };
}

/** Opens a whole in-memory blob; throws {@link FileCorruptError}. */
export async function decryptFile(keys: FileKeys, ciphertext: Uint8Array): Promise<Uint8Array> {
  const opener = await FileOpener.create(keys);
  opener.write(ciphertext);
  return opener.finish();
}

function decode(text: unknown, bytes: number): Uint8Array | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const out = fromBase64Url(text);
    return out.length === bytes && toBase64Url(out) === text ? out : undefined;
  } catch {
    return undefined;
  }
}
