/**
 * `<dashboard-invite-dialog>`: inviting someone into the open conversation by
 * their exact handle (no search, no suggestions: those would enumerate
 * people). Two steps in a modal `<dialog>`: the handle is looked up
 * (`client.lookupHandle`), then a confirmation shows who holds it (display
 * name, handle, and the verified-team badge for the shop's agents and bots)
 * with the history choice for this invite (from now on, the default; the last
 * 7 days; everything) before `client.invite` sends it. Every refusal is said
 * in words from the gateway's stable code.
 */
import type { InviteHistory, InviteInfo } from "@parley/sdk";
import { stripBidiControls } from "@parley/widget/components";
import { css, html, LitElement, nothing } from "lit";
import type { Dashboard } from "./dashboard.js";
import { type MessageKey, t } from "./i18n.js";
import { badgeStyles, failure, HISTORY_CHOICES, historyLabel, isTeam, teamBadge } from "./people.js";
import { shared } from "./styles.js";

type PrincipalInfo = Awaited<ReturnType<Dashboard["client"]["lookupHandle"]>>;

/** The codes the dialog explains in its own words; anything else is "other". */
const EXPLAINED = new Set([
  "unknown_handle",
  "handle_invalid",
  "already_member",
  "forbidden",
  "rate_limited",
  "invite_cooldown",
  "offline",
]);

/** Detail of `dashboard-invited`: the handle as typed (with `@`) and the pending invite. */
export interface InvitedDetail {
  handle: string;
  invite: InviteInfo;
}

/**
 * The invite dialog. Call `open(handle?)` to show it.
 * @fires dashboard-invited - detail {@link InvitedDetail}, once an invite was sent
 */
export class DashboardInviteDialog extends LitElement {
  static override properties = {
    dash: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    handle: { state: true },
    found: { state: true },
    history: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare conversationId: string | undefined;
  declare handle: string;
  declare found: PrincipalInfo | undefined;
  declare history: InviteHistory;
  declare busy: boolean;
  declare error: string;
  #opener: HTMLElement | undefined;

  constructor() {
    super();
    this.handle = "";
    this.history = "none";
    this.busy = false;
    this.error = "";
  }

  static override styles = [
    shared,
    badgeStyles,
    css`
      dialog {
        border: 1px solid var(--dash-border);
        border-radius: 10px;
        padding: 1rem 1.2rem;
        width: min(28rem, 92vw);
        color: #111827;
      }
      dialog::backdrop {
        background: rgb(15 23 42 / 45%);
      }
      form {
        display: grid;
        gap: 0.6rem;
      }
      .hint {
        font-size: 0.82rem;
        margin: 0;
      }
      .who {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
        margin: 0;
        font-size: 1rem;
      }
      fieldset {
        border: 1px solid var(--dash-border);
        border-radius: 6px;
        display: grid;
        gap: 0.3rem;
        margin: 0;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.4rem;
      }
      .error {
        margin: 0;
      }
    `,
  ];

  /** Shows the dialog, at the handle step (filled with `handle`, e.g. from the composer). Focus returns to the opener. */
  open(handle = ""): void {
    this.#opener = (document.activeElement as HTMLElement | null) ?? undefined;
    this.handle = handle;
    this.found = undefined;
    this.history = "none";
    this.error = "";
    this.busy = false;
    void this.updateComplete.then(() => {
      const dialog = this.renderRoot.querySelector("dialog");
      if (dialog && !dialog.open) dialog.showModal();
      this.renderRoot.querySelector<HTMLInputElement>("#invite-handle")?.focus();
    });
  }

  /** Closes the dialog. */
  close(): void {
    this.renderRoot.querySelector("dialog")?.close();
  }

  #closed(): void {
    this.found = undefined;
    this.#opener?.focus();
    this.#opener = undefined;
  }

