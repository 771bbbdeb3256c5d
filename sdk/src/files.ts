/**
 * Encrypted file transfer over the gateway's HTTP API: `uploadFile` seals a
 * Blob or buffer chunk by chunk and streams the ciphertext to
 * `POST /v1/files`; `downloadFile` streams `GET /v1/files/:id` through the
 * opener and returns the plaintext only once every check has passed.
 * `ParleyClient.sendFile` and `downloadFile` wrap these.
 *
 * Upload bodies are streams where the platform can send them (Node; Chromium
 * to an https gateway, where it speaks HTTP/2), so only one 64 KiB chunk of
 * plaintext and ciphertext is held at a time and progress follows the network.
 * Elsewhere (Firefox, Safari, any browser to a plain http gateway, which is
 * HTTP/1.1) the ciphertext is collected into a Blob first and progress reports
 * only the start and the end.
 */
import { FileCorruptError, FileOpener, FileSealer } from "./crypto/file-crypto.js";
import { ConnectionLostError, ParleyError } from "./errors.js";
import {
  FILE_CHUNK_BYTES,
  type FileRef,
  type FileUploadResult,
  fileCipherLength,
  fileRefProblem,
  MAX_FILE_REF_BYTES,
} from "./protocol/files.js";

/** How the file calls reach the gateway; the client supplies it. */
export interface FileTransport {
  fetch: typeof fetch;
  /** Base URL without a trailing slash. */
  gatewayUrl: string;
  /** The session's current API bearer token. */
  apiToken: () => string;
  /**
   * Whether request bodies may be streams. Starts undefined (try it where it
   * can work: see `streamsCanWork`); set to false after a streamed upload
   * failed where a buffered one then worked.
   */
  streamingUploads?: boolean;
}

/** What the sender says about a file; all of it is untrusted text to the receivers. */
export interface FileMeta {
  /** The file's display name. */
  name: string;
  /** Its MIME type, as the sender declares it. */
  mime: string;
  /** Text shown with the file. */
  caption?: string;
  /** Pixel size, for images. */
  image?: {
    /** Width in pixels. */
    width: number;
    /** Height in pixels. */
    height: number;
  };
}

/** Options of `ParleyClient.sendFile`. */
export interface UploadOptions {
  /** Plaintext bytes handed to the network so far, out of the file's size; never decreases. */
  onProgress?: (p: { sent: number; total: number }) => void;
  /** Aborts the upload; the message is not sent. */
  signal?: AbortSignal;
}

/** Options of `ParleyClient.downloadFile`. */
export interface DownloadOptions {
  /** Plaintext bytes received and decrypted so far, out of the file's size; reaches `total` only once the file checks out. */
  onProgress?: (p: { received: number; total: number }) => void;
  /** Aborts the download. */
  signal?: AbortSignal;
}

/** Reads a Blob or a buffer in 64 KiB plaintext chunks, one at a time. */
interface ChunkSource {
  size: number;
  chunks: number;
  read(index: number): Promise<Uint8Array>;
}

function chunkSource(data: Blob | Uint8Array): ChunkSource {
  const size = data instanceof Uint8Array ? data.length : data.size;
  const chunks = Math.max(1, Math.ceil(size / FILE_CHUNK_BYTES));
  const range = (i: number) => [i * FILE_CHUNK_BYTES, Math.min(size, (i + 1) * FILE_CHUNK_BYTES)] as const;
  return {
    size,
    chunks,
    async read(i) {
      const [from, to] = range(i);
      if (data instanceof Uint8Array) return data.subarray(from, to);
      return new Uint8Array(await data.slice(from, to).arrayBuffer());
    },
  };
}

/**
 * Encrypts and uploads a file to a conversation; resolves with the complete
 * reference to put into a file message. Rejects with {@link ParleyError}
 * (`too_large`, `not_found`, `rate_limited`, ...) or {@link ConnectionLostError}.
 */
