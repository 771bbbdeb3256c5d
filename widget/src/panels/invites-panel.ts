/**
 * `<parley-invites-panel>`: the invites waiting for the person's answer
 * (`client.invites`, live and after a reload), newest first. Each shows who
 * invited them (name, role, a "Verified team" badge for the shop's agents and
 * bots), the shop, the conversation's members, the history offered and when it
 * expires, with Accept, Decline and Block (which asks first). Accepting opens
 * the conversation in the chat; an invite that expired, was withdrawn or whose
 * inviter left says so and leaves the list. Below, a customer with more than
 * one conversation (their own and those they joined) switches between them.
 * Loaded on demand (panel-host.ts).
 */
import type { InviteInfo, ParleyClient } from "@parley/sdk";
import type { PanelKit } from "../components/panel-kit.js";
import { inviteStrings } from "./invites.strings.js";
import { panelElement } from "./panel-element.js";
import { type PanelTranslator, panelTranslator } from "./panel-strings.js";

type T = PanelTranslator<keyof typeof inviteStrings.en>;
type ConversationInfo = Awaited<ReturnType<ParleyClient["listConversations"]>>[number];

/** Codes meaning the invite cannot be answered any more (the SDK drops it from `client.invites`). */
const GONE = new Set(["invite_expired", "invite_revoked", "inviter_left", "not_found", "conflict"]);

/**
 * The inviter's role in the conversation: from the members preview, else from their kind. The preview
 * has no principal ids: the inviter is the member with their handle or, for an inviter without one
 * (a shopper who never chose a handle, often the owner), the only handle-less member with their name.
 */
function inviterRole(invite: InviteInfo): "owner" | "member" | "agent" | "bot" {
  const kind = invite.inviterKind;
  if (kind === "agent" || kind === "bot") return kind;
  const candidates =
    invite.members?.filter((m) =>
      invite.inviterHandle ? m.handle === invite.inviterHandle : !m.handle && m.displayName === invite.inviterName,
    ) ?? [];
  return candidates.length === 1 ? (candidates[0]?.role ?? "member") : "member";
}

/** The message for a refused answer. */
function failure(t: T, invite: InviteInfo, err: unknown): string {
  const e = err as { code?: string; name?: string };
  switch (e.code) {
    case "invite_expired":
    case "invite_revoked":
      return t.t(`error.${e.code}`);
    case "inviter_left":
      return t.t("error.inviter_left", { name: invite.inviterName });
    case "not_found":
    case "conflict":
      return t.t("error.gone");
    case "unavailable":
      return t.t("error.offline");
    default:
      return e.name === "ConnectionLostError" ? t.t("error.offline") : t.t("error.other");
  }
}

/** The panel's tag. */
export const tag = "parley-invites-panel";

