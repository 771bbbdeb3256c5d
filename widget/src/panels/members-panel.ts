/**
 * `<parley-members-panel>`: who is in the conversation, loaded on demand when
 * the panel opens. Members with role badges (Owner, Member, Team for the
 * shop's agents and bots) and who invited whom ("Invited by Mia"); the
 * viewer's own row has Leave, and the conversation's owner and the shop's
 * team get Remove on the others' rows (both ask to confirm first). Pending
 * invites show who invited them and the history offered, with Revoke for
 * their inviter, the owner and the team. Kept current by `membership` and
 * `invitation` events. Escape (or Close) fires `parley-panel-close`.
 */
import type { InviteInfo, ParleyClient } from "@parley/sdk";
import type { MemberInfo } from "@parley/sdk/protocol";
import type { PropertyValues } from "lit";
import { stripBidiControls } from "../i18n/bidi.js";
import { errorOf, type PanelKit } from "./kit.js";
import { type PanelKey, type PanelStrings, panelStrings } from "./members-strings.js";
import { panelStyles } from "./panel-styles.js";

/** An action waiting for its confirmation. */
interface Pending {
  kind: "leave" | "remove";
  principalId: string;
}

const isTeam = (kind: string | undefined) => kind === "agent" || kind === "bot";

function failure(err: unknown, s: PanelStrings): string {
  const { offline, code } = errorOf(err);
  if (offline) return s.t("members.failed.offline");
  if (code === "forbidden") return s.t("members.failed.forbidden");
  if (code && ["invite_revoked", "invite_expired", "conflict", "not_found"].includes(code))
    return s.t("members.failed.gone");
  return s.t("members.failed");
}

/** The panel's tag. */
export const tag = "parley-members-panel";

