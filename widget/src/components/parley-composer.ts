import type { InviteInfo, ParleyClient } from "@parley/sdk";
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { stripBidiControls } from "../i18n/bidi.js";
import { translator } from "../i18n/index.js";
import { type AttachAction, attachActions, attachContext } from "./attach-actions.js";
import { AttachMenu } from "./attach-menu.js";
import { ready } from "./client-ready.js";
import { type Attachment, attachmentView, uploadAttachment } from "./composer-uploads.js";
import { completeMention, inviteTarget, type Mentionable, mentionSuggestions } from "./invite-target.js";
import { kit } from "./panel-kit.js";
import { styles } from "./parley-composer.styles.js";
import { NO_FEATURES, type ShopFeatures } from "./shop-features.js";

export { inviteTarget, type Mentionable } from "./invite-target.js";

const PREVIEWABLE = /^image\/(png|jpeg|gif|webp)$/;

/**
 * `<parley-composer>`: the message box. Enter sends, Shift+Enter starts a new
 * line, and nothing is sent while an IME composition is open. A message sent
 * while the client still connects leaves the box at once and goes out once
 * connected (the box gets it back if connecting fails). Typing sends
 * (throttled) typing signals. Files come from the attach button, paste or
 * drag and drop; they are previewed (images as thumbnails) before sending and
 * then uploaded with a progress bar and a cancel button each.
 *
 * Mentions and invites: typing `@` opens a list of the conversation's members
 * with handles (never anyone else: no prefix search over people). The invite
 * rule: when a message's first word is `@handle` and no current member holds
 * that handle, the composer offers "Invite @handle…"; choosing it (or sending)
 * looks the handle up (`client.lookupHandle`) and opens the invite
 * confirmation (`panels/invite-dialog.ts`, loaded on demand) with the history
 * choice. Once the invite is sent, the message goes out as typed; on Cancel or
 * a failed lookup nothing is sent, the text stays, and focus is back in the
 * textarea (the alert says why a lookup failed: no such handle, too many
 * lookups, offline). A handle anywhere else in the text never invites.
 *
 * @csspart composer - the whole composer
 * @csspart input - the textarea
 * @csspart send-button - the send button
 * @csspart attach-button - the attach button
 * @csspart attachments - previews and uploads
 * @fires parley-invited - detail `{ handle, history }`, after an invite from the invite rule
 */