  #typed(): string {
    const raw = this.handle.trim();
    return raw.startsWith("@") ? raw : `@${raw}`;
  }

  #say(err: unknown): void {
    const why = failure(err);
    const code = EXPLAINED.has(why.code) ? why.code : why.code === "bad_request" ? "handle_invalid" : "other";
    this.error = t(`invite.failed.${code}` as MessageKey, { handle: this.#typed(), seconds: why.seconds });
  }

  async #lookup(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const { dash, conversationId } = this;
    if (!dash || !conversationId || !this.handle.trim() || this.busy) return;
    this.busy = true;
    this.error = "";
    try {
      this.found = await dash.client.lookupHandle(conversationId, this.#typed());
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[name="history"]:checked')?.focus();
    } catch (err) {
      this.#say(err);
    } finally {
      this.busy = false;
    }
  }

  async #send(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const { dash, conversationId } = this;
    if (!dash || !conversationId || !this.found || this.busy) return;
    const handle = this.found.handle ? `@${this.found.handle}` : this.#typed();
    this.busy = true;
    this.error = "";
    try {
      const invite = await dash.client.invite(conversationId, handle, { history: this.history });
      this.close();
      this.dispatchEvent(new CustomEvent<InvitedDetail>("dashboard-invited", { detail: { handle, invite } }));
    } catch (err) {
      this.#say(err);
    } finally {
      this.busy = false;
    }
  }

  #back(): void {
    this.found = undefined;
    this.error = "";
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>("#invite-handle")?.focus());
  }

  #handleStep() {
    return html`<form @submit=${this.#lookup} data-step="handle">
      <label for="invite-handle">${t("invite.handle")}</label>
      <input id="invite-handle" name="handle" type="text" placeholder="@handle" autocomplete="off" spellcheck="false"
        required aria-describedby="invite-hint" .value=${this.handle}
        @input=${(e: Event) => {
          this.handle = (e.target as HTMLInputElement).value;
        }} />
      <p class="hint muted" id="invite-hint">${t("invite.handleHint")}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="buttons">
        <button class="button" type="button" data-action="cancel" @click=${() => this.close()}>${t("invite.cancel")}</button>
        <button class="button primary" type="submit" data-action="lookup" ?disabled=${this.busy}>
          ${this.busy ? t("invite.looking") : t("invite.lookup")}
        </button>
      </div>
    </form>`;
  }

  #confirmStep(found: PrincipalInfo) {
    return html`<form @submit=${this.#send} data-step="confirm">
      <p class="muted" id="invite-who-label">${t("invite.who")}</p>
      <p class="who" data-invitee>
        <strong data-field="name" dir="auto">${stripBidiControls(found.displayName)}</strong>
        ${found.handle ? html`<span class="muted" data-field="handle">@${found.handle}</span>` : nothing}
        ${isTeam(found.kind) ? teamBadge() : nothing}
      </p>
      <fieldset>
        <legend>${t("invite.history")}</legend>
        ${HISTORY_CHOICES.map(
          (h) => html`<label><input type="radio" name="history" value=${h} .checked=${this.history === h}
              @change=${() => {
                this.history = h;
              }} />
            ${historyLabel(h)}</label>`,
        )}
      </fieldset>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="buttons">
        <button class="button" type="button" data-action="back" @click=${() => this.#back()}>${t("invite.back")}</button>
        <button class="button" type="button" data-action="cancel" @click=${() => this.close()}>${t("invite.cancel")}</button>
        <button class="button primary" type="submit" data-action="send" ?disabled=${this.busy}>
          ${this.busy ? t("invite.sending") : t("invite.submit")}
        </button>
      </div>
    </form>`;
  }

  protected override render() {
    return html`<dialog aria-labelledby="invite-dialog-title" @close=${() => this.#closed()}>
      <h2 id="invite-dialog-title">${t("invite.title")}</h2>
      ${this.found ? this.#confirmStep(this.found) : this.#handleStep()}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-invite-dialog": DashboardInviteDialog;
  }
}
