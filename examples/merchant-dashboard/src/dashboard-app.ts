/**
 * `<dashboard-app>`: the whole merchant dashboard. Signed out it shows the
 * sign-in form (or, after a reload, resumes the saved session of the last
 * login); signed in, the inbox, the open conversation, and beside it the
 * customer's details and the team's internal notes. Banners tell whether this
 * device holds the team key, when this (admin) dashboard approved another
 * device, and about connection trouble and changed devices (the widget's
 * `<parley-connection-status>` and `<parley-device-notice>`). Admin agents get
 * a Team button: the team's logins, and Remove (`<dashboard-team>`).
 */

import { type InviteInfo, ParleyError } from "@parley/sdk";
import { CallsHook, StoreController, stripBidiControls } from "@parley/widget/components";
import { css, html, LitElement, nothing } from "lit";
import { lastLogin } from "./auth.js";
import type { DashboardConfig } from "./config.js";
import { Dashboard } from "./dashboard.js";
import type { SignInDetail } from "./dashboard-login.js";
import { locale, t } from "./i18n.js";
import { failure } from "./people.js";
import { shared } from "./styles.js";
import type { TeamStatus } from "./team-status.js";

/** Why a sign-in failed, in the dashboard's words: a wrong password, a wait after too many failures, or the reason. */
function signInError(err: unknown): string {
  const { code, seconds } = failure(err);
  if (code === "unauthorized") return t("login.wrong");
  if (code === "rate_limited") {
    return seconds >= 60
      ? t("login.rateLimited", { minutes: Math.ceil(seconds / 60) })
      : t("login.rateLimitedSeconds", { seconds });
  }
  return t("login.failed", { reason: (err as Error).message });
}

type Phase = "starting" | "signed-out" | "signing-in" | "ready";

export class DashboardApp extends LitElement {
  static override properties = {
    config: { attribute: false },
    phase: { state: true },
    dash: { state: true },
    selected: { state: true },
    query: { state: true },
    error: { state: true },
    alertState: { state: true },
    invitesOpen: { state: true },
    teamOpen: { state: true },
  };
  declare config: DashboardConfig;
  declare phase: Phase;
  declare dash: Dashboard | undefined;
  declare selected: string | undefined;
  declare query: string;
  declare error: string;
  declare alertState: "off" | "on" | "denied";
  declare invitesOpen: boolean;
  declare teamOpen: boolean;
  readonly #team = new StoreController<TeamStatus>(this);
  readonly #invites = new StoreController<readonly InviteInfo[]>(this);
  /** Calls ringing for the agent (in any conversation) and the agent's call, over the conversation. */
  readonly #calls = new CallsHook(this);
  #offAlerts: (() => void) | undefined;
  /** Stops watching for the session to end at the gateway. */
  #offEnded: (() => void) | undefined;
  #reconnectPending = false;

  constructor() {
    super();
    this.config = { gatewayUrl: location.origin, shopId: "", cannedReplies: [] };
    this.phase = "starting";
    this.query = "";
    this.error = "";
    this.alertState = "off";
    this.invitesOpen = false;
    this.teamOpen = false;
  }

  /** The signed-in client (the calls view follows it). */
  get client() {
    return this.dash?.client;
  }

  static override styles = [
    shared,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100vh;
        background: var(--dash-surface);
        color: #111827;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        padding: 0.5rem 0.9rem;
        background: #1e293b;
        color: #ffffff;
      }
      .bar h1 {
        font-size: 1.05rem;
        margin: 0;
        flex: 1;
      }
      .bar .who {
        font-size: 0.9rem;
      }
      .count {
        display: inline-block;
        min-width: 1.2rem;
        margin-inline-start: 0.3rem;
        padding: 0 0.35rem;
        border-radius: 999px;
        background: #b91c1c;
        color: #ffffff;
        font-size: 0.78rem;
        font-weight: 700;
        text-align: center;
      }
      .banner {
        margin: 0;
        padding: 0.45rem 0.9rem;
        font-size: 0.9rem;
        background: var(--dash-note-bg);
        color: var(--dash-note-fg);
        border-block-end: 1px solid #e5c97a;
      }
      .banner.ok {
        background: #e7f6ec;
        color: #14532d;
        border-color: #a7d7b6;
      }
      main {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(16rem, 22rem) minmax(0, 1fr) minmax(15rem, 20rem);
      }
      aside {
        overflow-y: auto;
        border-inline-start: 1px solid var(--dash-border);
        background: #ffffff;
      }
      .calls parley-call {
        max-width: 48rem;
        margin-inline: auto;
      }
      main.resuming {
        display: block;
      }
      .center {
        padding: 2rem;
        text-align: center;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.dash?.close("keep");
  }