export async function uploadFile(
  transport: FileTransport,
  convId: string,
  input: { data: Blob | Uint8Array; meta: FileMeta },
  options: UploadOptions = {},
): Promise<FileRef> {
  const source = chunkSource(input.data);
  checkMeta(input.meta, source.size);
  const progress = monotonic(source.size, (sent, total) => options.onProgress?.({ sent, total }));
  progress(0);
  const url = `${transport.gatewayUrl}/v1/files?convId=${encodeURIComponent(convId)}`;
  let result: { uploaded: FileUploadResult; sealer: FileSealer };
  if (transport.streamingUploads !== false && streamsCanWork(url) && supportsRequestStreams()) {
    try {
      result = await streamedUpload(transport, url, source, { progress, signal: options.signal });
    } catch (err) {
      // Chromium refuses streamed bodies over HTTP/1.1 with a TypeError and no response (an https
      // gateway behind a proxy without HTTP/2); a dropped connection looks the same. Either way the upload is tried once more with a buffered body, under
      // a new key; streaming stays off for this client when the refusal came before the body flowed.
      if (!(err instanceof StreamRefusedError)) throw err;
      result = await bufferedUpload(transport, url, source, options.signal);
      if (err.early) transport.streamingUploads = false;
    }
  } else {
    result = await bufferedUpload(transport, url, source, options.signal);
  }
  const sealed = result.sealer.result();
  if (result.uploaded.size !== fileCipherLength(sealed.size)) {
    throw new ParleyError("internal", "the gateway stored a different number of bytes than were sent");
  }
  progress(source.size);
  return {
    id: result.uploaded.id,
    name: input.meta.name,
    mime: input.meta.mime,
    ...sealed,
    ...(input.meta.image ? { image: { width: input.meta.image.width, height: input.meta.image.height } } : {}),
  };
}

/**
 * Downloads and decrypts a file. Resolves with the plaintext only when every
 * chunk authenticated, the FINAL tag closed the stream exactly at the
 * announced size and the SHA-256 matched; otherwise rejects with a
 * {@link ParleyError} `file_corrupt` (or the gateway's error, or
 * {@link ConnectionLostError}) and no plaintext.
 */
export async function downloadFile(
  transport: FileTransport,
  convId: string,
  file: FileRef,
  options: DownloadOptions = {},
): Promise<Uint8Array> {
  const problem = fileRefProblem(file);
  if (problem) throw new ParleyError("file_corrupt", `the file reference is malformed: ${problem}`);
  let opener: FileOpener;
  try {
    opener = await FileOpener.create(file);
  } catch (err) {
    throw corrupt(err);
  }
  const progress = monotonic(file.size, (received, total) => options.onProgress?.({ received, total }));
  progress(0);
  const url = `${transport.gatewayUrl}/v1/files/${encodeURIComponent(file.id)}?convId=${encodeURIComponent(convId)}`;
  const res = await call(transport, url, { method: "GET", ...(options.signal ? { signal: options.signal } : {}) });
  if (!res.ok) throw await errorOf(res);
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) !== opener.expectedLength) {
    await res.body?.cancel().catch(() => undefined);
    throw new ParleyError(
      "file_corrupt",
      `the gateway serves ${declared} bytes; the reference implies ${opener.expectedLength}`,
    );
  }
  const reader = res.body?.getReader();
  let received = 0;
  try {
    if (reader) {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (isAbort(err)) throw err;
          throw new ConnectionLostError(`download interrupted: ${(err as Error).message}`, { cause: err });
        }
        if (chunk.done) break;
        opener.write(chunk.value);
        received += chunk.value.length;
        // Announce whole chunks only, and hold the last step back until the checks pass.
        const plain = Math.min(file.size, Math.floor(received / (FILE_CHUNK_BYTES + 17)) * FILE_CHUNK_BYTES);
        if (plain < file.size) progress(plain);
      }
    }
    const plaintext = opener.finish();
    progress(file.size);
    return plaintext;
  } catch (err) {
    opener.abort();
    await reader?.cancel().catch(() => undefined);
    if (err instanceof FileCorruptError) throw corrupt(err);
    throw err;
  }
}

// -- uploads ------------------------------------------------------------------------------

/** A streamed upload failed without a response; `early` when no more than the first chunk was taken. */
class StreamRefusedError extends Error {
  constructor(
    readonly early: boolean,
    options: { cause: unknown },
  ) {
    super("the streamed upload failed without a response", options);
  }
}

async function streamedUpload(
  transport: FileTransport,
  url: string,
  source: ChunkSource,
  options: { progress: (n: number) => void; signal: AbortSignal | undefined },
): Promise<{ uploaded: FileUploadResult; sealer: FileSealer }> {
  const sealer = await FileSealer.create();
  let index = 0;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // The previous chunk was taken by the network: count it.
        if (index > 0) options.progress(sent);
        if (index === source.chunks) {
          controller.close();
          return;
        }
        const plain = await source.read(index);
        controller.enqueue(sealer.push(plain, index === source.chunks - 1));
        sent += plain.length;
        index++;
      },
    },
    { highWaterMark: 0 },
  );
  let res: Response;
  try {
    res = await transport.fetch(url, {
      method: "POST",
      headers: uploadHeaders(transport, source.size),
      body,
      duplex: "half",
      ...(options.signal ? { signal: options.signal } : {}),
    } as RequestInit);
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new StreamRefusedError(index <= 1, { cause: err });
  }
  if (!res.ok) throw await errorOf(res);
  return { uploaded: await uploadResult(res), sealer };
}