/** Registers `<parley-invites-panel>` (once), built from the chat's kit. */
export function define(kit: PanelKit): void {
  if (customElements.get(tag)) return;
  const { html, nothing, StoreController, translator } = kit;
  const Base = panelElement(kit);
  /** The invites panel. */
  class ParleyInvitesPanel extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      ...Base.properties,
      confirming: { state: true },
      busy: { state: true },
      note: { state: true },
      conversations: { state: true },
    };
    /** @internal The invite whose Block asks for confirmation. */
    declare confirming: string | undefined;
    /** @internal The invite being answered. */
    declare busy: string | undefined;
    /** @internal The last answer's result, `{ok, text}`. */
    declare note: { ok: boolean; text: string } | undefined;
    /** @internal The principal's conversations, newest activity first. */
    declare conversations: ConversationInfo[];
    readonly #invites = new StoreController<readonly InviteInfo[]>(this);

    override connectedCallback(): void {
      super.connectedCallback();
      this.conversations = [];
      void this.client
        ?.listConversations()
        .then((list) => {
          this.conversations = [...list].sort((a, b) => b.updatedAt - a.updatedAt);
        })
        .catch(() => undefined);
    }

    /** The conversation switcher, when there is something to switch to. */
    #switcher(t: T) {
      if (this.conversations.length < 2) return nothing;
      const { tr } = t;
      return html`<section aria-labelledby="convs-heading">
        <h3 id="convs-heading">${t.t("convs.heading")}</h3>
        <ul class="convs">
          ${this.conversations.map((c) => {
            const current = c.id === this.conversationId;
            const unread = this.client?.conversation(c.id).value.unread ?? c.unread ?? 0;
            return html`<li>
              <span>${c.ownerName || tr.t("conv.untitled", { id: c.id.slice(-6) })}, ${tr.day(c.updatedAt)} ${tr.time(c.updatedAt)}${
                unread > 0 ? `, ${tr.t("conv.unread", { count: unread })}` : ""
              }</span>
              ${
                current
                  ? html`<span class="muted">${t.t("convs.current")}</span>`
                  : html`<button type="button" class="secondary" data-conversation=${c.id}
                      aria-label=${`${t.t("convs.open")}: ${c.ownerName || tr.t("conv.untitled", { id: c.id.slice(-6) })}`}
                      @click=${() => this.openConversation(c.id)}>${t.t("convs.open")}</button>`
              }
            </li>`;
          })}
        </ul>
      </section>`;
    }

    protected override willUpdate(): void {
      this.#invites.set(this.client?.invites);
    }

    get #t(): T {
      return panelTranslator(inviteStrings, translator(this.locale));
    }

    /** Runs an answer; on success `done` says what happened, on failure the reason is shown. */
    async #answer(invite: InviteInfo, run: () => Promise<unknown>, done?: string): Promise<void> {
      const t = this.#t;
      const list = this.#invites.value ?? [];
      const next = list[list.indexOf(invite) + 1]?.id;
      this.busy = invite.id;
      this.note = undefined;
      try {
        await run();
        if (done) this.note = { ok: true, text: done };
      } catch (err) {
        const code = (err as { code?: string }).code ?? "";
        this.note = { ok: false, text: failure(t, invite, err) };
        if (!GONE.has(code)) return;
      } finally {
        this.busy = undefined;
        this.confirming = undefined;
      }
      // The invite left the list: focus moves to the next one (or the list's heading).
      await this.updateComplete;
      const target =
        (next && this.renderRoot.querySelector<HTMLElement>(`[data-invite="${next}"] button`)) ||
        this.renderRoot.querySelector<HTMLElement>("#invites-status");
      target?.focus();
    }

    #accept(invite: InviteInfo): Promise<void> {
      return this.#answer(invite, async () => {
        const conv = await this.client?.acceptInvite(invite.id);
        if (conv) this.openConversation(conv.id);
      });
    }

    async #askBlock(invite: InviteInfo): Promise<void> {
      this.confirming = invite.id;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`[data-invite="${invite.id}"] .confirm button`)?.focus();
    }

    async #cancelBlock(invite: InviteInfo): Promise<void> {
      this.confirming = undefined;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`[data-invite="${invite.id}"] [data-action=block]`)?.focus();
    }

    #invite(t: T, invite: InviteInfo) {
      const team = invite.inviterKind === "agent" || invite.inviterKind === "bot";
      const busy = this.busy === invite.id;
      const name = invite.inviterName;
      const head = `h-${invite.id}`;
      return html`<li data-invite=${invite.id}>
        <article aria-labelledby=${head}>
          <h3 id=${head}>${t.t("heading", { name })}${invite.inviterHandle ? html` <span class="muted">@${invite.inviterHandle}</span>` : nothing}</h3>
          <p>${t.t(`role.${inviterRole(invite)}`)}${team ? html` <span class="badge" part="verified-badge">✓ ${t.t("verified")}</span>` : nothing}</p>
          ${invite.shopName ? html`<p>${t.t("shop", { shop: invite.shopName })}</p>` : nothing}
          ${
            invite.members?.length
              ? html`<p>${t.t("members")}</p>
                <ul>${invite.members.map((m) => html`<li>${t.t("member", { name: m.displayName, role: t.t(`memberRole.${m.role}`) })}</li>`)}</ul>`
              : nothing
          }
          <p>${t.t(`history.${invite.history ?? "none"}`)}</p>
          <p class="muted">${t.t("expires", { when: t.until(invite.expiresAt) })}
            (<time datetime=${new Date(invite.expiresAt).toISOString()}>${t.tr.day(invite.expiresAt)}, ${t.tr.time(invite.expiresAt)}</time>)</p>
          <div class="row">
            <button type="button" class="primary" data-action="accept" ?disabled=${busy} @click=${() => this.#accept(invite)}>${t.t("accept")}</button>
            <button type="button" class="secondary" data-action="decline" ?disabled=${busy}
              @click=${() => this.#answer(invite, () => this.client?.declineInvite(invite.id) ?? Promise.resolve(), t.t("declined", { name }))}>
              ${t.t("decline")}</button>
            <button type="button" class="secondary" data-action="block" ?disabled=${busy} aria-expanded=${this.confirming === invite.id ? "true" : "false"}
              @click=${() => this.#askBlock(invite)}>${t.t("block", { name })}</button>
          </div>
          ${
            this.confirming === invite.id
              ? html`<div class="confirm" role="group" aria-labelledby="c-${invite.id}">
                  <p id="c-${invite.id}">${t.t("block.confirm", { name })}</p>
                  <div class="row">
                    <button type="button" class="danger" data-action="block-yes" ?disabled=${busy}
                      @click=${() => this.#answer(invite, () => this.client?.blockInviter(invite.id) ?? Promise.resolve(), t.t("blocked", { name }))}>
                      ${t.t("block.yes")}</button>
                    <button type="button" class="secondary" data-action="block-no" @click=${() => this.#cancelBlock(invite)}>${t.t("block.no")}</button>
                  </div>
                </div>`
              : nothing
          }
        </article>
      </li>`;
    }

    protected override render() {
      const t = this.#t;
      const invites = this.#invites.value ?? [];
      const note = this.note;
      return html`${this.top(t.t("title"), t.t("close"))}
        <p id="invites-status" tabindex="-1" class=${note ? (note.ok ? "ok" : "error") : "muted"} role="status">${
          note?.text ?? (invites.length > 0 ? t.t("count", { count: invites.length }) : "")
        }</p>
        ${
          invites.length === 0
            ? html`<p>${t.t("none")}</p>`
            : html`<ul class="invites" aria-label=${t.t("title")}>${invites.map((i) => this.#invite(t, i))}</ul>`
        }${this.#switcher(t)}`;
    }
  }
  customElements.define(tag, ParleyInvitesPanel);
}
