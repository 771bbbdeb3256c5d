/**
 * `<parley-invite-dialog>`: the confirmation before an invite goes out, loaded
 * on demand by the composer when someone chooses to invite an `@handle`. It
 * shows who will be invited (display name, `@handle`, a "Verified team" badge
 * for the shop's agents and bots), the history this invite offers as a radio
 * group ("From now on", the default; "Last 7 days"; "Everything") with one line
 * explaining each, and Invite / Cancel. A modal `<dialog>`: focus stays inside
 * (Tab wraps), Escape cancels, and `ask()` resolves when it closes so the opener
 * can put focus back. Errors of `client.invite` are said in words inside it.
 */
import type { InviteHistory, InviteInfo, ParleyClient } from "@parley/sdk";
import type { PrincipalInfo } from "@parley/sdk/protocol";
import { stripBidiControls } from "../i18n/bidi.js";
import { inviteError, lookupError } from "./invite-error-text.js";
import type { PanelKit } from "./kit.js";
import { type PanelKey, panelStrings } from "./members-strings.js";
import { panelStyles } from "./panel-styles.js";

const HISTORIES: readonly InviteHistory[] = ["none", "7d", "all"];

/** The `<parley-invite-dialog>` element (defined by {@link defineInviteDialog}). */
export interface InviteDialogElement extends HTMLElement {
  /** The client that sends the invite. */
  client: ParleyClient | undefined;
  /** The conversation to invite into. */
  conversationId: string | undefined;
  /** The handle, without `@`. */
  handle: string;
  /** Who holds the handle (from `client.lookupHandle`); unset when the gateway could not say. */
  principal: PrincipalInfo | undefined;
  /** BCP 47 locale (`en`, `de`; others read English). */
  locale: string;
  /** Opens the dialog; resolves with the invite once sent, or `undefined` when cancelled. */
  ask(): Promise<InviteInfo | undefined>;
}

