import type { ParleyClient } from "@parley/sdk";
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { translator } from "../i18n/index.js";
import { type AttachAction, attachActions, attachContext } from "./attach-actions.js";
import { AttachMenu } from "./attach-menu.js";
import { AttachmentTray } from "./attachment-tray.js";
import { ready } from "./client-ready.js";
import { composerKey } from "./composer-keys.js";
import { confirmInvite, outgoing } from "./composer-send.js";
import { inviteTarget, type Mentionable } from "./invite-target.js";
import { MentionList } from "./mention-list.js";
import { styles } from "./parley-composer.styles.js";
import { NO_FEATURES, type ShopFeatures } from "./shop-features.js";

export { inviteTarget, type Mentionable } from "./invite-target.js";

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
 * "Invited @handle" then shows above the box as a passing confirmation (a
 * polite live region, always in the tree so screen readers announce it): it
 * goes with the next send, and once the invite is accepted or declined.
 *
 * The element keeps the text, the alerts and the send; its parts live beside
 * it: the keys (composer-keys.ts), the `@` list (mention-list.ts, its rules in
 * invite-target.ts), the attachments (attachment-tray.ts, their uploads in
 * composer-uploads.ts), the attach menu (attach-menu.ts) and what a send
 * takes with the invite confirmation (composer-send.ts).
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
    error: { state: true },
    info: { state: true },
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
  declare error: string;
  /** @internal Rendering state. */
  declare info: string;
  #composing = false;
  readonly #tray = new AttachmentTray(this);
  readonly #mentions = new MentionList(this, (area) => {
    this.text = area.value;
  });
  readonly #menu = new AttachMenu(this, (a) => this.#runAction(a));
  /** Stops following the invite "Invited @handle" confirms (it goes once the invite is answered). */
  #offInvite: (() => void) | undefined;

  constructor() {
    super();
    this.features = NO_FEATURES;
    this.locale = "en";
    this.mentionable = [];
    this.disabled = false;
    this.text = "";
    this.error = "";
    this.info = "";
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = styles;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("conversationId")) {
      this.error = "";
      this.#clearInfo();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#clearInfo();
  }

  /** Takes "Invited @handle" away and stops following its invite. */
  #clearInfo(): void {
    this.info = "";
    this.#offInvite?.();
    this.#offInvite = undefined;
  }

  /** Shows "Invited @handle" until the next send, or until the invite `id` is accepted or declined. */
  #confirmInvite(client: ParleyClient, id: string, handle: string): void {
    this.#clearInfo();
    this.info = translator(this.locale).t("composer.invited", { handle: `@${handle}` });
    this.#offInvite = client.on("invitation", (invite) => {
      if (invite.id === id && invite.status !== "pending") this.#clearInfo();
    });
  }

  /** Adds files as attachments to preview before sending. */
  addFiles(files: Iterable<File>): void {
    this.#tray.add(files);
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
    this.#mentions.suggest(area, this.mentionable);
    if (this.client && this.conversationId) this.client.typing(this.conversationId, this.text.trim() !== "");
  }

  /** An IME composition is open from `compositionstart` to `compositionend`. */
  #onComposition(e: CompositionEvent): void {
    this.#composing = e.type === "compositionstart";
  }

  #onKeydown(e: KeyboardEvent): void {
    const action = composerKey(e, this.#mentions.state, this.#composing);
    if (action.do === "none") return;
    e.preventDefault();
    if (action.do === "move") this.#mentions.highlight(action.active);
    else if (action.do === "pick") this.#mentions.pick(this.#textarea(), action.index);
    else if (action.do === "close") this.#mentions.close();
    else void this.send();
  }

  /** Sends the text and the attachments (the invite rule first, see the class comment). */
  async send(): Promise<void> {
    const client = this.client;
    const out = outgoing(this.text, this.#tray.items, this.mentionable);
    if (!client || this.disabled || !out) return;
    const { text, files, handle } = out;
    const tr = translator(this.locale);
    this.#clearInfo(); // a passing confirmation: the next send takes it away
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
      const result = await confirmInvite(this.renderRoot, { client, convId, handle, locale: this.locale });
      this.#textarea()?.focus();
      if (result.error) this.error = result.error;
      if (!result.invite) return;
      this.#confirmInvite(client, result.invite.id, handle);
      const detail = { handle, history: result.invite.history };
      this.dispatchEvent(new CustomEvent("parley-invited", { detail, bubbles: true, composed: true }));
      clear();
    }
    this.#mentions.close();
    client.typing(convId, false);
    if (text) client.send(convId, text).catch(() => undefined); // failures show on the message (Retry)
    for (const a of files) void this.#tray.upload(client, convId, a);
  }

  /** Sets the text and the textarea. */
  #put(text: string): void {
    this.text = text;
    const area = this.#textarea();
    if (area) area.value = text;
  }

  protected override render() {
    const tr = translator(this.locale);
    const aria = this.#mentions.aria();
    const target = inviteTarget(this.text.trim(), this.mentionable);
    const tray = this.#tray;
    return html`<div part="composer" @dragover=${tray.dragOver} @dragleave=${tray.dragLeave} @drop=${tray.drop}>
      ${tray.render(tr)}
      ${this.error ? html`<p class="message failed" role="alert">${this.error}</p>` : nothing}
      <p class="message" role="status" aria-live="polite" data-info>${this.info && !this.error ? this.info : nothing}</p>
      ${
        target && !this.#mentions.open
          ? html`<button type="button" class="invite-action" @click=${() => this.send()}>
              ${tr.t("composer.inviteAction", { handle: `@${target}` })}
            </button>`
          : nothing
      }
      ${this.#mentions.render(tr, () => this.#textarea())}
      <div class="row">
        ${this.#menu.render(tr, this.#actions(), this.disabled)}
        <input type="file" multiple hidden @change=${tray.picked} />
        <label class="sr-only" for="input">${tr.t("composer.label")}</label>
        <textarea id="input" part="input" rows="1" placeholder=${tr.t("composer.placeholder")}
          ?disabled=${this.disabled}
          aria-controls=${aria.controls} aria-activedescendant=${aria.active}
          .value=${this.text}
          @input=${this.#onInput} @keydown=${this.#onKeydown} @paste=${tray.paste}
          @compositionstart=${this.#onComposition} @compositionend=${this.#onComposition}
          @blur=${() => this.#mentions.close()}></textarea>
        <button type="button" class="icon-button send" part="send-button" aria-label=${tr.t("composer.send")}
          ?disabled=${this.disabled} @click=${() => this.send()}>
          <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12h15m-6-7 7 7-7 7" /></svg>
        </button>
      </div>
      ${tray.dragging ? html`<div class="drop">${tr.t("composer.dropHint")}</div>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-composer": ParleyComposer;
  }
}
