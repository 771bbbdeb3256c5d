/**
 * Files for the client: encrypt and upload, then send the `file` message
 * through the outbox; download and decrypt. `files.ts` (and the crypto behind
 * it) is loaded on first use.
 */

import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import type { DownloadOptions, FileMeta, FileTransport, UploadOptions } from "../files.js";
import type { FileRef } from "../protocol/files.js";
import { randomId } from "../protocol/ids.js";
import type { ClientCore } from "./core.js";

export class FileTransfer {
  readonly #core: ClientCore;
  readonly #send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
  #files: FileTransport | undefined;

  /** `send` sends the file message once the blob is stored (the client's own `send`). */
  constructor(core: ClientCore, send: (convId: string, body: MessageBody) => Promise<ChatMessage>) {
    this.#core = core;
    this.#send = send;
  }

  /** Uploads the encrypted file, reporting progress, then sends its `file` message. */
  async send(convId: string, data: Blob | Uint8Array, meta: FileMeta, opts: UploadOptions): Promise<ChatMessage> {
    const files = await import("../files.js");
    const uploadId = randomId("up_");
    const progress = (sent: number, total: number, done: boolean) =>
      this.#core.events.emit("upload-progress", {
        conversationId: convId,
        uploadId,
        name: meta.name,
        sent,
        total,
        done,
      });
    const file = await files.uploadFile(
      this.#transport(),
      convId,
      { data, meta },
      {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (p) => {
          opts.onProgress?.(p);
          progress(p.sent, p.total, false);
        },
      },
    );
    progress(file.size, file.size, true);
    return this.#send(
      convId,
      meta.caption === undefined ? { type: "file", file } : { type: "file", file, caption: meta.caption },
    );
  }

  /** Downloads and decrypts a file; resolves only with the whole, verified plaintext. */
  async download(convId: string, file: FileRef, opts: DownloadOptions): Promise<Uint8Array> {
    const files = await import("../files.js");
    return files.downloadFile(this.#transport(), convId, file, opts);
  }

  #transport(): FileTransport {
    const core = this.#core;
    core.requireSession();
    this.#files ??= {
      fetch: core.o.fetch,
      gatewayUrl: core.o.gatewayUrl,
      apiToken: () => core.session?.apiToken ?? "",
    };
    return this.#files;
  }
}
