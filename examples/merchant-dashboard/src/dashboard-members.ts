/**
 * `<dashboard-members>`: the people in the open conversation, with role
 * badges (the verified-team badge for agents and bots) and who invited whom;
 * Remove for each of them but the owner and this agent (the shop's team may
 * remove members), Leave when this agent is a member; and the invites still
 * pending, with Revoke. Members come from the model (reloaded on every
 * membership event); invites from `client.invitations` and `invitation`
 * events.
 */
import type { InviteInfo } from "@parley/sdk";
import { StoreController, stripBidiControls } from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import { type MessageKey, t } from "./i18n.js";
import { badgeStyles, failure, historyLabel, roleBadge } from "./people.js";
import { shared } from "./styles.js";

type Member = Awaited<ReturnType<Dashboard["client"]["members"]>>[number];

const EXPLAINED: Record<string, string> = {
  forbidden: "forbidden",
  not_found: "gone",
  conflict: "gone",
  invite_revoked: "gone",
  invite_expired: "gone",
  offline: "offline",
};

export class DashboardMembers extends LitElement {
  static override properties = {
    dash: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    invites: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare conversationId: string | undefined;
  /** Every invite into the conversation, by id (any status). */
  declare invites: ReadonlyMap<string, InviteInfo>;
  declare busy: boolean;
  declare error: string;
  readonly #members = new StoreController<ReadonlyMap<string, readonly Member[]>>(this);
  readonly #names = new StoreController<Readonly<Record<string, string>>>(this);
  #offs: Array<() => void> = [];
  #load = 0;
  #expiry: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.invites = new Map();
    this.busy = false;
    this.error = "";
  }

  static override styles = [
    shared,
    badgeStyles,
    css`
      :host {
        display: block;
        padding: 0.8rem;
        border-block-start: 1px solid var(--dash-border);
      }
      ul {
        list-style: none;
        margin: 0 0 0.6rem;
        padding: 0;
        display: grid;
        gap: 0.35rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem;
        font-size: 0.9rem;
      }
      .name {
        font-weight: 600;
      }
      li {
        padding-block-end: 0.3rem;
        border-block-end: 1px solid var(--dash-surface);
      }
      .by {
        font-size: 0.8rem;
        flex-basis: 100%;
      }
      li .button {
        font-size: 0.8rem;
        padding: 0.1rem 0.5rem;
      }
      h3 {
        font-size: 0.9rem;
        margin: 0.4rem 0 0.3rem;
      }
      .error {
        margin: 0 0 0.4rem;
        font-size: 0.85rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  #stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    clearTimeout(this.#expiry);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has("dash") && !changed.has("conversationId")) return;
    this.#stop();
    this.invites = new Map();
    this.error = "";
    const { dash, conversationId } = this;
    this.#members.set(dash?.members);
    this.#names.set(dash?.names);
    if (!dash || !conversationId) return;
    this.#offs.push(
      dash.client.on("invitation", (invite) => {
        if (invite.convId === this.conversationId) this.#merge([invite]);
      }),
      // Reconnected: invites may have changed meanwhile.
      dash.client.on("status", (s) => {
        if (s.state === "connected") void this.#reload();
      }),
    );
    void this.#reload();
  }

  async #reload(): Promise<void> {
    const { dash, conversationId } = this;
    if (!dash || !conversationId) return;
    const load = ++this.#load;
    try {
      const invites = await dash.client.invitations(conversationId);
      if (load === this.#load) this.#merge(invites);
    } catch (err) {
      if (load === this.#load) this.#fail(err);
    }
  }

  #merge(more: readonly InviteInfo[]): void {
    const next = new Map(this.invites);
    for (const i of more) next.set(i.id, i);
    this.invites = next;
    // A pending invite leaves the list when it expires, also without an event.
    clearTimeout(this.#expiry);
    const pending = this.#pending();
    if (pending.length === 0) return;
    const wait = Math.min(...pending.map((i) => i.expiresAt)) - Date.now() + 1;
    this.#expiry = setTimeout(() => this.requestUpdate(), Math.min(Math.max(wait, 0), 60 * 60 * 1000));
  }

  #pending(): InviteInfo[] {
    const now = Date.now();
    return [...this.invites.values()]
      .filter((i) => i.status === "pending" && i.expiresAt > now)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  #fail(err: unknown): void {
    const code = EXPLAINED[failure(err).code] ?? "other";
    this.error = t(`members.failed.${code}` as MessageKey);
  }

  async #act(action: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    try {
      await action();
    } catch (err) {
      this.#fail(err);
    } finally {
      this.busy = false;
    }
  }

  #revoke(invite: InviteInfo): Promise<void> {
    return this.#act(async () => {
      await this.dash?.client.revokeInvite(invite.id);
      this.#merge([{ ...invite, status: "revoked" }]);
    });
  }

  #member(m: Member, me: string, names: Readonly<Record<string, string>>) {
    const dash = this.dash as Dashboard;
    const convId = this.conversationId as string;
    const name = m.principalId === me ? t("members.you", { name: m.displayName }) : stripBidiControls(m.displayName);
    const inviter = m.invitedBy ? (names[m.invitedBy] ?? m.invitedBy) : undefined;
    return html`<li data-member-id=${m.principalId} data-role=${m.role}>
      <bdi class="name">${name}</bdi>
      ${m.handle ? html`<span class="muted">@${m.handle}</span>` : nothing}
      ${roleBadge(m.role)}
      ${inviter ? html`<span class="by muted" data-field="invited-by">${t("members.invitedBy", { name: inviter })}</span>` : nothing}
      ${
        m.principalId === me
          ? html`<button class="button" type="button" data-action="leave" ?disabled=${this.busy}
              @click=${() => this.#act(() => dash.client.leave(convId))}>${t("members.leave")}</button>`
          : m.role === "owner"
            ? nothing
            : html`<button class="button" type="button" data-action="remove" ?disabled=${this.busy}
                @click=${() => this.#act(() => dash.client.removeMember(convId, m.principalId))}>
                ${t("members.remove", { name: m.displayName })}</button>`
      }
    </li>`;
  }

  #invite(i: InviteInfo, names: Readonly<Record<string, string>>) {
    const invitee = i.inviteeName ?? (i.inviteeHandle ? `@${i.inviteeHandle}` : i.invitee);
    return html`<li data-invite-id=${i.id}>
      <span>${t("members.pendingLine", {
        invitee,
        inviter: names[i.inviter] ?? i.inviterName,
        history: historyLabel(i.history),
      })}</span>
      <button class="button" type="button" data-action="revoke" ?disabled=${this.busy}
        @click=${() => this.#revoke(i)}>${t("members.revoke", { name: invitee })}</button>
    </li>`;
  }

  protected override render() {
    const { dash, conversationId } = this;
    if (!dash || !conversationId) return nothing;
    const me = dash.me;
    const names = this.#names.value ?? {};
    const members = this.#members.value?.get(conversationId) ?? [];
    const pending = this.#pending();
    return html`<section aria-labelledby="members-title">
      <h2 id="members-title">${t("members.title")}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <ul aria-label=${t("members.title")} data-list="members">
        ${members.map((m) => this.#member(m, me, names))}
      </ul>
      <h3 id="pending-title">${t("members.pending")}</h3>
      ${
        pending.length === 0
          ? html`<p class="muted">${t("members.noPending")}</p>`
          : html`<ul aria-labelledby="pending-title" data-list="pending">${pending.map((i) => this.#invite(i, names))}</ul>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-members": DashboardMembers;
  }
}