  /** After a reload: the last login's saved session, if there is one. */
  async #resume(): Promise<void> {
    const who = lastLogin();
    if (!who) {
      this.phase = "signed-out";
      return;
    }
    try {
      this.#use(await Dashboard.start({ ...who, gatewayUrl: this.config.gatewayUrl }, () => this.#reconnect()));
    } catch (err) {
      // No saved session (or it expired) is not an error to show: the sign-in form is the answer.
      if (!(err instanceof ParleyError && err.code === "unauthorized")) {
        this.error = t("login.failed", { reason: (err as Error).message });
      }
      this.phase = "signed-out";
    }
  }

  async #signIn(e: CustomEvent<SignInDetail>): Promise<void> {
    this.phase = "signing-in";
    this.error = "";
    try {
      const detail = e.detail;
      this.#use(await Dashboard.start({ ...detail, gatewayUrl: this.config.gatewayUrl }, () => this.#reconnect()));
    } catch (err) {
      this.error = signInError(err);
      this.phase = "signed-out";
    }
  }

  #use(dash: Dashboard): void {
    this.#offAlerts?.();
    this.dash = dash;
    this.phase = "ready";
    this.#team.set(dash.team.state);
    this.#invites.set(dash.client.invites);
    this.alertState = dash.alerts.permission === "granted" ? "on" : "off";
    this.dataset.alerts = "0";
    this.#offAlerts = dash.client.on("message", () => {
      this.dataset.alerts = String(dash.alerts.count);
    });
    // The session ended at the gateway (this login was removed, its password changed, logged out
    // elsewhere, or it reached its maximum age): back to the sign-in form, saying so.
    this.#offEnded?.();
    this.#offEnded = dash.client.status.subscribe((status) => {
      if (status.state === "closed" && failure(status.error).code === "unauthorized" && this.dash === dash) {
        void this.#signOut("logout").then(() => {
          this.error = t("login.ended");
        });
      }
    });
    if (this.#reconnectPending) {
      this.#reconnectPending = false;
      void this.#reconnect();
    }
  }

  /** This device just got the team key: sign in again (from the saved session) to read with it. */
  async #reconnect(): Promise<void> {
    const old = this.dash;
    if (!old) {
      // Still signing in: reconnect once that is done.
      this.#reconnectPending = true;
      return;
    }
    await old.close("keep");
    const start = () => Dashboard.start({ ...old.who, gatewayUrl: this.config.gatewayUrl }, () => this.#reconnect());
    let failed: unknown;
    try {
      this.#use(await start());
      return;
    } catch (err) {
      failed = err;
    }
    // A session revoked while this reconnect ran (the login removed, its password changed) fails it
    // mid-way, its NATS connection closed under it: one more try meets the revocation at its start.
    if (failure(failed).code !== "unauthorized") {
      try {
        this.#use(await start());
        return;
      } catch (err) {
        failed = err;
      }
    }
    this.dash = undefined;
    this.error =
      failure(failed).code === "unauthorized"
        ? t("login.ended")
        : t("login.failed", { reason: (failed as Error).message });
    this.phase = "signed-out";
  }

  async #signOut(how: "logout" | "forget-device"): Promise<void> {
    const dash = this.dash;
    this.#offAlerts?.();
    this.#offEnded?.();
    this.#offEnded = undefined;
    this.#reconnectPending = false;
    this.dash = undefined;
    this.selected = undefined;
    this.query = "";
    this.#team.set(undefined);
    this.#invites.set(undefined);
    this.invitesOpen = false;
    this.teamOpen = false;
    this.phase = "starting";
    await dash?.close(how);
    this.phase = "signed-out";
  }

  async #enableAlerts(): Promise<void> {
    const permission = await this.dash?.alerts.enable(true);
    this.alertState = permission === "granted" ? "on" : "denied";
  }

  async #toggleInvites(): Promise<void> {
    this.invitesOpen = !this.invitesOpen;
    await this.updateComplete;
    if (this.invitesOpen) this.renderRoot.querySelector("dashboard-invites")?.focus();
  }

  async #closeInvites(): Promise<void> {
    this.invitesOpen = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-action="invites"]')?.focus();
  }

  async #toggleTeam(): Promise<void> {
    this.teamOpen = !this.teamOpen;
    await this.updateComplete;
    if (this.teamOpen) this.renderRoot.querySelector("dashboard-team")?.focus();
  }

  async #closeTeam(): Promise<void> {
    this.teamOpen = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-action="team"]')?.focus();
  }

  #teamButton() {
    if (!this.#team.value?.admin) return nothing;
    return html`<button class="button" type="button" data-action="team" aria-controls="team-panel"
      aria-expanded=${this.teamOpen ? "true" : "false"} @click=${() => this.#toggleTeam()}>${t("team.open")}</button>`;
  }

  #open(e: CustomEvent<{ conversationId: string }>): void {
    this.selected = e.detail.conversationId;
    if (e.target instanceof HTMLElement && e.target.localName === "dashboard-invites") this.invitesOpen = false;
  }

  #invitesButton() {
    const count = this.#invites.value?.length ?? 0;
    return html`<button class="button" type="button" data-action="invites" aria-controls="invites-panel"
      aria-expanded=${this.invitesOpen ? "true" : "false"} @click=${() => this.#toggleInvites()}>
      ${t("invites.open")}${
        count > 0
          ? html`<span class="count" data-invite-count=${count} aria-hidden="true">${count}</span>
              <span class="sr-only">(${t("invites.count", { count })})</span>`
          : nothing
      }
    </button>`;
  }

  #teamBanner() {
    const team = this.#team.value;
    if (!team) return nothing;
    const approved = team.approved.at(-1);
    return html`${
      team.key === "waiting"
        ? html`<p class="banner" role="status" data-team="waiting">${t("team.waiting")}</p>`
        : team.key === "no-key"
          ? html`<p class="banner" role="status" data-team="no-key">${t("team.noKey")}</p>`
          : nothing
    }${approved ? html`<p class="banner ok" role="status" data-team="approved">${t("team.approved", { device: approved })}</p>` : nothing}`;
  }

  protected override render() {
    const dash = this.dash;
    if (this.phase === "starting")
      return html`<main class="resuming"><p class="center" role="status">${t("login.resuming")}</p></main>`;
    if (!dash || this.phase !== "ready") {
      return html`<dashboard-login shop-id=${this.config.shopId} ?busy=${this.phase === "signing-in"}
        .error=${this.error} @dashboard-sign-in=${this.#signIn}></dashboard-login>`;
    }
    const principal = dash.client.principal;
    return html`<header class="bar">
        <h1>${t("app.title")}</h1>
        <bdi class="who">${stripBidiControls(principal.displayName)}</bdi>
        ${this.#invitesButton()}
        ${this.#teamButton()}
        <button class="button" type="button" data-action="alerts" ?disabled=${this.alertState === "on"}
          @click=${() => this.#enableAlerts()}>
          ${this.alertState === "on" ? t("notify.enabled") : t("notify.enable")}
        </button>
        <button class="button" type="button" data-action="logout" @click=${() => this.#signOut("logout")}>
          ${t("logout")}
        </button>
        <button class="button" type="button" data-action="forget-device" @click=${() => this.#signOut("forget-device")}>
          ${t("logout.forget")}
        </button>
      </header>
      ${this.alertState === "denied" ? html`<p class="banner" role="status">${t("notify.denied")}</p>` : nothing}
      ${this.#teamBanner()}
      <parley-connection-status .client=${dash.client} locale=${locale()}></parley-connection-status>
      <parley-device-notice .client=${dash.client} .names=${dash.names.value} locale=${locale()}></parley-device-notice>
      ${
        this.invitesOpen
          ? html`<dashboard-invites id="invites-panel" .dash=${dash} @dashboard-select=${this.#open}
              @dashboard-invites-close=${() => this.#closeInvites()}></dashboard-invites>`
          : nothing
      }
      ${
        this.teamOpen && this.#team.value?.admin
          ? html`<dashboard-team id="team-panel" .dash=${dash}
              @dashboard-team-close=${() => this.#closeTeam()}></dashboard-team>`
          : nothing
      }
      <div class="calls" @parley-call-conversation=${(e: CustomEvent<{ convId: string }>) => {
        this.selected = e.detail.convId;
      }}>${this.#calls.view(locale(), dash.names.value, true)}</div>
      <main>
        <dashboard-inbox .dash=${dash} .selected=${this.selected} .query=${this.query}
          @dashboard-select=${this.#open}
          @dashboard-search=${(e: CustomEvent<{ query: string }>) => {
            this.query = e.detail.query;
          }}></dashboard-inbox>
        <dashboard-conversation .dash=${dash} .conversationId=${this.selected} .query=${this.query}
          .cannedReplies=${this.config.cannedReplies}
          @dashboard-call=${(e: CustomEvent<{ convId: string; media: "audio" | "video" }>) =>
            void this.#calls.start(e.detail.convId, e.detail.media)}></dashboard-conversation>
        <aside aria-label=${t("customer.title")}>
          ${
            this.selected
              ? html`<dashboard-customer .dash=${dash} .conversationId=${this.selected}></dashboard-customer>
                  <dashboard-members .dash=${dash} .conversationId=${this.selected}></dashboard-members>
                  <dashboard-notes .dash=${dash} .conversationId=${this.selected}></dashboard-notes>`
              : nothing
          }
        </aside>
      </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-app": DashboardApp;
  }
}
