/**
 * `<dashboard-conversation>`: one conversation as the agent works it. The
 * widget's `<parley-message-list>` shows the messages (and marks them read
 * while visible), `<parley-typing-indicator>` who types, and
 * `<parley-composer>` sends text and files with typing signals. Around them:
 * assignment (to me, to a colleague, or nobody), close and reopen, "Invite…"
 * (the `<dashboard-invite-dialog>`), canned replies that fill the composer,
 * and the messages that match the search. A reply starting with the `@handle`
 * of someone not in the conversation is an invite too: the composer itself
 * offers it and asks to confirm (with the history choice) before it is sent.
 * While the agent listens together in the conversation, the widget's player
 * bar (`<parley-listen-bar>`, loaded with the session's card) sits above the
 * messages. The voice and video call buttons fire `dashboard-call` (detail
 * `{ convId, media }`); the app shows the call (`<parley-call>`).
 */
import type { ActiveCall, ConversationState, TeamPresence } from "@parley/sdk";
import {
  callButtons,
  callsAvailable,
  type Mentionable,
  NO_FEATURES,
  type ParleyComposer,
  type ShopFeatures,
  StoreController,
  stripBidiControls,
  translator,
} from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import type { DashboardInviteDialog, InvitedDetail } from "./dashboard-invite-dialog.js";
import { dateTime, locale, t } from "./i18n.js";
import { highlight } from "./search-index.js";
import { shared } from "./styles.js";

type Member = Awaited<ReturnType<Dashboard["client"]["members"]>>[number];

export class DashboardConversation extends LitElement {
  static override properties = {
    dash: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    query: {},
    cannedReplies: { attribute: false },
    busy: { state: true },
    error: { state: true },
    info: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare conversationId: string | undefined;
  declare query: string;
  declare cannedReplies: readonly string[];
  declare busy: boolean;
  declare error: string;
  declare info: string;
  readonly #state = new StoreController<ConversationState>(this);
  readonly #names = new StoreController<Readonly<Record<string, string>>>(this);
  readonly #members = new StoreController<ReadonlyMap<string, readonly Member[]>>(this);
  readonly #presence = new StoreController<TeamPresence>(this);
  readonly #indexed = new StoreController<number>(this);
  readonly #features = new StoreController<ShopFeatures>(this);
  readonly #call = new StoreController<ActiveCall | undefined>(this);

  constructor() {
    super();
    this.query = "";
    this.cannedReplies = [];
    this.busy = false;
    this.error = "";
    this.info = "";
  }

  static override styles = [
    shared,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        min-width: 0;
        background: #ffffff;
      }
      .call svg {
        width: 1.1em;
        height: 1.1em;
        margin-inline-end: 0.3em;
        vertical-align: -0.2em;
        fill: none;
        stroke: currentColor;
        stroke-width: 2;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        padding: 0.6rem 0.8rem;
        border-block-end: 1px solid var(--dash-border);
      }
      header h2 {
        margin: 0;
        flex: 1;
        min-width: 8rem;
      }
      .status {
        font-size: 0.75rem;
        padding: 0.1rem 0.5rem;
        border-radius: 999px;
        background: var(--dash-surface);
      }
      .status.closed {
        background: #fde2e2;
        color: #7f1d1d;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      .error {
        margin: 0;
        padding: 0.3rem 0.8rem;
      }
      .matches {
        margin: 0;
        padding: 0.4rem 0.8rem;
        border-block-end: 1px solid var(--dash-border);
        background: #fffbeb;
        max-height: 9rem;
        overflow-y: auto;
        font-size: 0.85rem;
      }
      .matches ol {
        margin: 0.25rem 0 0;
        padding-inline-start: 1.2rem;
      }
      parley-message-list {
        flex: 1;
        min-height: 0;
      }
      .canned {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        padding: 0.3rem 0.6rem 0;
        border-block-start: 1px solid var(--dash-border);
        font-size: 0.85rem;
      }
      .canned select {
        flex: 1;
        min-width: 0;
      }
      .info {
        margin: 0;
        padding: 0.3rem 0.8rem;
        font-size: 0.85rem;
        background: #ecfdf5;
        color: #14532d;
      }
      .info:empty {
        padding: 0;
      }
      .empty {
        margin: auto;
        padding: 2rem;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash") || changed.has("conversationId")) {
      const dash = this.dash;
      const convId = this.conversationId;
      this.error = "";
      this.info = "";
      this.#state.set(dash && convId ? dash.client.conversation(convId) : undefined);
      this.#names.set(dash?.names);
      this.#members.set(dash?.members);
      this.#presence.set(dash?.client.presence);
      this.#indexed.set(dash?.indexVersion);
      this.#features.set(dash?.features);
      this.#call.set(dash?.client.calls.current);
      if (dash && convId) {
        dash.client.loadConversation(convId).catch((err: Error) => {
          this.error = t("conv.failed", { reason: err.message });
        });
      }
    }
  }

