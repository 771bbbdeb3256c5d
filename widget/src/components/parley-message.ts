import type { ChatMessage, FileRef, MessageBody, ParleyClient, PendingMessage } from "@parley/sdk";
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { stripBidiControls } from "../i18n/bidi.js";
import { translator } from "../i18n/index.js";
import { loadCalls } from "./calls-hook.js";
import { safeFileName } from "./file-name.js";
import { linkify } from "./linkify.js";
import { loadListen } from "./listen-loader.js";
import { kit } from "./panel-kit.js";
import { styles } from "./parley-message.styles.js";
import { NO_FEATURES, type ShopFeatures } from "./shop-features.js";

/** A confirmed message, optionally shared into the conversation by someone (history grants). */
export type ShownMessage = ChatMessage | PendingMessage;

const PREVIEW_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const PREVIEW_MAX_BYTES = 10 * 1024 * 1024;

/** Decrypted image bytes by file id, so a bubble scrolled out and back in is not fetched again. */
const imageCache = new Map<string, Promise<Blob>>();
const IMAGE_CACHE_SIZE = 40;

function cachedImage(client: ParleyClient, convId: string, file: FileRef): Promise<Blob> | undefined {
  let entry = imageCache.get(file.id);
  if (!entry) {
    entry = client.downloadFile(convId, file).then((bytes) => new Blob([bytes as BlobPart], { type: file.mime }));
    entry.catch(() => imageCache.delete(file.id));
    imageCache.set(file.id, entry);
    if (imageCache.size > IMAGE_CACHE_SIZE) imageCache.delete(imageCache.keys().next().value as string);
  }
  return entry;
}

/** The card renderers (widget/src/cards/), loaded the first time a card or card event shows (ADR 0026). */
let cards: Promise<void> | undefined;
const loadCards = (): Promise<void> =>
  (cards ??= import("../cards/index.js").then(
    (m) => m.define(kit),
    () => {
      cards = undefined;
    },
  ));

/** The location renderers (widget/src/location/), loaded the first time a place or its stop shows. */
let places: Promise<void> | undefined;
const loadPlaces = (): Promise<void> =>
  (places ??= import("../location/index.js").then(
    (m) => m.define(kit),
    () => {
      places = undefined;
    },
  ));

export function isPending(m: ShownMessage): m is PendingMessage {
  return (m as PendingMessage).state !== undefined;
}

/**
 * `<parley-message>`: one message bubble. Text is rendered through Lit text
 * bindings only, with `https:` and `mailto:` URLs turned into links; file
 * messages show name, size and a download button, and PNG/JPEG/GIF/WebP
 * images a thumbnail decrypted into a `blob:` URL (revoked when the element
 * leaves the page). Messages that could not be decrypted show a neutral
 * notice and nothing of their content.
 *
 * @csspart message - the row holding the bubble
 * @csspart bubble - the bubble
 * @csspart retry-button - "Retry" on a message that was not sent
 * @fires parley-retry - detail `{ msgId }`, after asking the client to send again
 * @fires parley-discard - detail `{ msgId }`, after dropping the message from the outbox
 */
