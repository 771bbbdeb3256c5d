/**
 * `<dashboard-invites>`: the invites waiting for this agent's answer
 * (`client.invites`, newest first, live), the same as the widget shows them to
 * customers: who invites (name, handle, role, and the verified-team badge for
 * the shop's agents and bots), the shop, who is in the conversation now (the
 * customer among them), the history offered, and when it expires; with Accept
 * (which opens the conversation), Decline, and Block this inviter. An answer
 * that comes too late (expired, withdrawn, inviter gone) is said in words.
 */
import type { InviteInfo } from "@parley/sdk";
import { isolate, StoreController } from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard, InboxRow } from "./dashboard.js";
import { dateTime, type MessageKey, t } from "./i18n.js";
import { badgeStyles, failure, historyLabel, isTeam, roleLabel, teamBadge } from "./people.js";
import { panelStyles, shared } from "./styles.js";

type Answer = "accept" | "decline" | "block";

/** Codes an answer may fail with that the list explains; "gone" stands for an invite answered or withdrawn elsewhere. */
const EXPLAINED: Record<string, string> = {
  invite_expired: "invite_expired",
  invite_revoked: "invite_revoked",
  inviter_left: "inviter_left",
  not_found: "gone",
  conflict: "gone",
  offline: "offline",
};

/**
 * The invites list.
 * @fires dashboard-select - detail `{ conversationId }`, when an accepted invite's conversation should open
 * @fires dashboard-invites-close - when Escape or the close button asks to hide the list
 */
export class DashboardInvites extends LitElement {
  static override properties = {
    dash: { attribute: false },
    busy: { state: true },
    error: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare busy: string;
  declare error: string;
  readonly #invites = new StoreController<readonly InviteInfo[]>(this);
  /** The shop's conversations as the inbox knows them: the team sees who the customer is before accepting. */
  readonly #rows = new StoreController<readonly InboxRow[]>(this);

  constructor() {
    super();
    this.busy = "";
    this.error = "";
  }

  static override styles = [
    shared,
    badgeStyles,
    panelStyles,
    css`
      ul {
        gap: 0.5rem;
      }
      li {
        border: 1px solid var(--dash-border);
        border-radius: 8px;
        padding: 0.5rem 0.7rem;
        display: grid;
        gap: 0.2rem;
      }
      .from {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        align-items: center;
        margin: 0;
        font-weight: 600;
      }
      .line {
        margin: 0;
        font-size: 0.85rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-top: 0.3rem;
      }
      .button.danger {
        color: var(--dash-danger);
      }
      .error {
        margin: 0.4rem 0 0;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash")) {
      this.#invites.set(this.dash?.client.invites);
      this.#rows.set(this.dash?.rows);
    }
  }

  /** Moves focus to the list's heading (when it is opened from the header). */
  override focus(): void {
    this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
  }

  async #answer(invite: InviteInfo, answer: Answer): Promise<void> {
    const client = this.dash?.client;
    if (!client || this.busy) return;
    this.busy = invite.id;
    this.error = "";
    try {
      if (answer === "accept") {
        const conversation = await client.acceptInvite(invite.id);
        this.dispatchEvent(
          new CustomEvent("dashboard-select", {
            detail: { conversationId: conversation.id },
            bubbles: true,
            composed: true,
          }),
        );
      } else if (answer === "decline") {
        await client.declineInvite(invite.id);
      } else {
        await client.blockInviter(invite.id);
      }
    } catch (err) {
      const code = EXPLAINED[failure(err).code] ?? "other";
      this.error = t(`invites.failed.${code}` as MessageKey, { name: invite.inviterName });
    } finally {
      this.busy = "";
    }
  }

  #invite(invite: InviteInfo) {
    const members = invite.members ?? [];
    const busy = this.busy !== "";
    const labelId = `invite-${invite.id}`;
    const customer = this.#rows.value?.find((r) => r.id === invite.convId)?.customer?.displayName;
    return html`<li data-invite-id=${invite.id}>
      <p class="from" id=${labelId}>
        <span data-field="inviter">${t("invites.from", { name: invite.inviterName })}</span>
        ${invite.inviterHandle ? html`<span class="muted">@${invite.inviterHandle}</span>` : nothing}
        ${invite.inviterKind ? html`<span class="badge" data-role=${invite.inviterKind}>${roleLabel(invite.inviterKind)}</span>` : nothing}
        ${isTeam(invite.inviterKind) ? teamBadge() : nothing}
      </p>
      ${customer ? html`<p class="line" data-field="conversation">${t("invites.conversation", { name: customer })}</p>` : nothing}
      ${invite.shopName ? html`<p class="line" data-field="shop">${t("invites.shop", { shop: invite.shopName })}</p>` : nothing}
      ${
        members.length > 0
          ? html`<p class="line" data-field="members">${t("invites.members", {
              names: members.map((m) => `${isolate(m.displayName)} (${roleLabel(m.role)})`).join(", "),
            })}</p>`
          : nothing
      }
      <p class="line" data-field="history">${t("invites.history", { history: historyLabel(invite.history) })}</p>
      <p class="line muted" data-field="expires">${t("invites.expires", { when: dateTime(invite.expiresAt) })}</p>
      <div class="actions">
        <button class="button primary" type="button" data-action="accept" ?disabled=${busy}
          @click=${() => this.#answer(invite, "accept")}>${t("invites.accept")}</button>
        <button class="button" type="button" data-action="decline" ?disabled=${busy}
          @click=${() => this.#answer(invite, "decline")}>${t("invites.decline")}</button>
        <button class="button danger" type="button" data-action="block" ?disabled=${busy}
          @click=${() => this.#answer(invite, "block")}>${t("invites.block", { name: invite.inviterName })}</button>
      </div>
    </li>`;
  }

  protected override render() {
    const invites = this.#invites.value ?? [];
    return html`<section aria-labelledby="invites-title"
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === "Escape") this.dispatchEvent(new CustomEvent("dashboard-invites-close"));
        }}>
      <header>
        <h2 id="invites-title" tabindex="-1">${t("invites.title")}</h2>
        <button class="button" type="button" data-action="close-invites"
          @click=${() => this.dispatchEvent(new CustomEvent("dashboard-invites-close"))}>${t("invites.close")}</button>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        invites.length === 0
          ? html`<p class="muted" role="status">${t("invites.empty")}</p>`
          : html`<ul aria-label=${t("invites.title")}>${invites.map((i) => this.#invite(i))}</ul>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-invites": DashboardInvites;
  }
}