/** Defines `<parley-invite-dialog>` with the host's Lit (once). */
export function defineInviteDialog(kit: PanelKit): void {
  if (customElements.get("parley-invite-dialog")) return;
  const { html, css, nothing } = kit;
  /** The invite confirmation (see the module comment). */
  class ParleyInviteDialog extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      conversationId: { attribute: false },
      handle: {},
      principal: { attribute: false },
      locale: {},
      history: { state: true },
      error: { state: true },
      busy: { state: true },
    };

    /** The client that sends the invite. */
    declare client: ParleyClient | undefined;
    /** The conversation to invite into. */
    declare conversationId: string | undefined;
    /** The handle, without `@`. */
    declare handle: string;
    /** Who holds the handle (from `client.lookupHandle`); unset when the gateway could not say. */
    declare principal: PrincipalInfo | undefined;
    /** BCP 47 locale (`en`, `de`; others read English). */
    declare locale: string;
    /** @internal The history chosen. */
    declare history: InviteHistory;
    /** @internal Rendering state. */
    declare error: string;
    /** @internal Rendering state. */
    declare busy: boolean;
    #settle: ((invite: InviteInfo | undefined) => void) | undefined;

    constructor() {
      super();
      this.handle = "";
      this.locale = "en";
      this.history = "none";
      this.error = "";
      this.busy = false;
    }

    /** @internal */
    static override styles = [
      panelStyles(kit),
      css`
        dialog {
          max-width: min(24rem, calc(100vw - 2rem));
          border: 1px solid var(--parley-border, #c9d0da);
          border-radius: var(--parley-radius, 12px);
          background: var(--parley-bg, #ffffff);
          color: var(--parley-fg, #111827);
          padding: 1rem;
        }
        dialog::backdrop {
          background: rgb(0 0 0 / 40%);
        }
        .who {
          display: flex;
          flex-wrap: wrap;
          align-items: baseline;
          gap: 0.4rem;
          margin-block-end: 0.5rem;
        }
        .name {
          font-weight: 600;
        }
        fieldset {
          border: 1px solid var(--parley-border, #c9d0da);
          border-radius: 8px;
          margin: 0.5rem 0 0;
          padding: 0.5rem 0.75rem;
        }
        legend {
          font-weight: 600;
          font-size: 0.875rem;
          padding: 0 0.25rem;
        }
        .option {
          display: grid;
          grid-template-columns: auto 1fr;
          column-gap: 0.5rem;
          padding: 0.3rem 0;
        }
        .option input {
          margin: 0.2rem 0 0;
          width: 1.1rem;
          height: 1.1rem;
          accent-color: var(--parley-brand, #1d4ed8);
        }
        .option .muted {
          grid-column: 2;
        }
      `,
    ];

    /** Opens the dialog; resolves with the invite once sent, or `undefined` when cancelled. */
    ask(): Promise<InviteInfo | undefined> {
      return new Promise((resolve) => {
        this.#settle = resolve;
        void this.updateComplete.then(() => {
          const dialog = this.#dialog();
          if (!dialog) return resolve(undefined);
          dialog.showModal();
          this.renderRoot.querySelector<HTMLInputElement>("input:checked")?.focus();
        });
      });
    }

    #dialog(): HTMLDialogElement | null {
      return this.renderRoot.querySelector("dialog");
    }

    #close(invite: InviteInfo | undefined): void {
      this.#dialog()?.close();
      const settle = this.#settle;
      this.#settle = undefined;
      settle?.(invite);
    }

    async #invite(e: Event): Promise<void> {
      e.preventDefault();
      const client = this.client;
      const convId = this.conversationId;
      if (!client || !convId || this.busy) return;
      this.busy = true;
      this.error = "";
      try {
        const invite = await client.invite(convId, `@${this.handle}`, { history: this.history });
        this.#close(invite);
      } catch (err) {
        this.error = inviteError(err, `@${this.handle}`, panelStrings(this.locale));
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLButtonElement>("button.primary")?.focus();
      } finally {
        this.busy = false;
      }
    }

    /** Tab and Shift+Tab wrap inside the dialog (the page behind is inert while it is open). */
    #onKeydown(e: KeyboardEvent): void {
      // Escape cancels the dialog (its cancel event), not the chat around it (the frame closes on Escape).
      if (e.key === "Escape") e.stopPropagation();
      if (e.key !== "Tab") return;
      const all = [...this.renderRoot.querySelectorAll<HTMLElement>("input:checked, button:not(:disabled)")];
      const first = all[0];
      const last = all.at(-1);
      const active = (this.renderRoot as ShadowRoot).activeElement;
      if (e.shiftKey && active === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && active === last) {
        e.preventDefault();
        first?.focus();
      }
    }

    protected override render() {
      const s = panelStrings(this.locale);
      const handle = `@${this.handle}`;
      const p = this.principal;
      const team = p?.kind === "agent" || p?.kind === "bot";
      return html`<dialog aria-labelledby="title" lang=${s.lang}
        @cancel=${(e: Event) => {
          e.preventDefault();
          this.#close(undefined);
        }}
        @keydown=${this.#onKeydown}>
        <form @submit=${this.#invite}>
          <h2 id="title">${s.t("invite.title", { handle })}</h2>
          <div class="who">
            ${p ? html`<span class="name" dir="auto">${stripBidiControls(p.displayName)}</span>` : nothing}
            <span class="handle">${handle}</span>
            ${team ? html`<span class="badge team">${s.t("invite.team")}</span>` : nothing}
          </div>
          ${p ? nothing : html`<p class="muted">${s.t("invite.unverified")}</p>`}
          <fieldset>
            <legend>${s.t("invite.history")}</legend>
            ${HISTORIES.map(
              (h) => html`<div class="option">
                <input type="radio" name="history" id=${`h-${h}`} value=${h} aria-describedby=${`h-${h}-help`}
                  .checked=${this.history === h} @change=${() => {
                    this.history = h;
                  }} />
                <label for=${`h-${h}`}>${s.t(`invite.history.${h}` as PanelKey)}</label>
                <span class="muted" id=${`h-${h}-help`}>${s.t(`invite.history.${h}.help` as PanelKey)}</span>
              </div>`,
            )}
          </fieldset>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          ${this.busy ? html`<p class="muted" role="status">${s.t("invite.sending")}</p>` : nothing}
          <div class="actions">
            <button type="button" @click=${() => this.#close(undefined)}>${s.t("invite.cancel")}</button>
            <button type="submit" class="primary" ?disabled=${this.busy}>${s.t("invite.confirm")}</button>
          </div>
        </form>
      </dialog>`;
    }
  }
  customElements.define("parley-invite-dialog", ParleyInviteDialog);
}

/** What the composer hands over to invite `handle` into `convId`. */
export interface InviteRequest {
  /** The client that looks up and invites. */
  client: ParleyClient;
  /** The conversation. */
  convId: string;
  /** The handle, without `@`. */
  handle: string;
  /** BCP 47 locale of the words. */
  locale: string;
}

/**
 * Looks the handle up and, unless the lookup says why not (`error`, in words), asks for confirmation
 * in a dialog placed in `root`; resolves with the invite once sent, or nothing on Cancel.
 */
export async function confirmInvite(
  kit: PanelKit,
  root: Node,
  r: InviteRequest,
): Promise<{ invite?: InviteInfo; error?: string }> {
  defineInviteDialog(kit);
  let principal: PrincipalInfo | undefined;
  try {
    principal = await r.client.lookupHandle(r.convId, `@${r.handle}`);
  } catch (err) {
    const error = lookupError(err, `@${r.handle}`, panelStrings(r.locale));
    if (error) return { error };
  }
  const dialog = document.createElement("parley-invite-dialog");
  Object.assign(dialog, { client: r.client, conversationId: r.convId, handle: r.handle, principal, locale: r.locale });
  root.appendChild(dialog);
  const invite = await dialog.ask();
  dialog.remove();
  return invite ? { invite } : {};
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-invite-dialog": InviteDialogElement;
  }
}
