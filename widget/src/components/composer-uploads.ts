/**
 * The composer's files on their way: what one attachment holds while it is
 * previewed and uploaded, the upload itself (with its image size, progress
 * and cancel), and how an attachment is shown (thumbnail, name, progress or
 * size, failure, cancel or remove).
 */
import { type ParleyClient, ParleyError } from "@parley/sdk";
import { html, nothing } from "lit";
import type { Translator } from "../i18n/index.js";

/** One file in the composer. */
export interface Attachment {
  id: number;
  file: File;
  /** `blob:` URL of a previewable image. */
  preview?: string;
  sent?: number;
  total?: number;
  abort?: AbortController;
  failed?: boolean;
  /** Why it failed, when the gateway said in a way the composer words: the file, or the shop's storage. */
  failure?: "too_large" | "quota_exceeded";
}

/**
 * Uploads and sends `a` (an image with its width and height), telling `changed` as its progress moves.
 * Resolves true once sent; false when it was cancelled or failed (then `a.failed` is set).
 */
export async function uploadAttachment(
  client: ParleyClient,
  convId: string,
  a: Attachment,
  changed: () => void,
): Promise<boolean> {
  a.abort = new AbortController();
  a.sent = 0;
  a.total = a.file.size;
  changed();
  const onProgress = (p: { sent: number; total: number }) => {
    a.sent = p.sent;
    a.total = p.total;
    changed();
  };
  try {
    let image: { width: number; height: number } | undefined;
    if (a.preview && typeof createImageBitmap === "function") {
      const bitmap = await createImageBitmap(a.file).catch(() => undefined);
      if (bitmap) image = { width: bitmap.width, height: bitmap.height };
      bitmap?.close();
    }
    await client.sendFile(
      convId,
      a.file,
      { name: a.file.name, mime: a.file.type || "application/octet-stream", ...(image ? { image } : {}) },
      { onProgress, signal: a.abort.signal },
    );
    return true;
  } catch (err) {
    if (a.abort.signal.aborted) return false;
    a.failed = true;
    const code = err instanceof ParleyError ? err.code : undefined;
    if (code === "too_large" || code === "quota_exceeded") a.failure = code;
    a.abort = undefined;
    changed();
    return false;
  }
}

/** One attachment in the list: thumbnail, name, progress (or size), failure, and its cancel or remove button. */
export function attachmentView(a: Attachment, tr: Translator, remove: () => void) {
  const name = a.file.name;
  return html`<li>
    ${a.preview ? html`<img src=${a.preview} alt="" />` : nothing}
    <span class="name">${name}</span>
    ${
      a.abort
        ? html`<progress max=${a.total || 1} value=${a.sent ?? 0} aria-label=${tr.t("composer.uploading", { name })}></progress>`
        : html`<span>${tr.size(a.file.size)}</span>`
    }
    ${a.failed ? html`<span class="failed" role="alert">${tr.t(a.failure ? `composer.uploadFailed.${a.failure}` : "composer.uploadFailed", { name })}</span>` : nothing}
    <button type="button" class="icon-button" aria-label=${tr.t(a.abort ? "composer.cancel" : "composer.remove", { name })}
      @click=${remove}>
      <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
    </button>
  </li>`;
}