/** Registers `<parley-members-panel>` (once), built from the chat's kit (the panel host's `PanelModule` contract). */
export function define(kit: PanelKit): void {
  if (customElements.get(tag)) return;
  const { html, css, nothing } = kit;
  /** The members panel (see the module comment). */
  class ParleyMembersPanel extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      conversationId: { attribute: false },
      locale: {},
      members: { state: true },
      invites: { state: true },
      confirming: { state: true },
      error: { state: true },
      loaded: { state: true },
    };

    /** The client whose conversation is shown. */
    declare client: ParleyClient | undefined;
    /** The conversation. */
    declare conversationId: string | undefined;
    /** BCP 47 locale (`en`, `de`; others read English). */
    declare locale: string;
    /** @internal The members. */
    declare members: MemberInfo[];
    /** @internal Every invite into the conversation. */
    declare invites: InviteInfo[];
    /** @internal The action asking for confirmation. */
    declare confirming: Pending | undefined;
    /** @internal Rendering state. */
    declare error: string;
    /** @internal Rendering state. */
    declare loaded: boolean;
    #offs: Array<() => void> = [];

    constructor() {
      super();
      this.locale = "en";
      this.members = [];
      this.invites = [];
      this.error = "";
      this.loaded = false;
    }

    /** @internal */
    static override styles = [
      panelStyles(kit),
      css`
        :host {
          position: absolute;
          inset: 0;
          z-index: 2;
          display: block;
          overflow: auto;
          background: var(--parley-bg, #ffffff);
          padding: 0.75rem 1rem 1rem;
          box-sizing: border-box;
        }
        .top {
          display: flex;
          align-items: center;
          justify-content: space-between;
          gap: 0.5rem;
        }
        .close {
        white-space: nowrap;
      }
      h2:focus {
          outline: none;
        }
        ul {
          list-style: none;
          margin: 0;
          padding: 0;
        }
        li {
          border-block-end: 1px solid var(--parley-border, #c9d0da);
          padding: 0.5rem 0;
        }
        .row {
          display: flex;
          flex-wrap: wrap;
          align-items: center;
          gap: 0.4rem;
        }
        .name {
          font-weight: 600;
        }
        .row .actions {
          margin: 0 0 0 auto;
        }
        .confirm {
          margin-block-start: 0.4rem;
          padding: 0.5rem;
          border-radius: 8px;
          background: var(--parley-notice-bg, #fff7e0);
          color: var(--parley-notice-fg, #5c3d00);
        }
        .confirm p {
          margin: 0;
        }
      `,
    ];

    override connectedCallback(): void {
      super.connectedCallback();
      this.#follow();
    }

    override disconnectedCallback(): void {
      super.disconnectedCallback();
      this.#unfollow();
    }

    protected override willUpdate(changed: PropertyValues<this>): void {
      if ((changed.has("client") || changed.has("conversationId")) && this.isConnected) this.#follow();
    }

    /** Moves focus to the panel's heading (where a screen reader starts reading it). */
    override focus(): void {
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("h2")?.focus());
    }

    #follow(): void {
      this.#unfollow();
      const client = this.client;
      const convId = this.conversationId;
      if (!client || !convId) return;
      this.#offs.push(
        client.on("membership", (e) => {
          if (e.convId === convId) void this.#load();
        }),
        client.on("invitation", (i) => {
          if (i.convId === convId) this.invites = [...this.invites.filter((x) => x.id !== i.id), i];
        }),
      );
      void this.#load();
    }

    #unfollow(): void {
      for (const off of this.#offs) off();
      this.#offs = [];
    }

    async #load(): Promise<void> {
      const client = this.client;
      const convId = this.conversationId;
      if (!client || !convId) return;
      try {
        const [members, invites] = await Promise.all([client.members(convId), client.invitations(convId)]);
        if (convId !== this.conversationId) return;
        this.members = members;
        // Live events may have come in meanwhile: keep whichever is settled.
        const live = new Map(this.invites.map((i) => [i.id, i]));
        this.invites = invites.map((i) => {
          const known = live.get(i.id);
          return known && known.status !== "pending" ? known : i;
        });
        this.loaded = true;
      } catch (err) {
        this.error = failure(err, panelStrings(this.locale));
      }
    }

    #me(): { id: string; kind: string } | undefined {
      try {
        return this.client?.principal;
      } catch {
        return undefined;
      }
    }

    #name(id: string, s: PanelStrings): string {
      return (
        this.members.find((m) => m.principalId === id)?.displayName ??
        this.invites.find((i) => i.inviter === id)?.inviterName ??
        s.t("members.someone")
      );
    }

    #close(): void {
      this.dispatchEvent(new CustomEvent("parley-panel-close", { bubbles: true, composed: true }));
    }

    #onKeydown(e: KeyboardEvent): void {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      if (this.confirming) this.#cancelConfirm();
      else this.#close();
    }

    async #ask(p: Pending): Promise<void> {
      this.confirming = p;
      this.error = "";
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>(".confirm button.danger")?.focus();
    }

    async #cancelConfirm(): Promise<void> {
      const p = this.confirming;
      this.confirming = undefined;
      await this.updateComplete;
      if (p) this.renderRoot.querySelector<HTMLButtonElement>(`[data-action="${p.kind}-${p.principalId}"]`)?.focus();
    }

    /** Runs a confirmed action; after leaving, the panel closes (there is nothing left to show). */
    async #run(action: () => Promise<void>, closeAfter = false): Promise<void> {
      const s = panelStrings(this.locale);
      this.error = "";
      try {
        await action();
        this.confirming = undefined;
        if (closeAfter) return this.#close();
        await this.#load();
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
      } catch (err) {
        this.error = failure(err, s);
      }
    }

    #confirmView(p: Pending, s: PanelStrings, name: string) {
      const text = p.kind === "leave" ? s.t("members.leave.confirm") : s.t("members.remove.confirm", { name });
      const client = this.client;
      const convId = this.conversationId ?? "";
      const act =
        p.kind === "leave"
          ? () => client?.leave(convId) ?? Promise.resolve()
          : () => client?.removeMember(convId, p.principalId) ?? Promise.resolve();
      return html`<div class="confirm" role="group" aria-labelledby="confirm-text">
        <p id="confirm-text">${text}</p>
        <div class="actions">
          <button type="button" @click=${() => this.#cancelConfirm()}>${s.t("members.confirm.no")}</button>
          <button type="button" class="danger" @click=${() => this.#run(act, p.kind === "leave")}>${s.t("members.confirm.yes")}</button>
        </div>
      </div>`;
    }

    #memberView(m: MemberInfo, s: PanelStrings, me: { id: string; kind: string } | undefined, canRemove: boolean) {
      const own = m.principalId === me?.id;
      const team = m.role === "agent" || m.role === "bot";
      const role = team ? "team" : m.role;
      const kind = own ? "leave" : "remove";
      const confirming = this.confirming?.principalId === m.principalId && this.confirming.kind === kind;
      const action = own
        ? html`<button type="button" class="danger" data-action=${`leave-${m.principalId}`}
            @click=${() => this.#ask({ kind: "leave", principalId: m.principalId })}>${s.t("members.leave")}</button>`
        : canRemove && m.role !== "owner"
          ? html`<button type="button" class="danger" data-action=${`remove-${m.principalId}`}
              @click=${() => this.#ask({ kind: "remove", principalId: m.principalId })}>
              ${s.t("members.remove", { name: m.displayName })}</button>`
          : nothing;
      return html`<li data-member=${m.principalId}>
        <div class="row">
          <span class="name" dir="auto">${own ? s.t("members.you", { name: m.displayName }) : stripBidiControls(m.displayName)}</span>
          ${m.handle ? html`<span class="handle">@${m.handle}</span>` : nothing}
          <span class=${team ? "badge team" : "badge"}>${s.t(`members.role.${role}` as PanelKey)}</span>
          <span class="actions">${confirming ? nothing : action}</span>
        </div>
        ${m.invitedBy ? html`<div class="muted">${s.t("members.invitedBy", { name: this.#name(m.invitedBy, s) })}</div>` : nothing}
        ${confirming && this.confirming ? this.#confirmView(this.confirming, s, m.displayName) : nothing}
      </li>`;
    }

    #inviteView(i: InviteInfo, s: PanelStrings, mayRevoke: boolean) {
      const name = i.inviteeName || (i.inviteeHandle ? `@${i.inviteeHandle}` : s.t("members.someone"));
      const history = s.t(`invite.history.${i.history ?? "none"}` as PanelKey);
      return html`<li data-invite=${i.id}>
        <div class="row">
          <span class="name">${name}</span>
          ${i.inviteeHandle ? html`<span class="handle">@${i.inviteeHandle}</span>` : nothing}
          <span class="actions">${
            mayRevoke
              ? html`<button type="button" class="danger" data-action=${`revoke-${i.id}`}
                  @click=${() => this.#run(() => this.client?.revokeInvite(i.id) ?? Promise.resolve())}>
                  ${s.t("members.revoke", { name })}</button>`
              : nothing
          }</span>
        </div>
        <div class="muted">${s.t("members.pending.by", { name: this.#name(i.inviter, s), history })}</div>
      </li>`;
    }

    protected override render() {
      const s = panelStrings(this.locale);
      const me = this.#me();
      const team = isTeam(me?.kind);
      const owner = this.members.some((m) => m.principalId === me?.id && m.role === "owner");
      const now = Date.now();
      const pending = this.invites.filter((i) => i.status === "pending" && (!i.expiresAt || i.expiresAt > now));
      return html`<section aria-labelledby="members-title" lang=${s.lang} @keydown=${this.#onKeydown}>
        <div class="top">
          <h2 id="members-title" tabindex="-1">${s.t("members.title")}</h2>
          <button type="button" class="close" @click=${() => this.#close()}>${s.t("members.close")}</button>
        </div>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${
          this.loaded
            ? html`<ul aria-labelledby="members-title">
                ${this.members.map((m) => this.#memberView(m, s, me, team || owner))}
              </ul>
              <h3 id="pending-title">${s.t("members.pending")}</h3>
              ${
                pending.length === 0
                  ? html`<p class="muted">${s.t("members.pending.none")}</p>`
                  : html`<ul aria-labelledby="pending-title">
                      ${pending.map((i) => this.#inviteView(i, s, team || owner || i.inviter === me?.id))}
                    </ul>`
              }`
            : html`<p class="muted" role="status">${s.t("members.loading")}</p>`
        }
      </section>`;
    }
  }
  customElements.define(tag, ParleyMembersPanel);
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-members-panel": HTMLElement;
  }
}