  /** Runs a triage action, showing its failure. */
  async #act(action: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await action();
    } catch (err) {
      this.error = t("conv.failed", { reason: (err as Error).message });
    } finally {
      this.busy = false;
    }
  }

  /** Team members who can take the conversation: online now, or already in it; never me. */
  #colleagues(members: readonly Member[]): Array<{ id: string; name: string }> {
    const me = this.dash?.me;
    const found = new Map<string, string>();
    for (const m of this.#presence.value?.online ?? []) found.set(m.principalId, m.displayName);
    for (const m of members) if (m.role === "agent" || m.role === "bot") found.set(m.principalId, m.displayName);
    if (me) found.delete(me);
    return [...found].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  #useCanned(e: Event): void {
    const select = e.target as HTMLSelectElement;
    const text = select.value;
    select.value = "";
    if (!text) return;
    const composer = this.renderRoot.querySelector<ParleyComposer>("parley-composer");
    if (!composer) return;
    composer.text = text;
    void composer.updateComplete.then(() => composer.renderRoot.querySelector("textarea")?.focus());
  }

  /** Voice and video call buttons; a press asks the app (which shows the call) to start it. */
  #callButtons(convId: string) {
    const current = this.#call.value;
    return callButtons({
      tr: translator(locale()),
      available: callsAvailable(this.dash?.client),
      inCall: !!current && current.phase !== "ended",
      look: { className: "button call", text: true },
      start: (media) =>
        this.dispatchEvent(
          new CustomEvent("dashboard-call", { detail: { convId, media }, bubbles: true, composed: true }),
        ),
    });
  }

  #openInvite(handle = ""): void {
    this.renderRoot.querySelector<DashboardInviteDialog>("dashboard-invite-dialog")?.open(handle);
  }

  #invited(e: CustomEvent<InvitedDetail>): void {
    this.info = t("invite.done", { handle: e.detail.handle });
  }

  #matches() {
    const dash = this.dash;
    const convId = this.conversationId;
    if (!dash || !convId || !this.query.trim()) return nothing;
    const hits = dash.index.hits(convId, this.query);
    const names = this.#names.value ?? {};
    return html`<section class="matches" aria-label=${t("search.label")}>
      <span role="status">${t("search.matches", { count: hits.length })}</span>
      <ol>
        ${hits.map(
          (h) => html`<li data-seq=${h.seq}>
            <span class="muted">${names[h.sender] ?? ""} · ${dateTime(h.ts)}:</span>
            ${highlight(h.text, this.query).map((r) => (r.match ? html`<mark>${r.text}</mark>` : r.text))}
          </li>`,
        )}
      </ol>
    </section>`;
  }

  protected override render() {
    const dash = this.dash;
    const convId = this.conversationId;
    const state = this.#state.value;
    const info = state?.info;
    if (!dash || !convId || !info) return html`<p class="empty muted">${t("conv.none")}</p>`;
    const me = dash.me;
    const names = this.#names.value ?? {};
    const members = this.#members.value?.get(convId) ?? [];
    const customer = members.find((m) => m.principalId === info.createdBy);
    const mentionable: Mentionable[] = members
      .filter((m) => m.handle)
      .map((m) => ({ handle: m.handle as string, displayName: m.displayName, member: true }));
    const open = info.status === "open";
    const colleagues = this.#colleagues(members);
    const typing = (state?.typing ?? []).map((p) => names[p] ?? p);
    const features = this.#features.value ?? NO_FEATURES;
    return html`<header>
        <h2 id="conv-title" dir="auto">${customer ? stripBidiControls(customer.displayName) : t("customer.none")}</h2>
        <span class="status ${open ? "" : "closed"}" data-status=${info.status}>
          ${open ? t("conv.status.open") : t("conv.status.closed")}
        </span>
        <div class="actions">
          ${this.#callButtons(convId)}
          ${
            info.assignee === me
              ? html`<button class="button" type="button" data-action="unassign" ?disabled=${this.busy}
                  @click=${() => this.#act(() => dash.client.assign(convId, null))}>${t("conv.unassign")}</button>`
              : html`<button class="button" type="button" data-action="assign-me" ?disabled=${this.busy}
                  @click=${() => this.#act(() => dash.client.assign(convId, me))}>${t("conv.assignMe")}</button>`
          }
          <button class="button" type="button" data-action="invite" aria-haspopup="dialog"
            @click=${() => this.#openInvite()}>${t("invite.open")}</button>
          <label class="sr-only" for="assign-to">${t("conv.assignTo")}</label>
          <select id="assign-to" ?disabled=${this.busy || colleagues.length === 0}
            @change=${(e: Event) => {
              const select = e.target as HTMLSelectElement;
              const to = select.value;
              select.value = "";
              if (to) void this.#act(() => dash.client.assign(convId, to));
            }}>
            <option value="">${t("conv.assignTo")}</option>
            ${colleagues.map((c) => html`<option value=${c.id}>${stripBidiControls(c.name)}</option>`)}
          </select>
          ${
            open
              ? html`<button class="button" type="button" data-action="close" ?disabled=${this.busy}
                  @click=${() => this.#act(() => dash.client.closeConversation(convId))}>${t("conv.close")}</button>`
              : html`<button class="button" type="button" data-action="reopen" ?disabled=${this.busy}
                  @click=${() => this.#act(() => dash.client.reopenConversation(convId))}>${t("conv.reopen")}</button>`
          }
        </div>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="info" role="status">${this.info}</p>
      ${this.#matches()}
      <parley-listen-bar .client=${dash.client} .conversationId=${convId} .names=${names} locale=${locale()}
        .features=${features}></parley-listen-bar>
      <parley-message-list .client=${dash.client} conversation-id=${convId} .names=${names} locale=${locale()}
        .features=${features}></parley-message-list>
      <parley-typing-indicator .names=${typing} locale=${locale()}></parley-typing-indicator>
      <div class="canned">
        <label for="canned">${t("conv.canned")}</label>
        <select id="canned" @change=${this.#useCanned}>
          <option value="">${t("conv.cannedPick")}</option>
          ${this.cannedReplies.map((c) => html`<option value=${c}>${c}</option>`)}
        </select>
      </div>
      <parley-composer .client=${dash.client} conversation-id=${convId} .mentionable=${mentionable}
        locale=${locale()} .features=${features}></parley-composer>
      <dashboard-invite-dialog .dash=${dash} .conversationId=${convId}
        @dashboard-invited=${this.#invited}></dashboard-invite-dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-conversation": DashboardConversation;
  }
}
