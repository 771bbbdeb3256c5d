/**
 * `<dashboard-team>`: the shop's team for an admin agent (`team.members`):
 * each login with its name and role, and Remove for everyone but the admin
 * (`team.remove`, after a confirmation step). The gateway revokes a removed
 * agent's sessions at once: its refresh token, API token and sign-in stop
 * working. Keyboard: the panel's heading takes focus when it opens, Escape
 * cancels a confirmation or closes the panel, and focus moves to the
 * confirmation's buttons and back. Below the team, the webhook delivery log
 * (`<dashboard-webhooks>`).
 */
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import { type MessageKey, t } from "./i18n.js";
import { badgeStyles, failure } from "./people.js";
import { panelStyles, shared } from "./styles.js";

/** One login as `team.members` lists it. */
interface Member {
  login: string;
  role: "admin" | "agent";
  principal: { id: string; displayName: string; kind: string };
}

/** A name isolated from the text around it (bidi controls in a name cannot reorder the sentence). */
const isolate = (name: string) => `\u2068${name}\u2069`;

/**
 * The team panel.
 * @fires dashboard-team-close - when Escape or the close button asks to hide the panel
 */
export class DashboardTeam extends LitElement {
  static override properties = {
    dash: { attribute: false },
    members: { state: true },
    confirming: { state: true },
    busy: { state: true },
    error: { state: true },
    status: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare members: Member[] | undefined;
  /** The login whose removal waits for confirmation. */
  declare confirming: string;
  declare busy: boolean;
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.confirming = "";
    this.busy = false;
    this.error = "";
    this.status = "";
  }

  static override styles = [
    shared,
    badgeStyles,
    panelStyles,
    css`
      ul {
        gap: 0.4rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        border: 1px solid var(--dash-border);
        border-radius: 8px;
        padding: 0.4rem 0.7rem;
      }
      .who {
        flex: 1;
        min-width: 12rem;
      }
      .name {
        font-weight: 600;
      }
      .login {
        font-size: 0.85rem;
      }
      .confirm {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
        width: 100%;
      }
      .confirm p {
        margin: 0;
        flex-basis: 100%;
      }
      .button.danger {
        color: var(--dash-danger);
      }
      p.status,
      p.error {
        margin: 0.4rem 0 0;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash")) void this.#load();
  }

  /** Moves focus to the panel's heading (when it is opened from the header). */
  override focus(): void {
    this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
  }

  async #load(): Promise<void> {
    const client = this.dash?.client;
    if (!client) return;
    try {
      this.members = (await client.request("team.members", {})).members;
    } catch (err) {
      this.error = t("team.failed", { reason: failure(err).code });
    }
  }

  async #ask(login: string): Promise<void> {
    this.confirming = login;
    this.status = "";
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-action="confirm-remove"]')?.focus();
  }

  async #cancel(): Promise<void> {
    const login = this.confirming;
    this.confirming = "";
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-login="${CSS.escape(login)}"] [data-action="remove"]`)?.focus();
  }

  async #remove(member: Member): Promise<void> {
    const client = this.dash?.client;
    if (!client || this.busy) return;
    this.busy = true;
    this.error = "";
    try {
      await client.request("team.remove", { login: member.login });
      this.members = this.members?.filter((m) => m.login !== member.login);
      this.confirming = "";
      this.status = t("team.removed", { name: isolate(member.principal.displayName) });
      await this.updateComplete;
      this.focus();
    } catch (err) {
      this.error = t("team.failed", { reason: failure(err).code });
    } finally {
      this.busy = false;
    }
  }

  #member(member: Member) {
    const self = member.principal.id === this.dash?.client.principal.id;
    const name = member.principal.displayName;
    const confirming = this.confirming === member.login;
    return html`<li data-login=${member.login}>
      <span class="who">
        <bdi class="name">${self ? t("team.you", { name: isolate(name) }) : name}</bdi>
        <span class="login muted"><bdi>${member.login}</bdi></span>
      </span>
      <span class="badge" data-role=${member.role}>${t(`team.role.${member.role}` as MessageKey)}</span>
      ${
        self || confirming
          ? nothing
          : html`<button class="button danger" type="button" data-action="remove" ?disabled=${this.busy}
              @click=${() => this.#ask(member.login)}>${t("team.remove", { name: isolate(name) })}</button>`
      }
      ${
        confirming
          ? html`<div class="confirm" role="group" aria-label=${t("team.remove", { name: isolate(name) })}>
              <p>${t("team.confirm", { name: isolate(name) })}</p>
              <button class="button danger" type="button" data-action="confirm-remove" ?disabled=${this.busy}
                @click=${() => this.#remove(member)}>${t("team.confirmYes", { name: isolate(name) })}</button>
              <button class="button" type="button" data-action="cancel-remove" ?disabled=${this.busy}
                @click=${() => this.#cancel()}>${t("team.cancel")}</button>
            </div>`
          : nothing
      }
    </li>`;
  }

  protected override render() {
    const members = this.members;
    return html`<section aria-labelledby="team-title"
        @keydown=${(e: KeyboardEvent) => {
          if (e.key !== "Escape") return;
          if (this.confirming) void this.#cancel();
          else this.dispatchEvent(new CustomEvent("dashboard-team-close"));
        }}>
      <header>
        <h2 id="team-title" tabindex="-1">${t("team.title")}</h2>
        <button class="button" type="button" data-action="close-team"
          @click=${() => this.dispatchEvent(new CustomEvent("dashboard-team-close"))}>${t("team.close")}</button>
      </header>
      <p class="status" role="status">${this.status}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        members
          ? html`<ul aria-label=${t("team.title")}>${members.map((m) => this.#member(m))}</ul>`
          : html`<p class="muted">${t("team.loading")}</p>`
      }
      <dashboard-webhooks .dash=${this.dash}></dashboard-webhooks>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-team": DashboardTeam;
  }
}