export class ParleyComposer extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    client: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    locale: {},
    mentionable: { attribute: false },
    disabled: { type: Boolean },
    resolveConversation: { attribute: false },
    features: { attribute: false },
    text: { state: true },
    attachments: { state: true },
    suggestions: { state: true },
    active: { state: true },
    error: { state: true },
    info: { state: true },
    dragging: { state: true },
  };

  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** The conversation shown (attribute `conversation-id`). */
  declare conversationId: string | undefined;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  /** Members and team with handles: the `@` list and the invite rule. */
  declare mentionable: readonly Mentionable[];
  /** Sending and attaching are off while true. */
  declare disabled: boolean;
  /** Called on the first send when there is no conversation yet; resolves its id. */
  declare resolveConversation: (() => Promise<string>) | undefined;
  /** The shop's map tiles and audio (shop-features.ts); `{}` when it has none. @default {} */
  declare features: ShopFeatures;
  /** @internal Rendering state. */
  declare text: string;
  /** @internal Rendering state. */
  declare attachments: Attachment[];
  /** @internal Rendering state. */
  declare suggestions: Mentionable[];
  /** @internal Rendering state. */
  declare active: number;
  /** @internal Rendering state. */
  declare error: string;
  /** @internal Rendering state. */
  declare info: string;
  /** @internal Rendering state. */
  declare dragging: boolean;
  #composing = false;
  #next = 1;
  readonly #menu = new AttachMenu(this, (a) => this.#runAction(a));

  constructor() {
    super();
    this.features = NO_FEATURES;
    this.locale = "en";
    this.mentionable = [];
    this.disabled = false;
    this.text = "";
    this.attachments = [];
    this.suggestions = [];
    this.active = 0;
    this.error = "";
    this.info = "";
    this.dragging = false;
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = styles;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const a of this.attachments) {
      if (a.preview) URL.revokeObjectURL(a.preview);
      a.abort?.abort();
    }
    this.attachments = [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("conversationId")) {
      this.error = "";
      this.info = "";
    }
  }

  /** Adds files as attachments to preview before sending. */
  addFiles(files: Iterable<File>): void {
    const added: Attachment[] = [];
    for (const file of files) {
      added.push({
        id: this.#next++,
        file,
        ...(PREVIEWABLE.test(file.type) ? { preview: URL.createObjectURL(file) } : {}),
      });
    }
    if (added.length > 0) this.attachments = [...this.attachments, ...added];
  }

  #actions(): AttachAction[] {
    return attachActions.filter((a) => a.available?.(this.features) ?? true);
  }

  /** Runs an attach menu entry (its code loads on demand); a failure to load is said in the alert. */
  async #runAction(action: AttachAction): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await action.run(
        attachContext({
          client,
          conversation: async () => this.conversationId ?? (await this.resolveConversation?.()),
          locale: this.locale,
          features: this.features,
          root: this.renderRoot,
          pickFiles: () => this.renderRoot.querySelector<HTMLInputElement>("input[type=file]")?.click(),
          restoreFocus: () => this.#menu.focusButton(),
        }),
      );
    } catch {
      this.error = translator(this.locale).t("status.offline"); // its code could not be fetched
    }
  }

  #textarea(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector("textarea");
  }

  #onInput(e: Event): void {
    const area = e.target as HTMLTextAreaElement;
    this.text = area.value;
    this.error = "";
    this.#suggest(area);
    if (this.client && this.conversationId) this.client.typing(this.conversationId, this.text.trim() !== "");
  }

  #suggest(area: HTMLTextAreaElement): void {
    this.suggestions = mentionSuggestions(
      area.value.slice(0, area.selectionStart ?? area.value.length),
      this.mentionable,
    );
    this.active = 0;
  }

  #pick(m: Mentionable): void {
    const area = this.#textarea();
    if (!area) return;
    const caret = area.selectionStart ?? area.value.length;
    const before = completeMention(area.value.slice(0, caret), m.handle);
    area.value = before + area.value.slice(caret);
    area.setSelectionRange(before.length, before.length);
    this.text = area.value;
    this.suggestions = [];
    area.focus();
  }

  #onKeydown(e: KeyboardEvent): void {
    if (this.suggestions.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = this.suggestions.length;
        this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        return;
      }
      if ((e.key === "Enter" || e.key === "Tab") && !e.isComposing) {
        const pick = this.suggestions[this.active];
        if (pick) {
          e.preventDefault();
          this.#pick(pick);
          return;
        }
      }
      if (e.key === "Escape") {
        e.preventDefault();
        this.suggestions = [];
        return;
      }
    }
    // keyCode 229: the key went to an IME (Safari reports isComposing late).
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !this.#composing && e.keyCode !== 229) {
      e.preventDefault();
      void this.send();
    }
  }

  /** Sends the text and the attachments (the invite rule first, see the class comment). */
  async send(): Promise<void> {
    const client = this.client;
    const text = this.text.trim();
    const files = this.attachments.filter((a) => !a.abort && !a.failed);
    if (!client || this.disabled || (text === "" && files.length === 0)) return;
    const tr = translator(this.locale);
    const handle = text ? inviteTarget(text, this.mentionable) : undefined;
    // Cleared only while it still holds what is sent (words typed during an await stay). A plain message
    // leaves at once, even while the client still connects; an invite's text waits for the confirmation.
    const clear = () => this.text.trim() === text && this.#put("");
    if (!handle) clear();
    let convId = this.conversationId;
    try {
      await ready(client);
      convId ??= await this.resolveConversation?.();
    } catch {
      this.error = tr.t("chat.error.load");
      if (!handle && this.text.trim() === "") this.#put(text); // back in the box, unless something new was typed
      return;
    }
    if (!convId) return;
    if (handle) {
      const invite = await this.#confirmInvite(client, convId, handle);
      if (!invite) return;
      this.info = tr.t("composer.invited", { handle: `@${handle}` });
      const detail = { handle, history: invite.history };
      this.dispatchEvent(new CustomEvent("parley-invited", { detail, bubbles: true, composed: true }));
      clear();
    }
    this.suggestions = [];
    client.typing(convId, false);
    if (text) client.send(convId, text).catch(() => undefined); // failures show on the message (Retry)
    for (const a of files) void this.#upload(client, convId, a);
  }

  /** Sets the text and the textarea. */
  #put(text: string): void {
    this.text = text;
    const area = this.#textarea();
    if (area) area.value = text;
  }

  /**
   * Looks the handle up and asks for confirmation (both in the invite panel, loaded on demand with
   * its strings); resolves with the invite once sent, or nothing when the lookup failed (said in the
   * alert) or the person cancelled. Focus is back in the textarea afterwards.
   */
  async #confirmInvite(client: ParleyClient, convId: string, handle: string): Promise<InviteInfo | undefined> {
    let result: { invite?: InviteInfo; error?: string };
    try {
      const { confirmInvite } = await import("../panels/invite-dialog.js");
      result = await confirmInvite(kit, this.renderRoot, { client, convId, handle, locale: this.locale });
    } catch {
      result = { error: translator(this.locale).t("status.offline") }; // the panel's code could not be fetched
    }
    this.#textarea()?.focus();
    if (result.error) this.error = result.error;
    return result.invite;
  }

  async #upload(client: ParleyClient, convId: string, a: Attachment): Promise<void> {
    if (await uploadAttachment(client, convId, a, () => (this.attachments = [...this.attachments]))) {
      this.#remove(a.id);
    }
  }

  #remove(id: number): void {
    const a = this.attachments.find((x) => x.id === id);
    if (!a) return;
    a.abort?.abort();
    if (a.preview) URL.revokeObjectURL(a.preview);
    this.attachments = this.attachments.filter((x) => x.id !== id);
  }

  #onPaste(e: ClipboardEvent): void {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    this.addFiles(files);
  }

  #onDrop(e: DragEvent): void {
    this.dragging = false;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return; // dropped text goes into the textarea as usual
    e.preventDefault();
    this.addFiles(files);
  }

  #onDragOver(e: DragEvent): void {
    if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
    e.preventDefault();
    this.dragging = true;
  }

  #attachmentView(a: Attachment) {
    return attachmentView(a, translator(this.locale), () => this.#remove(a.id));
  }

  protected override render() {
    const tr = translator(this.locale);
    const open = this.suggestions.length > 0;
    const target = inviteTarget(this.text.trim(), this.mentionable);
    return html`<div part="composer" @dragover=${this.#onDragOver} @dragleave=${() => {
      this.dragging = false;
    }} @drop=${this.#onDrop}>
      ${
        this.attachments.length > 0
          ? html`<ul class="attachments" part="attachments">${this.attachments.map((a) => this.#attachmentView(a))}</ul>`
          : nothing
      }
      ${this.error ? html`<p class="message failed" role="alert">${this.error}</p>` : nothing}
      ${this.info && !this.error ? html`<p class="message" role="status">${this.info}</p>` : nothing}
      ${
        target && !open
          ? html`<button type="button" class="invite-action" @click=${() => this.send()}>
              ${tr.t("composer.inviteAction", { handle: `@${target}` })}
            </button>`
          : nothing
      }
      ${
        open
          ? html`<ul role="listbox" id="mentions" aria-label=${tr.t("composer.mentions")}>
              ${this.suggestions.map(
                (
                  m,
                  i,
                ) => html`<li role="option" id=${`mention-${i}`} aria-selected=${i === this.active ? "true" : "false"}
                  @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.#pick(m)}>
                  <bdi>${stripBidiControls(m.displayName)}</bdi><span class="handle">@${m.handle}</span>
                </li>`,
              )}
            </ul>`
          : nothing
      }
      <div class="row">
        ${this.#menu.render(tr, this.#actions(), this.disabled)}
        <input type="file" multiple hidden @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          this.addFiles([...(input.files ?? [])]);
          input.value = "";
        }} />
        <label class="sr-only" for="input">${tr.t("composer.label")}</label>
        <textarea id="input" part="input" rows="1" placeholder=${tr.t("composer.placeholder")}
          ?disabled=${this.disabled}
          aria-controls=${open ? "mentions" : nothing}
          aria-activedescendant=${open ? `mention-${this.active}` : nothing}
          .value=${this.text}
          @input=${this.#onInput} @keydown=${this.#onKeydown} @paste=${this.#onPaste}
          @compositionstart=${() => {
            this.#composing = true;
          }}
          @compositionend=${() => {
            this.#composing = false;
          }}
          @blur=${() => {
            this.suggestions = [];
          }}></textarea>
        <button type="button" class="icon-button send" part="send-button" aria-label=${tr.t("composer.send")}
          ?disabled=${this.disabled} @click=${() => this.send()}>
          <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12h15m-6-7 7 7-7 7" /></svg>
        </button>
      </div>
      ${this.dragging ? html`<div class="drop">${tr.t("composer.dropHint")}</div>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-composer": ParleyComposer;
  }
}