async function bufferedUpload(
  transport: FileTransport,
  url: string,
  source: ChunkSource,
  signal: AbortSignal | undefined,
): Promise<{ uploaded: FileUploadResult; sealer: FileSealer }> {
  const sealer = await FileSealer.create();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < source.chunks; i++) {
    signal?.throwIfAborted();
    parts.push(sealer.push(await source.read(i), i === source.chunks - 1));
  }
  const res = await call(transport, url, {
    method: "POST",
    headers: uploadHeaders(transport, source.size),
    body: new Blob(parts as BlobPart[], { type: "application/octet-stream" }),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  return { uploaded: await uploadResult(res), sealer };
}

function uploadHeaders(transport: FileTransport, size: number): Record<string, string> {
  // Browsers drop Content-Length on streams (a forbidden header); Node sends it, and the gateway refuses oversize early.
  return {
    authorization: `Bearer ${transport.apiToken()}`,
    "content-type": "application/octet-stream",
    "content-length": String(fileCipherLength(size)),
  };
}

async function uploadResult(res: Response): Promise<FileUploadResult> {
  const json = (await res.json().catch(() => undefined)) as Partial<FileUploadResult> | undefined;
  if (!json || typeof json.id !== "string" || typeof json.size !== "number") {
    throw new ParleyError("internal", "the gateway's upload answer is malformed");
  }
  return { id: json.id, size: json.size };
}

function checkMeta(meta: FileMeta, size: number): void {
  if (size > MAX_FILE_REF_BYTES) throw new ParleyError("too_large", `files are limited to ${MAX_FILE_REF_BYTES} bytes`);
  // The reference the upload will produce, with placeholder crypto fields: checks name, mime and image up front.
  const draft: FileRef = {
    id: "fb_AAAAAAAAAAAAAAAAAAAAAA",
    name: meta.name,
    mime: meta.mime,
    size,
    sha256: "A".repeat(43),
    key: "A".repeat(43),
    header: "A".repeat(32),
    chunkSize: FILE_CHUNK_BYTES,
    ...(meta.image ? { image: meta.image } : {}),
  };
  const problem = fileRefProblem(draft);
  if (problem) throw new ParleyError("bad_request", `file ${problem} is not acceptable`);
}

// -- shared -------------------------------------------------------------------------------

async function call(transport: FileTransport, url: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${transport.apiToken()}`);
  try {
    return await transport.fetch(url, { ...init, headers });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ConnectionLostError(`gateway unreachable: ${(err as Error).message}`, { cause: err });
  }
}

async function errorOf(res: Response): Promise<ParleyError> {
  const json = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
  return ParleyError.from(json?.error ?? { code: res.status >= 500 ? "unavailable" : "bad_request" });
}

function corrupt(err: unknown): ParleyError {
  return new ParleyError("file_corrupt", (err as Error).message, { cause: err });
}

function isAbort(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "AbortError";
}

/** Calls `emit` with increasing values only. */
function monotonic(total: number, emit: (n: number, total: number) => void): (n: number) => void {
  let last = -1;
  return (n) => {
    if (n <= last) return;
    last = n;
    emit(n, total);
  };
}

/**
 * Whether a streamed body can reach `url` at all. Browsers send one only over HTTP/2 or later
 * (Chromium fails it on HTTP/1.1 with net::ERR_ALPN_NEGOTIATION_FAILED, a console error and a
 * failed request before the buffered retry), and they speak HTTP/2 only over TLS: so https only.
 * Node's fetch (undici) streams over HTTP/1.1 too (chunked).
 */
function streamsCanWork(url: string): boolean {
  const node = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node;
  return typeof node === "string" || new URL(url).protocol === "https:";
}

/** Whether `fetch` can send a ReadableStream body (the check the Chrome team documents). */
function supportsRequestStreams(): boolean {
  try {
    let duplexAccessed = false;
    const hasContentType = new Request("http://localhost/", {
      body: new ReadableStream(),
      method: "POST",
      get duplex() {
        duplexAccessed = true;
        return "half";
      },
    } as RequestInit).headers.has("Content-Type");
    return duplexAccessed && !hasContentType;
  } catch {
    return false;
  }
}
