/**
 * `<parley-listen-picker>`: what "Listen together" opens (on demand, from the
 * composer's attach menu). A modal `<dialog>`: the shop's catalog as
 * checkboxes (or "Play all"), a track link with a title (taken only on one
 * of the shop's media origins, its length read from its metadata), the queue
 * so far with Remove, and Start / Cancel. Start is the tap that lets the page
 * play: the first track starts inside the click handler, and
 * `client.listen.start` posts the session. Tab stays inside; Escape or Cancel
 * closes it (not the chat around it); `ask()`
 * resolves when it closes so the opener can take focus back.
 */
import type { ParleyClient } from "@parley/sdk";
import type { CatalogTrack, ShopMedia, Track } from "@parley/sdk/protocol";
import type { TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import { prime } from "./player.js";
import { listenOf } from "./sdk.js";
import { type ListenKey, listenStrings } from "./strings.js";
import { pickerStyles } from "./styles.js";
import { checkLink, measureDuration } from "./track-url.js";
import { failure } from "./view.js";

/** The `<parley-listen-picker>` element. */
export interface ListenPickerElement extends HTMLElement {
  /** The client that starts the session. */
  client: ParleyClient | undefined;
  /** The conversation to listen in. */
  conversationId: string | undefined;
  /** BCP 47 locale (`de*` reads German, others English). */
  locale: string;
  /** The shop's media: the catalog offered, and the origins a link may be on. */
  media: ShopMedia | undefined;
  /** Opens the dialog; resolves whether a session was started once it closes. */
  ask(): Promise<boolean>;
}

const fromCatalog = (t: CatalogTrack): Track => ({
  url: t.url,
  title: t.title,
  ...(t.artist ? { artist: t.artist } : {}),
  durationMs: t.durationMs,
  catalogId: t.id,
});

/** The `<parley-listen-picker>` class built from `kit`. */
export function pickerClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  return class ParleyListenPicker extends kit.LitElement implements ListenPickerElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      conversationId: { attribute: false },
      locale: {},
      media: { attribute: false },
      queue: { state: true },
      linkError: { state: true },
      error: { state: true },
      busy: { state: true },
      measuring: { state: true },
    };
    /** @internal */
    static override styles = pickerStyles(kit);

    /** The client that starts the session. */
    declare client: ParleyClient | undefined;
    /** The conversation to listen in. */
    declare conversationId: string | undefined;
    /** BCP 47 locale. */
    declare locale: string;
    /** The shop's media. */
    declare media: ShopMedia | undefined;
    /** @internal */
    declare queue: Track[];
    /** @internal */
    declare linkError: string;
    /** @internal */
    declare error: ListenKey | undefined;
    /** @internal */
    declare busy: boolean;
    /** @internal */
    declare measuring: boolean;
    #settle: ((started: boolean) => void) | undefined;
    #started = false;

    constructor() {
      super();
      this.locale = "en";
      this.queue = [];
      this.linkError = "";
      this.busy = false;
      this.measuring = false;
    }

    async ask(): Promise<boolean> {
      await this.updateComplete;
      this.renderRoot.querySelector("dialog")?.showModal();
      return new Promise((resolve) => {
        this.#settle = resolve;
      });
    }

    #toggle(t: CatalogTrack, on: boolean): void {
      this.error = undefined;
      this.queue = on ? [...this.queue, fromCatalog(t)] : this.queue.filter((q) => q.catalogId !== t.id);
    }

    async #addLink(form: HTMLFormElement): Promise<void> {
      const s = listenStrings(this.locale);
      const data = new FormData(form);
      const title = String(data.get("title") ?? "").trim();
      const check = checkLink(String(data.get("url") ?? ""), this.media);
      this.linkError = "";
      if (!check.ok) {
        this.linkError =
          check.reason === "badUrl"
            ? s.t("picker.badUrl")
            : s.t("picker.badOrigin", { origins: (this.media?.origins ?? []).join(", "), origin: check.origin });
        return;
      }
      if (!title) {
        this.linkError = s.t("picker.needTitle");
        return;
      }
      this.measuring = true;
      try {
        const durationMs = await measureDuration(check.url);
        this.queue = [...this.queue, { url: check.url, title: title.slice(0, 200), durationMs }];
        form.reset();
        this.error = undefined;
      } catch {
        this.linkError = s.t("picker.unreadable");
      } finally {
        this.measuring = false;
      }
    }

    #start(queue: Track[]): void {
      const listen = listenOf(this.client);
      const convId = this.conversationId;
      if (!listen || !convId || this.busy) return;
      if (queue.length === 0) {
        this.error = "picker.none";
        return;
      }
      prime(queue[0], 0); // the tap: sound may start now
      this.busy = true;
      this.error = undefined;
      listen.start(convId, queue).then(
        () => {
          this.#started = true;
          this.busy = false;
          this.renderRoot.querySelector("dialog")?.close();
        },
        (err: unknown) => {
          this.busy = false;
          this.error = failure(err);
        },
      );
    }

    /** Tab and Shift+Tab wrap inside the dialog: the storefront behind the frame is not inert. */
    #onKeydown = (e: KeyboardEvent) => {
      if (e.key !== "Tab") return;
      const all = [
        ...this.renderRoot.querySelectorAll<HTMLElement>("input:not(:disabled), button:not(:disabled), select"),
      ];
      const active = (this.renderRoot as ShadowRoot).activeElement;
      const to = e.shiftKey ? (active === all[0] ? all.at(-1) : undefined) : active === all.at(-1) ? all[0] : undefined;
      if (!to) return;
      e.preventDefault();
      to.focus();
    };

    #onClose = () => {
      this.#settle?.(this.#started);
      this.#settle = undefined;
      this.remove();
    };

    protected override render(): TemplateResult {
      const s = listenStrings(this.locale);
      const catalog = this.media?.catalog ?? [];
      const picked = new Set(this.queue.map((q) => q.catalogId));
      return html`<dialog aria-labelledby="picker-title" @close=${this.#onClose} @keydown=${this.#onKeydown} data-listen-picker>
        <h2 id="picker-title">${s.t("picker.title")}</h2>
        ${
          catalog.length > 0
            ? html`<fieldset>
                <legend>${s.t("picker.catalog")}</legend>
                <ul>${catalog.map(
                  (t) => html`<li><label class="check">
                    <input type="checkbox" name="track" value=${t.id} .checked=${picked.has(t.id)}
                      @change=${(e: Event) => this.#toggle(t, (e.target as HTMLInputElement).checked)} />
                    <span><span dir="auto">${t.title}</span>${t.artist ? html` · <span dir="auto">${t.artist}</span>` : nothing}
                      <span class="len">· ${s.clock(t.durationMs)}</span></span>
                  </label></li>`,
                )}</ul>
                <div class="row"><button type="button" data-action="play-all" ?disabled=${this.busy}
                  @click=${() => this.#start(catalog.map(fromCatalog))}>${s.t("picker.playAll")}</button></div>
              </fieldset>`
            : nothing
        }
        <form data-form="link" novalidate @submit=${(e: Event) => {
          e.preventDefault();
          void this.#addLink(e.target as HTMLFormElement);
        }}>
          <fieldset>
            <legend>${s.t("picker.url")}</legend>
            <label class="field">${s.t("picker.urlLabel")}
              <input type="url" name="url" autocomplete="off" aria-invalid=${this.linkError ? "true" : "false"}
                aria-describedby=${this.linkError ? "link-error" : nothing} /></label>
            <label class="field">${s.t("picker.titleLabel")}
              <input type="text" name="title" maxlength="200" autocomplete="off" /></label>
            <div class="row"><button type="submit" data-action="add-link" ?disabled=${this.measuring}>${s.t("picker.add")}</button></div>
            ${this.measuring ? html`<p class="sub" role="status">${s.t("picker.measuring")}</p>` : nothing}
            ${this.linkError ? html`<p class="error" id="link-error" role="alert">${this.linkError}</p>` : nothing}
          </fieldset>
        </form>
        <p class="queue-title" id="queue-title">${s.t("picker.queue")}</p>
        ${
          this.queue.length > 0
            ? html`<ol class="queue" aria-labelledby="queue-title">${this.queue.map(
                (
                  t,
                  i,
                ) => html`<li><span dir="auto">${t.title} <span class="len">· ${s.clock(t.durationMs)}</span></span>
                  <button type="button" aria-label=${s.t("picker.remove", { title: t.title })}
                    @click=${() => {
                      this.queue = this.queue.filter((_, j) => j !== i);
                    }}>×</button></li>`,
              )}</ol>`
            : html`<p class="sub">${s.t("picker.queueEmpty")}</p>`
        }
        ${this.error ? html`<p class="error" role="alert">${s.t(this.error)}</p>` : nothing}
        <div class="row">
          <button type="button" data-action="cancel" @click=${() => this.renderRoot.querySelector("dialog")?.close()}>
            ${s.t("picker.cancel")}</button>
          <button type="button" class="primary" data-action="start" ?disabled=${this.busy}
            @click=${() => this.#start(this.queue)}>${s.t("picker.start")}</button>
        </div>
      </dialog>`;
    }
  };
}

/** What {@link openPicker} needs. */
export interface PickerOptions {
  client: ParleyClient;
  convId: string;
  locale: string;
  media: ShopMedia;
}

/** Opens the picker in `root` (the caller's shadow root); resolves whether a session started, once it closes. */
export async function openPicker(root: HTMLElement | DocumentFragment, o: PickerOptions): Promise<boolean> {
  const picker = document.createElement("parley-listen-picker") as ListenPickerElement;
  picker.client = o.client;
  picker.conversationId = o.convId;
  picker.locale = o.locale;
  picker.media = o.media;
  root.append(picker);
  return picker.ask();
}
