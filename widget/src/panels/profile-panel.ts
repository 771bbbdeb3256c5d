/**
 * `<parley-profile-panel>`: the person's display name (change it), their
 * handle (see it, copy or share it as `@handle`, choose or change it with the
 * format rules and availability shown as they type; guests are told why they
 * cannot have one) and the people they blocked, with Unblock. Loaded on
 * demand by `<parley-chat>` (panel-host.ts).
 */
import type { BlockedInfo, ParleyClient } from "@parley/sdk";
import type { PanelKit } from "../components/panel-kit.js";
import { stripBidiControls } from "../i18n/bidi.js";
import { type Availability, HandleAvailability, previewHandle } from "./handle-availability.js";
import { panelElement } from "./panel-element.js";
import { type PanelTranslator, panelTranslator } from "./panel-strings.js";
import { profileStrings } from "./profile.strings.js";

type T = PanelTranslator<keyof typeof profileStrings.en>;
type Principal = ParleyClient["principal"];

/** The message for a refused `profile.update`. */
function failure(t: T, err: unknown): string {
  const e = err as { code?: string; retryAfter?: number; name?: string };
  switch (e.code) {
    case "display_name_invalid":
    case "handle_invalid":
    case "handle_taken":
    case "handle_reserved":
    case "handle_confusable":
      return t.t(`error.${e.code}`);
    case "rate_limited":
      return t.t("error.rate_limited", { seconds: Math.ceil(e.retryAfter ?? 60) });
    case "unavailable":
      return t.t("error.offline");
    default:
      return e.name === "ConnectionLostError" ? t.t("error.offline") : t.t("error.other");
  }
}

/** What the availability line says. */
function availability(t: T, a: Availability): string {
  const at = (h: string) => `@${h}`;
  switch (a.state) {
    case "idle":
    case "format":
      return "";
    case "own":
      return t.t("avail.own");
    case "checking":
      return t.t("avail.checking", { handle: at(a.handle) });
    case "wait":
      return t.t("avail.wait", { seconds: a.seconds });
    case "unknown":
      return t.t("avail.unknown");
    case "checked":
      return a.check.available
        ? t.t("avail.available", { handle: at(a.check.handle) })
        : t.t(`avail.${a.check.reason ?? "invalid"}`, { handle: at(a.check.handle) });
  }
}

/** The panel's tag. */
export const tag = "parley-profile-panel";

