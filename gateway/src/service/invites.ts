/**
 * Invites: a member types `@handle`, the gateway looks the handle up (exact
 * match only, rate-limited so handles cannot be enumerated), and the invitee
 * joins only by accepting. Every step is told to the invitee (`invite`) and to
 * the conversation's members and the shop's team (`invitation`), which the
 * widget and the dashboard show as timeline lines (ADR 0018); `history` gives
 * the same records after a reload. Only metadata the gateway holds anyway (who
 * invited whom, and when); no content.
 */
import {
  type ConversationInfo,
  type InviteHistory,
  type InviteInfo,
  isTeamKind,
  normalizeHandle,
  type RpcResults,
  randomId,
} from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type {
  ConversationRecord,
  ConversationStore,
  InviteStore,
  MemberStore,
  PrincipalRecord,
  PrincipalStore,
} from "../store/port.js";
import { LEGACY_INVITE_TTL_MS } from "../store/rules/records.js";
import type { ConversationAccess } from "./access.js";
import type { EventFanout } from "./events.js";
import { RateLimit } from "./rate-limits.js";

export interface InvitesOptions {
  store: InviteStore & MemberStore & ConversationStore & PrincipalStore;
  fanout: EventFanout;
  /** The conversation, if `actor` may act in it (member or the shop's team); throws `not_found` otherwise. */
  access: ConversationAccess;
  /** Announces that `actor` joined `conv` (invited by `inviter`) and answers the conversation as `actor` sees it. */
  joined: (actor: PrincipalRecord, conv: ConversationRecord, inviter: string) => Promise<ConversationInfo>;
  /** Handle lookups per principal per minute. @default 20 */
  lookupRate?: number;
  /** How long an invite stays answerable, ms. @default 7 days */
  inviteTtlMs?: number;
  now: () => number;
}

/** The invite with its invitee's display name and handle, as members see it. */
function withInvitee(invite: InviteInfo, invitee: PrincipalRecord | undefined): InviteInfo {
  if (!invitee) return invite;
  return {
    ...invite,
    inviteeName: invitee.displayName,
    ...(invitee.handle ? { inviteeHandle: invitee.handle } : {}),
  };
}

export class Invites {
  readonly #o: InvitesOptions;
  readonly #lookupLimit: RateLimit;
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(options: InvitesOptions) {
    this.#o = options;
    this.#lookupLimit = new RateLimit({ points: options.lookupRate ?? 20, durationSeconds: 60 });
    this.#now = options.now;
    this.#ttlMs = options.inviteTtlMs ?? LEGACY_INVITE_TTL_MS;
  }

  async create(
    actor: PrincipalRecord,
    convId: string,
    typed: string,
    history: InviteHistory = "none",
  ): Promise<RpcResults["invite.create"]> {
    const { conv } = await this.#o.access(actor, convId);
    const handle = normalizeHandle(typed);
    if (!handle) throw new GatewayError("bad_request", "not a valid @handle");
    await this.#lookupLimit.take(actor.id);
    const invitee = await this.#o.store.findPrincipalByHandle(handle);
    if (!invitee) throw new GatewayError("unknown_handle");
    if (invitee.id === actor.id || (await this.#o.store.getMember(convId, invitee.id))) {
      throw new GatewayError("already_member");
    }
    const pending = await this.#o.store.findPendingInvite(convId, invitee.id);
    if (pending) return { invite: withInvitee(pending, invitee) };
    const createdAt = this.#now();
    const invite: InviteInfo = {
      id: randomId("in_"),
      convId,
      shopId: conv.shopId,
      inviter: actor.id,
      inviterName: actor.displayName,
      invitee: invitee.id,
      status: "pending",
      history,
      createdAt,
      expiresAt: createdAt + this.#ttlMs,
    };
    await this.#o.store.createInvite(invite);
    const shown = withInvitee(invite, invitee);
    this.#o.fanout.toPrincipal(invitee.id, { type: "invite", invite: shown });
    await this.#announceInvite(conv, shown);
    return { invite: shown };
  }

  /**
   * Tells the conversation's members (and the shop's team) that an invite was sent, accepted or
   * declined: the widget and the dashboard show it in the timeline. Metadata the gateway holds
   * anyway (who invited whom, and when); no content. `extra` also reaches the invitee's other
   * sessions when it is not a member.
   */
  async #announceInvite(conv: ConversationRecord, invite: InviteInfo, extra: readonly string[] = []): Promise<void> {
    const members = await this.#o.store.listMembers(conv.id);
    this.#o.fanout.toConversation(conv, members, { type: "invitation", invite }, extra);
  }

  /** The caller's invites still waiting for an answer. */
  async pending(actor: PrincipalRecord): Promise<RpcResults["invite.list"]> {
    return { invites: await this.#o.store.listPendingInvites(actor.id) };
  }

  /** Every invite into the conversation, for its members and the shop's team (the timeline's invite lines). */
  async history(actor: PrincipalRecord, convId: string): Promise<RpcResults["invite.history"]> {
    await this.#o.access(actor, convId);
    const invites = await this.#o.store.listInvitesOf(convId, 200);
    const people = new Map(
      (await this.#o.store.getPrincipals([...new Set(invites.map((i) => i.invitee))])).map((p) => [p.id, p]),
    );
    return { invites: invites.map((i) => withInvitee(i, people.get(i.invitee))) };
  }

  async #pendingInviteFor(actor: PrincipalRecord, inviteId: string): Promise<InviteInfo> {
    const invite = await this.#o.store.getInvite(inviteId);
    if (!invite || invite.invitee !== actor.id) throw new GatewayError("not_found", "no such invite");
    if (invite.status !== "pending") throw new GatewayError("conflict", `invite already ${invite.status}`);
    return invite;
  }

  async accept(actor: PrincipalRecord, inviteId: string): Promise<RpcResults["invite.accept"]> {
    const invite = await this.#pendingInviteFor(actor, inviteId);
    const conv = await this.#o.store.getConversation(invite.convId);
    if (!conv) throw new GatewayError("not_found", "the conversation no longer exists");
    const settledAt = this.#now();
    if (!(await this.#o.store.settleInvite(inviteId, "accepted", settledAt))) {
      throw new GatewayError("conflict", "invite changed");
    }
    const role = isTeamKind(actor.kind) && actor.shopId === conv.shopId ? actor.kind : "member";
    await this.#o.store.addMember({
      convId: conv.id,
      principalId: actor.id,
      role: role === "bot" ? "bot" : role === "agent" ? "agent" : "member",
      joinedAt: this.#now(),
      invitedBy: invite.inviter,
    });
    const conversation = await this.#o.joined(actor, conv, invite.inviter);
    await this.#announceInvite(conv, withInvitee({ ...invite, status: "accepted", settledAt }, actor));
    return { conversation };
  }

  async decline(actor: PrincipalRecord, inviteId: string): Promise<RpcResults["invite.decline"]> {
    const invite = await this.#pendingInviteFor(actor, inviteId);
    const settledAt = this.#now();
    if (!(await this.#o.store.settleInvite(inviteId, "declined", settledAt))) {
      throw new GatewayError("conflict", "invite changed");
    }
    const conv = await this.#o.store.getConversation(invite.convId);
    if (conv) {
      await this.#announceInvite(conv, withInvitee({ ...invite, status: "declined", settledAt }, actor), [actor.id]);
    }
    return { ok: true };
  }
}