export class ParleyMessage extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    message: { attribute: false },
    client: { attribute: false },
    own: { type: Boolean, reflect: true },
    senderName: { attribute: false },
    sharedByName: { attribute: false },
    locale: {},
    names: { attribute: false },
    seen: { type: Boolean },
    stalled: { type: Boolean },
    queued: { type: Boolean },
    features: { attribute: false },
    imageUrl: { state: true },
    downloadError: { state: true },
  };

  /** The message to show: confirmed or still pending. */
  declare message: ShownMessage | undefined;
  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** Sent by the signed-in principal (aligned to the end). */
  declare own: boolean;
  /** The sender's display name, shown above messages of others. */
  declare senderName: string;
  /** Display name of whoever shared this message's key with this device (a history grant), when someone did. */
  declare sharedByName: string | undefined;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  /** Display names by principal id (for the people on cards). */
  declare names: Record<string, string> | undefined;
  /** Read by someone else (shown on the own last message). */
  declare seen: boolean;
  /** A message still "sending" that the list treats as not sent (offline, or taking too long). */
  declare stalled: boolean;
  /** A message still "sending" while the client has no connection: it goes out once it is back. */
  declare queued: boolean;
  /** The shop's map tiles and audio (shop-features.ts); `{}` when it has none. @default {} */
  declare features: ShopFeatures;
  /** @internal Rendering state. */
  declare imageUrl: string | undefined;
  /** @internal Rendering state. */
  declare downloadError: boolean;
  #imageFor: string | undefined;

  constructor() {
    super();
    this.features = NO_FEATURES;
    this.own = false;
    this.senderName = "";
    this.locale = "en";
    this.seen = false;
    this.stalled = false;
    this.queued = false;
    this.downloadError = false;
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = styles;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#revoke();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("message") || changed.has("client")) this.#maybePreview();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#maybePreview();
  }

  #revoke(): void {
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    this.imageUrl = undefined;
    this.#imageFor = undefined;
  }

  #maybePreview(): void {
    const m = this.message;
    const body = m?.body;
    if (!m || isPending(m) || !this.client || body?.type !== "file") return;
    const file = body.file;
    if (!PREVIEW_TYPES.has(file.mime) || file.size > PREVIEW_MAX_BYTES || this.#imageFor === file.id) return;
    this.#revoke();
    this.#imageFor = file.id;
    cachedImage(this.client, m.convId, file)?.then(
      (blob) => {
        if (this.#imageFor !== file.id || !this.isConnected) return;
        this.imageUrl = URL.createObjectURL(blob);
      },
      () => undefined,
    );
  }

  async #download(file: FileRef): Promise<void> {
    const m = this.message;
    if (!m || !this.client) return;
    this.downloadError = false;
    try {
      const bytes = await this.client.downloadFile(m.convId, file);
      // Saved as an opaque download, never opened in the frame.
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = safeFileName(file.name);
      a.rel = "noopener";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 30_000);
    } catch {
      this.downloadError = true;
    }
  }

  async #retry(msgId: string): Promise<void> {
    await this.client?.retry(msgId);
    this.dispatchEvent(new CustomEvent("parley-retry", { detail: { msgId }, bubbles: true, composed: true }));
  }

  async #discard(msgId: string): Promise<void> {
    await this.client?.discard(msgId);
    this.dispatchEvent(new CustomEvent("parley-discard", { detail: { msgId }, bubbles: true, composed: true }));
  }

  #body(body: MessageBody | undefined): TemplateResult {
    const tr = translator(this.locale);
    if (!body) return html`<span class="unreadable">${tr.t("msg.undecryptable")}</span>`;
    switch (body.type) {
      case "text":
        return html`<span class="text" dir="auto">${linkify(body.text).map((run) =>
          "href" in run
            ? html`<a href=${run.href} target="_blank" rel="noopener noreferrer nofollow">${run.text}</a>`
            : run.text,
        )}</span>`;
      case "system":
        // Inside its sender's bubble, as plain text: never a timeline notice (those come from the
        // gateway's records, not from message bodies, which any member can write).
        return html`<span class="text" dir="auto">${body.text}</span>`;
      case "file": {
        const file = body.file;
        // What the bubble shows is what the download is saved as (file-name.ts).
        const name = safeFileName(file.name);
        return html`${
          this.imageUrl
            ? html`<img src=${this.imageUrl} alt=${tr.t("msg.imageAlt", { name })}
                width=${file.image?.width ?? nothing} height=${file.image?.height ?? nothing} />`
            : nothing
        }<span class="file"
            ><span><bdi class="name">${name}</bdi> · ${tr.size(file.size)}</span>
            ${
              this.message && !isPending(this.message)
                ? html`<button type="button" aria-label=${tr.t("msg.download", { name })}
                    @click=${() => this.#download(file)}>
                    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 4v11m-5-5 5 5 5-5M5 20h14" /></svg>
                  </button>`
                : nothing
            }</span
          >${body.caption ? html`<div>${body.caption}</div>` : nothing}${
            this.downloadError ? html`<div role="alert">${tr.t("msg.downloadFailed")}</div>` : nothing
          }`;
      }
      default:
        return html`<span class="system">${tr.t("msg.card")}</span>`;
    }
  }

  #meta(m: ShownMessage): TemplateResult {
    const tr = translator(this.locale);
    if (isPending(m)) {
      if (m.state !== "failed" && this.queued) {
        return html`<span class="queued" data-state="queued">${tr.t("msg.queued")}</span>`;
      }
      if (m.state === "failed" || this.stalled) {
        const why = m.state === "failed" ? m.error?.code : undefined;
        const text =
          why === "quota_exceeded" || why === "payload_too_large" ? tr.t(`msg.failed.${why}`) : tr.t("msg.failed");
        return html`<span class="failed" data-state="failed">${text}</span>
          <button type="button" part="retry-button" @click=${() => this.#retry(m.msgId)}>${tr.t("msg.retry")}</button>
          <button type="button" @click=${() => this.#discard(m.msgId)}>${tr.t("msg.discard")}</button>`;
      }
      return html`<span data-state="sending">${tr.t("msg.sending")}</span>`;
    }
    const time = html`<time datetime=${new Date(m.ts).toISOString()}>${tr.time(m.ts)}</time>`;
    if (!this.own) return time;
    return html`${time}<span data-state=${this.seen ? "seen" : "sent"}>${tr.t(this.seen ? "msg.seen" : "msg.sent")}</span>`;
  }

  protected override render(): TemplateResult | typeof nothing {
    const m = this.message;
    if (!m) return nothing;
    const type = m.body?.type;
    if (type === "card" || type === "card-event") {
      void loadCards();
      // A card-event is a centred line of the timeline (or nothing), never a bubble.
      return type === "card"
        ? html`<div class="row" part="message"><parley-card .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names}></parley-card><div class="meta">${this.#meta(m)}</div></div>`
        : html`<parley-card-note .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names}></parley-card-note>`;
    }
    if (type === "listen" || type === "listen-event") {
      void loadListen().catch(() => undefined);
      // The session is a card; of its events only the end leaves a centred line (the rest are hidden).
      return type === "listen"
        ? html`<div class="row" part="message"><parley-listen-card .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names} .features=${this.features}></parley-listen-card><div class="meta">${this.#meta(m)}</div></div>`
        : html`<parley-listen-note .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names}></parley-listen-note>`;
    }
    if (type === "location" || type === "location-event") {
      void loadPlaces();
      return type === "location"
        ? html`<div class="row" part="message"><parley-location .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names} .features=${this.features}></parley-location><div class="meta">${this.#meta(m)}</div></div>`
        : html`<parley-location-note .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names}></parley-location-note>`;
    }
    // A call is one line that changes in place (calls/call-note.ts); its events leave nothing.
    if (type === "call" || type === "call-event") {
      void loadCalls().catch(() => undefined);
      return type === "call"
        ? html`<parley-call-note .client=${this.client} .message=${m} .locale=${this.locale} .names=${this.names}></parley-call-note>`
        : nothing;
    }
    // A stored live signal is never shown (live updates travel as signals, not messages).
    if (type === "live") return nothing;
    const tr = translator(this.locale);
    const shared = !isPending(m) && m.sharedBy ? (this.sharedByName ?? m.sharedBy) : undefined;
    return html`<div class="row" part="message">
      <div class="bubble" part="bubble">
        ${shared ? html`<span class="shared">${tr.t("msg.sharedBy", { name: shared })}</span>` : nothing}
        ${this.own ? nothing : html`<span class="sender" dir="auto">${stripBidiControls(this.senderName)}</span>`}
        ${this.#body(m.body)}
      </div>
      <div class="meta">${this.#meta(m)}</div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-message": ParleyMessage;
  }
}