/** Registers `<parley-profile-panel>` (once), built from the chat's kit. */
export function define(kit: PanelKit): void {
  if (customElements.get(tag)) return;
  const { html, nothing, ready, translator } = kit;
  const Base = panelElement(kit);
  /** The profile panel. */
  class ParleyProfilePanel extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      ...Base.properties,
      me: { state: true },
      nameText: { state: true },
      nameNote: { state: true },
      handleText: { state: true },
      handleNote: { state: true },
      shareNote: { state: true },
      blockedList: { state: true },
      blockedNote: { state: true },
    };
    /** @internal */
    declare me: Principal | undefined;
    /** @internal */
    declare nameText: string;
    /** @internal A result of saving the name: `{ok, text}`. */
    declare nameNote: { ok: boolean; text: string } | undefined;
    /** @internal */
    declare handleText: string;
    /** @internal */
    declare handleNote: { ok: boolean; text: string } | undefined;
    /** @internal */
    declare shareNote: string;
    /** @internal Undefined while loading, or when it could not be loaded. */
    declare blockedList: BlockedInfo[] | undefined;
    /** @internal */
    declare blockedNote: string;
    readonly #availability = new HandleAvailability(
      this,
      (handle) => {
        if (!this.client) return Promise.reject(new Error("no client"));
        return this.client.checkHandle(handle);
      },
      previewHandle,
    );
    #blockedFailed = false;

    constructor() {
      super();
      this.nameText = "";
      this.handleText = "";
      this.shareNote = "";
      this.blockedNote = "";
    }

    override connectedCallback(): void {
      super.connectedCallback();
      void this.#load();
    }

    async #load(): Promise<void> {
      const client = this.client;
      if (!client) return;
      await ready(client).catch(() => undefined);
      try {
        this.me = client.principal;
        this.nameText = this.me.displayName;
      } catch {
        return;
      }
      try {
        this.blockedList = await client.blocked();
      } catch {
        this.#blockedFailed = true;
        this.requestUpdate();
      }
    }

    get #t(): T {
      return panelTranslator(profileStrings, translator(this.locale));
    }

    async #saveName(e: Event): Promise<void> {
      e.preventDefault();
      const t = this.#t;
      const name = this.nameText.trim();
      if (!name) {
        this.nameNote = { ok: false, text: t.t("name.empty") };
        return;
      }
      try {
        this.me = await this.client?.updateProfile({ displayName: name });
        this.nameNote = { ok: true, text: t.t("name.saved", { name }) };
      } catch (err) {
        this.nameNote = { ok: false, text: failure(t, err) };
      }
    }

    async #saveHandle(e: Event): Promise<void> {
      e.preventDefault();
      const t = this.#t;
      const handle = previewHandle(this.handleText);
      if (!handle) {
        this.handleNote = { ok: false, text: t.t("error.handle_invalid") };
        return;
      }
      try {
        this.me = await this.client?.updateProfile({ handle });
        this.handleText = "";
        this.#availability.input("", handle);
        this.handleNote = { ok: true, text: t.t("handle.saved", { handle: `@${handle}` }) };
      } catch (err) {
        this.handleNote = { ok: false, text: failure(t, err) };
      }
    }

    async #copy(handle: string): Promise<void> {
      try {
        await navigator.clipboard.writeText(handle);
        this.shareNote = this.#t.t("handle.copied", { handle });
      } catch {
        this.shareNote = this.#t.t("error.other");
      }
    }

    async #unblock(b: BlockedInfo): Promise<void> {
      try {
        await this.client?.unblock(b.principalId);
        this.blockedList = (this.blockedList ?? []).filter((x) => x.principalId !== b.principalId);
        this.blockedNote = this.#t.t("blocked.done", { name: b.displayName });
        this.renderRoot.querySelector<HTMLElement>("#blocked-heading")?.focus();
      } catch (err) {
        this.blockedNote = failure(this.#t, err);
      }
    }

    #nameSection(t: T) {
      const note = this.nameNote;
      return html`<section aria-labelledby="name-label">
        <form @submit=${this.#saveName}>
          <label id="name-label" for="name">${t.t("name.label")}</label>
          <p class="muted" id="name-hint">${t.t("name.hint")}</p>
          <div class="row">
            <input id="name" autocomplete="nickname" maxlength="64" .value=${this.nameText}
              aria-describedby="name-hint name-note" aria-invalid=${note && !note.ok ? "true" : "false"}
              @input=${(e: InputEvent) => {
                this.nameText = (e.target as HTMLInputElement).value;
                this.nameNote = undefined;
              }} />
            <button type="submit" class="primary">${t.t("name.save")}</button>
          </div>
          <p id="name-note" class=${note?.ok ? "ok" : "error"} role="status">${note?.text ?? ""}</p>
        </form>
      </section>`;
    }

    #handleSection(t: T, me: Principal) {
      if (me.kind === "guest")
        return html`<section aria-labelledby="handle-heading"><h3 id="handle-heading">${t.t("handle.heading")}</h3>
          <p>${t.t("handle.guest")}</p></section>`;
      const own = me.handle ? `@${me.handle}` : undefined;
      const a = this.#availability.value;
      const typed = previewHandle(this.handleText);
      const note = this.handleNote;
      const canShare = typeof navigator.share === "function";
      return html`<section aria-labelledby="handle-heading">
        <h3 id="handle-heading">${t.t("handle.heading")}</h3>
        ${
          own
            ? html`<p>${t.t("handle.yours", { handle: own })}</p>
              <div class="row">
                <button type="button" class="secondary" @click=${() => this.#copy(own)}>${t.t("handle.copy", { handle: own })}</button>
                ${
                  canShare
                    ? html`<button type="button" class="secondary" @click=${() => navigator.share({ text: own }).catch(() => undefined)}>
                        ${t.t("handle.share", { handle: own })}</button>`
                    : nothing
                }
              </div>
              <p class="ok" role="status">${this.shareNote}</p>`
            : html`<p>${t.t("handle.none")}</p>`
        }
        <form @submit=${this.#saveHandle}>
          <label for="handle">${own ? t.t("handle.label.change") : t.t("handle.label.choose")}</label>
          <div class="row">
            <input id="handle" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="128"
              .value=${this.handleText} aria-describedby="handle-rules handle-availability handle-note"
              aria-invalid=${a.state === "format" || (note && !note.ok) ? "true" : "false"}
              @input=${(e: InputEvent) => {
                this.handleText = (e.target as HTMLInputElement).value;
                this.handleNote = undefined;
                this.#availability.input(this.handleText, me.handle);
              }} />
            <button type="submit" class="primary" ?disabled=${!typed || a.state === "own"}>${t.t("handle.save")}</button>
          </div>
          <ul id="handle-rules" class="muted">
            ${(a.state === "format" ? a.rules : []).map(
              (r) =>
                html`<li data-ok=${r.ok}>${t.t(`rule.${r.rule}`)}: ${r.ok ? t.t("rule.ok") : t.t("rule.missing")}</li>`,
            )}
            ${a.state === "format" && a.rules.every((r) => r.ok) ? html`<li>${t.t("rule.other")}</li>` : nothing}
            ${typed && typed !== this.handleText.trim() ? html`<li>${t.t("handle.savedAs", { handle: `@${typed}` })}</li>` : nothing}
          </ul>
          <p id="handle-availability" class=${a.state === "checked" && !a.check.available ? "error" : "ok"}
            role="status" aria-live="polite">${availability(t, a)}</p>
          <p id="handle-note" class=${note?.ok ? "ok" : "error"} role="status">${note?.text ?? ""}</p>
        </form>
      </section>`;
    }

    #blockedSection(t: T) {
      const list = this.blockedList;
      return html`<section aria-labelledby="blocked-heading">
        <h3 id="blocked-heading" tabindex="-1">${t.t("blocked.heading")}</h3>
        <p class="muted">${t.t("blocked.hint")}</p>
        ${
          this.#blockedFailed
            ? html`<p class="error">${t.t("blocked.failed")}</p>`
            : list && list.length === 0
              ? html`<p>${t.t("blocked.none")}</p>`
              : html`<ul class="blocked">
                  ${(list ?? []).map(
                    (b) => html`<li>
                      <span><bdi>${stripBidiControls(b.displayName)}</bdi>${b.handle ? html` <span class="muted">@${b.handle}</span>` : nothing}</span>
                      <button type="button" class="secondary" @click=${() => this.#unblock(b)}>
                        ${t.t("blocked.unblock", { name: b.displayName })}</button>
                    </li>`,
                  )}
                </ul>`
        }
        <p class="ok" role="status">${this.blockedNote}</p>
      </section>`;
    }

    protected override render() {
      const t = this.#t;
      const me = this.me;
      return html`${this.top(t.t("title"), t.t("close"))}
        ${me ? html`${this.#nameSection(t)}${this.#handleSection(t, me)}${this.#blockedSection(t)}` : nothing}`;
    }
  }
  customElements.define(tag, ParleyProfilePanel);
}
