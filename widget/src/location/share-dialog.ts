/**
 * "Share location" from the composer's attach menu: a modal dialog with
 * "Send your current location" and "Share live location" for 15 minutes,
 * 1 hour or 8 hours. Picking one asks the browser for a fix (its permission
 * prompt comes then, never before); a refusal, no fix or a timeout is said in
 * words and the dialog stays. A live share starts watching the device's
 * position (live-watch.ts). Tab stays inside; Escape or Cancel closes it
 * (not the chat around it); focus goes back to the attach button.
 */
import type { ParleyClient } from "@parley/sdk";
import type { TemplateResult } from "lit";
import type { AttachContext } from "../components/attach-actions.js";
import type { PanelKit } from "../components/panel-kit.js";
import { currentFix, geoFailure } from "./geo.js";
import { watchShare } from "./live-watch.js";
import { LIVE_DURATIONS_MS, locationOf } from "./sdk.js";
import { type LocationKey, locationStrings } from "./strings.js";
import { dialogStyles } from "./styles.js";

/** The dialog element's surface (set before it is connected). */
interface ShareDialog extends HTMLElement {
  ctx: AttachContext;
  /** Resolves once the dialog has closed. */
  closed: Promise<void>;
}

/** The `<parley-location-share>` class built from `kit`. */
function shareDialogClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  return class ParleyLocationShare extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = { busy: { state: true }, error: { state: true } };
    /** @internal */
    static override styles = dialogStyles(kit);
    declare busy: boolean;
    declare error: LocationKey | undefined;
    ctx!: AttachContext;
    #done!: () => void;
    readonly closed = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    #duration = 0;

    constructor() {
      super();
      this.busy = false;
    }

    protected override firstUpdated(): void {
      this.renderRoot.querySelector("dialog")?.showModal();
      // Focused here, not with `autofocus`: Chromium refuses (and logs) autofocus in a cross-origin frame.
      this.renderRoot.querySelector<HTMLElement>("button[data-action=once]")?.focus();
    }

    /** Tab and Shift+Tab wrap inside the dialog: the storefront behind the frame is not inert. */
    #onKeydown = (e: KeyboardEvent) => {
      if (e.key !== "Tab") return;
      const all = [...this.renderRoot.querySelectorAll<HTMLElement>("button, input:checked")];
      const active = (this.renderRoot as ShadowRoot).activeElement;
      const to = e.shiftKey ? (active === all[0] ? all.at(-1) : undefined) : active === all.at(-1) ? all[0] : undefined;
      if (!to) return;
      e.preventDefault();
      to.focus();
    };

    #close = () => this.renderRoot.querySelector("dialog")?.close();

    #onClose = () => {
      this.remove();
      this.ctx.restoreFocus();
      this.#done();
    };

    async #share(live: boolean): Promise<void> {
      const { client } = this.ctx;
      const api = locationOf(client as ParleyClient);
      if (!api || this.busy) return;
      this.busy = true;
      this.error = undefined;
      try {
        const fix = await currentFix();
        const convId = await this.ctx.conversation();
        if (!convId) throw new Error("no conversation");
        if (!live) await api.share(convId, fix);
        else {
          const durationMs = LIVE_DURATIONS_MS[this.#duration] ?? LIVE_DURATIONS_MS[0];
          const share = await api.startLive(convId, fix, { durationMs });
          watchShare(share);
        }
        this.#close();
      } catch (err) {
        this.error = geoFailure(err);
      } finally {
        this.busy = false;
      }
    }

    protected override render(): TemplateResult {
      const s = locationStrings(this.ctx.locale);
      const durations = (["dialog.d0", "dialog.d1", "dialog.d2"] as const).map((key, i) => ({ key, i }));
      return html`<dialog aria-labelledby="title" aria-describedby="intro" @close=${this.#onClose} @keydown=${this.#onKeydown}>
        <h2 id="title">${s.t("dialog.title")}</h2>
        <p class="sub" id="intro">${s.t("dialog.intro")}</p>
        <form @submit=${(e: Event) => e.preventDefault()}>
          <button type="button" class="primary" data-action="once" aria-disabled=${this.busy ? "true" : "false"}
            @click=${() => this.#share(false)}>${s.t("dialog.once")}</button>
          <fieldset>
            <legend>${s.t("dialog.live")}</legend>
            <fieldset class="durations">
              <legend>${s.t("dialog.duration")}</legend>
              ${durations.map(
                ({ key, i }) => html`<label><input type="radio" name="duration" value=${LIVE_DURATIONS_MS[i] ?? 0}
                  .checked=${this.#duration === i} @change=${() => {
                    this.#duration = i;
                  }} />${s.t(key)}</label>`,
              )}
            </fieldset>
            <button type="button" data-action="live" aria-disabled=${this.busy ? "true" : "false"}
              @click=${() => this.#share(true)}>${s.t("dialog.startLive")}</button>
          </fieldset>
          ${this.busy ? html`<p class="sub" role="status">${s.t("dialog.locating")}</p>` : nothing}
          ${this.error ? html`<p class="error" role="alert">${s.t(this.error)}</p>` : nothing}
          <div class="end"><button type="button" data-action="cancel" @click=${this.#close}>${s.t("dialog.cancel")}</button></div>
        </form>
      </dialog>`;
    }
  };
}

/** Opens the share dialog in the composer (`ctx.root`); resolves once it has closed. */
export async function openShareDialog(ctx: AttachContext): Promise<void> {
  if (!customElements.get("parley-location-share"))
    customElements.define("parley-location-share", shareDialogClass(ctx.kit));
  const dialog = document.createElement("parley-location-share") as ShareDialog;
  dialog.ctx = ctx;
  ctx.root.append(dialog);
  await dialog.closed;
}
