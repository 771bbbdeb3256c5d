/**
 * The composer's attachments before and while they are sent: files added from
 * the file picker, a paste or a drop (a drop of text is left to the
 * textarea), previews for images, the "drop here" state while files are
 * dragged over, removing or cancelling one, and the cleanup (previews
 * revoked, uploads aborted) when the composer leaves the page. The upload
 * itself and how one attachment looks are in composer-uploads.ts.
 */
import type { ParleyClient } from "@parley/sdk";
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from "lit";
import type { Translator } from "../i18n/index.js";
import { type Attachment, attachmentView, uploadAttachment } from "./composer-uploads.js";

const PREVIEWABLE = /^image\/(png|jpeg|gif|webp)$/;

/** Whether a file of this MIME type gets a thumbnail before it is sent (PNG, JPEG, GIF, WebP). */
export function previewable(mime: string): boolean {
  return PREVIEWABLE.test(mime);
}

/** The attachments a send takes: those neither uploading already nor failed. */
export function sendable(attachments: readonly Attachment[]): Attachment[] {
  return attachments.filter((a) => !a.abort && !a.failed);
}

/** Whether a drag carries files (not text or a link). */
export function carriesFiles(types: Iterable<string> | undefined): boolean {
  return [...(types ?? [])].includes("Files");
}

/** The attachments of a composer; the host re-renders when they change. */
export class AttachmentTray implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #items: Attachment[] = [];
  #dragging = false;
  #next = 1;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostDisconnected(): void {
    for (const a of this.#items) {
      if (a.preview) URL.revokeObjectURL(a.preview);
      a.abort?.abort();
    }
    this.#set([]);
  }

  /** The attachments, in the order they were added. */
  get items(): readonly Attachment[] {
    return this.#items;
  }

  /** True while files are dragged over the composer. */
  get dragging(): boolean {
    return this.#dragging;
  }

  #set(items: Attachment[]): void {
    this.#items = items;
    this.#host.requestUpdate();
  }

  #setDragging(dragging: boolean): void {
    this.#dragging = dragging;
    this.#host.requestUpdate();
  }

  /** Adds files to preview before sending. */
  add(files: Iterable<File>): void {
    const added: Attachment[] = [];
    for (const file of files) {
      added.push({
        id: this.#next++,
        file,
        ...(previewable(file.type) ? { preview: URL.createObjectURL(file) } : {}),
      });
    }
    if (added.length > 0) this.#set([...this.#items, ...added]);
  }

  /** Removes one (cancelling its upload and revoking its preview). */
  remove(id: number): void {
    const a = this.#items.find((x) => x.id === id);
    if (!a) return;
    a.abort?.abort();
    if (a.preview) URL.revokeObjectURL(a.preview);
    this.#set(this.#items.filter((x) => x.id !== id));
  }

  /** Uploads and sends `a`; it leaves the tray once sent, and stays (marked failed) when the upload fails. */
  async upload(client: ParleyClient, convId: string, a: Attachment): Promise<void> {
    if (await uploadAttachment(client, convId, a, () => this.#set([...this.#items]))) this.remove(a.id);
  }

  /** `paste` on the textarea: pasted files become attachments (pasted text is left alone). */
  readonly paste = (e: ClipboardEvent): void => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    this.add(files);
  };

  /** `dragover` on the composer: shows the drop hint while files are dragged. */
  readonly dragOver = (e: DragEvent): void => {
    if (!carriesFiles(e.dataTransfer?.types)) return;
    e.preventDefault();
    this.#setDragging(true);
  };

  /** `dragleave` on the composer. */
  readonly dragLeave = (): void => {
    this.#setDragging(false);
  };

  /** `drop` on the composer: dropped files become attachments (dropped text goes into the textarea as usual). */
  readonly drop = (e: DragEvent): void => {
    this.#setDragging(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    this.add(files);
  };

  /** `change` on the hidden file input: its files become attachments and it is emptied for the next pick. */
  readonly picked = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    this.add([...(input.files ?? [])]);
    input.value = "";
  };

  /** The list of previews and uploads, or nothing when there are none. */
  render(tr: Translator) {
    if (this.#items.length === 0) return nothing;
    return html`<ul class="attachments" part="attachments">${this.#items.map((a) =>
      attachmentView(a, tr, () => this.remove(a.id)),
    )}</ul>`;
  }
}
