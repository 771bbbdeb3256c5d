/**
 * Invites: a member types `@handle`, the gateway looks the handle up in the
 * member's shop (exact match only, rate-limited so handles cannot be
 * enumerated), and the invitee joins only by accepting. Every step is told to
 * the invitee (`invite`) and to the conversation's members and the shop's team
 * (`invitation`), which the widget and the dashboard show as timeline lines
 * (ADR 0018); `history` gives the same records after a reload. Only metadata
 * the gateway holds anyway (who invited whom, and when); no content.
 *
 * The rules (ADR 0024, invite-rules.ts): invites expire; the inviter, the
 * conversation's owner or the shop's team may revoke a pending one; the
 * inviter must still be a member when it is accepted; a decline holds the same
 * inviter off for 24 hours; and the invites of an inviter the invitee blocked
 * are kept but dropped without a word. An invited member outside the shop's
 * team reads only as far back as the invite offered (the history floor).
 * Every event an op publishes carries that request's id (`requestId`, ADR 0042).
 */
import {
  type ConversationInfo,
  type InviteHistory,
  type InviteInfo,
  type RpcResults,
  randomId,
} from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type {
  BlockStore,
  ConversationRecord,
  ConversationStore,
  InviteRecord,
  InviteStore,
  MemberStore,
  PrincipalRecord,
  PrincipalStore,
  ReadMarkerStore,
  ShopStore,
} from "../store/port.js";
import type { ConversationAccess } from "./access.js";
import type { EventFanout, FanoutOptions } from "./events.js";
import { assertAnswerable, cooldownLeft, DEFAULT_INVITE_TTL_MS, historyFloor, statusAt } from "./invite-rules.js";
import { InviteViews } from "./invite-views.js";
import { fitBudget } from "./paging.js";
import { isTeamMember } from "./team.js";

export interface InvitesOptions {
  store: InviteStore & MemberStore & ConversationStore & PrincipalStore & ShopStore & BlockStore & ReadMarkerStore;
  fanout: EventFanout;
  /** The conversation, if `actor` may act in it (member or the shop's team); throws `not_found` otherwise. */
  access: ConversationAccess;
  /**
   * Announces that `actor` joined `conv` (invited by `inviter`, in the request `requestId`) and answers the
   * conversation as `actor` sees it.
   */
  joined: (
    actor: PrincipalRecord,
    conv: ConversationRecord,
    by: { inviter: string; requestId: string | undefined },
  ) => Promise<ConversationInfo>;
  /** The principal of the actor's shop holding a typed handle (normalised, rate-limited); `unknown_handle` otherwise. */
  resolve: (actor: PrincipalRecord, typed: string) => Promise<PrincipalRecord>;
  /** How long an invite stays answerable, ms. @default 7 days */
  inviteTtlMs?: number;
  now: () => number;
}

/** The most invites `invite.history` answers: the newest, oldest first. */
const INVITE_HISTORY_LIMIT = 200;
/** The most pending invites `invite.list` answers (newest first; docs/protocol.md). */
export const INVITE_LIST_LIMIT = 50;

export class Invites {
  readonly #o: InvitesOptions;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #views: InviteViews;

  constructor(options: InvitesOptions) {
    this.#o = options;
    this.#now = options.now;
    this.#ttlMs = options.inviteTtlMs ?? DEFAULT_INVITE_TTL_MS;
    this.#views = new InviteViews({ store: options.store, now: options.now });
  }

  async create(
    actor: PrincipalRecord,
    body: { convId: string; handle: string; history?: InviteHistory | undefined },
    requestId?: string,
  ): Promise<RpcResults["invite.create"]> {
    const { convId, handle: typed, history = "none" } = body;
    const { conv } = await this.#o.access(actor, convId);
    const invitee = await this.#o.resolve(actor, typed);
    const store = this.#o.store;
    if (invitee.id === actor.id || (await store.getMember(convId, invitee.id))) {
      throw new GatewayError("already_member");
    }
    const now = this.#now();
    const wait = cooldownLeft(await store.lastDeclined(convId, actor.id, invitee.id), now);
    if (wait > 0) throw new GatewayError("invite_cooldown", undefined, { retryAfter: wait });
    // A blocked inviter's invite is answered and announced to the inviter exactly like any other,
    // but never reaches the invitee (nor the other members, who could tell the invitee).
    const dropped = await store.isBlocked(invitee.id, actor.id);
    const pending = await store.findPendingInvite(convId, invitee.id);
    if (pending && statusAt(pending, now) === "pending" && (!pending.dropped || dropped)) {
      return { invite: (await this.#views.forMembers([pending]))[0] as InviteInfo };
    }
    const invite: InviteRecord = {
      id: randomId("in_"),
      convId,
      shopId: conv.shopId,
      inviter: actor.id,
      inviterName: actor.displayName,
      invitee: invitee.id,
      status: "pending",
      history,
      createdAt: now,
      expiresAt: now + this.#ttlMs,
      ...(dropped ? { dropped: true as const } : {}),
    };
    await store.createInvite(invite);
    await this.#tellInvitee(invite, requestId);
    return { invite: await this.#announce(conv, invite, { requestId }) };
  }

  /**
   * Tells the conversation's members (and the shop's team) that an invite was sent, accepted,
   * declined or revoked: the widget and the dashboard show it in the timeline. Metadata the gateway
   * holds anyway (who invited whom, and when); no content. `extra` also reaches the invitee's other
   * sessions when it is not a member. A dropped invite is told to its inviter alone. Answers the invite
   * as the members see it.
   */
  async #announce(conv: ConversationRecord, invite: InviteRecord, options: FanoutOptions): Promise<InviteInfo> {
    const [shown] = (await this.#views.forMembers([invite])) as [InviteInfo];
    const members = await this.#o.store.listMembers(conv.id);
    const event = { type: "invitation", invite: shown } as const;
    if (invite.dropped) this.#o.fanout.toPrincipal(invite.inviter, event, options.requestId);
    else this.#o.fanout.toConversation(conv, members, event, options);
    return shown;
  }

  /** The `invite` event to the invitee with the invite as it sees it now; never for a dropped invite. */
  async #tellInvitee(invite: InviteRecord, requestId: string | undefined): Promise<void> {
    // Built either way, so a dropped invite takes the same path as a delivered one.
    const [view] = (await this.#views.forInvitee([invite])) as [InviteInfo];
    if (!invite.dropped) this.#o.fanout.toPrincipal(invite.invitee, { type: "invite", invite: view }, requestId);
  }

  /**
   * The caller's invites still waiting for an answer, newest first (expired and dropped ones left out):
   * at most INVITE_LIST_LIMIT, and only as many as fit the reply budget (paging.ts). `hasMore` when
   * more wait: they show once some are answered (or by their `invite` events).
   */
  async pending(actor: PrincipalRecord): Promise<RpcResults["invite.list"]> {
    const now = this.#now();
    const read = await this.#o.store.listPendingInvites(actor.id, INVITE_LIST_LIMIT + 1);
    const waiting = read.slice(0, INVITE_LIST_LIMIT).filter((i) => !i.dropped && statusAt(i, now) === "pending");
    const page = fitBudget(await this.#views.forInvitee(waiting));
    return { invites: page.items, hasMore: page.hasMore || read.length > INVITE_LIST_LIMIT };
  }

  /**
   * The conversation's newest invites, oldest first, for its members and the shop's team (the timeline's
   * invite lines): at most INVITE_HISTORY_LIMIT, and only as many as fit the reply budget.
   */
  async history(actor: PrincipalRecord, convId: string, invitee?: string): Promise<RpcResults["invite.history"]> {
    await this.#o.access(actor, convId);
    const read = await this.#o.store.listInvitesOf(convId, INVITE_HISTORY_LIMIT + 1, invitee);
    const invites = read.slice(-INVITE_HISTORY_LIMIT).filter((i) => !i.dropped || i.inviter === actor.id);
    // Oldest first: keep the newest that fit the reply budget (paging.ts), from the end.
    const page = fitBudget((await this.#views.forMembers(invites)).reverse());
    return { invites: page.items.reverse(), hasMore: page.hasMore || read.length > INVITE_HISTORY_LIMIT };
  }

  /** The invite to `actor` with this id, answerable now; `not_found` for another's or a dropped one. */
  async #answerableBy(actor: PrincipalRecord, inviteId: string): Promise<InviteRecord> {
    const invite = await this.#o.store.getInvite(inviteId);
    if (!invite || invite.invitee !== actor.id || invite.dropped) throw new GatewayError("not_found", "no such invite");
    assertAnswerable(invite, this.#now());
    return invite;
  }

  /** Compare-and-set from pending; `conflict` when another answer won. */
  async #settle(invite: InviteRecord, status: "accepted" | "declined" | "revoked"): Promise<InviteRecord> {
    const settledAt = this.#now();
    if (!(await this.#o.store.settleInvite(invite.id, status, settledAt))) {
      throw new GatewayError("conflict", "invite changed");
    }
    return { ...invite, status, settledAt };
  }

  async accept(actor: PrincipalRecord, inviteId: string, requestId?: string): Promise<RpcResults["invite.accept"]> {
    const invite = await this.#answerableBy(actor, inviteId);
    const store = this.#o.store;
    const conv = await store.getConversation(invite.convId);
    if (!conv) throw new GatewayError("not_found", "the conversation no longer exists");
    if (!(await store.getMember(conv.id, invite.inviter))) {
      const inviter = await store.getPrincipal(invite.inviter);
      if (!inviter || !isTeamMember(inviter, conv.shopId)) throw new GatewayError("inviter_left");
    }
    const accepted = await this.#settle(invite, "accepted");
    const team = isTeamMember(actor, conv.shopId);
    const floor = team ? undefined : historyFloor(invite.history, accepted.settledAt as number);
    await store.addMember({
      convId: conv.id,
      principalId: actor.id,
      role: team ? (actor.kind === "bot" ? "bot" : "agent") : "member",
      joinedAt: accepted.settledAt as number,
      invitedBy: invite.inviter,
      ...(floor === undefined ? {} : { historyFrom: floor }),
    });
    // What was said before they joined is history they may read (as the invite offered), not news:
    // none of it counts as unread.
    if (!team && conv.lastSeq > 0) {
      await store.setReadMarker({
        convId: conv.id,
        principalId: actor.id,
        seq: conv.lastSeq,
        at: accepted.settledAt as number,
      });
    }
    const conversation = await this.#o.joined(actor, conv, { inviter: invite.inviter, requestId });
    await this.#answered(conv, accepted, { requestId });
    return { conversation };
  }

  async decline(actor: PrincipalRecord, inviteId: string, requestId?: string): Promise<RpcResults["invite.decline"]> {
    const invite = await this.#answerableBy(actor, inviteId);
    await this.#declined(await this.#settle(invite, "declined"), requestId);
    return { ok: true };
  }

  /** The invitee declines and blocks the inviter (the block is kept first: persist before acknowledge). */
  async block(actor: PrincipalRecord, inviteId: string, requestId?: string): Promise<RpcResults["invite.block"]> {
    const invite = await this.#answerableBy(actor, inviteId);
    await this.#o.store.putBlock({ blocker: actor.id, blocked: invite.inviter, blockedAt: this.#now() });
    await this.#declined(await this.#settle(invite, "declined"), requestId);
    return { ok: true };
  }

  /** The inviter, the conversation's owner or the shop's team withdraws a pending invite; anyone else: `not_found`. */
  async revoke(actor: PrincipalRecord, inviteId: string, requestId?: string): Promise<RpcResults["invite.revoke"]> {
    const store = this.#o.store;
    const invite = await store.getInvite(inviteId);
    const conv = invite && (await store.getConversation(invite.convId));
    if (!invite || !conv || !(await this.#mayRevoke(actor, invite, conv))) {
      throw new GatewayError("not_found", "no such invite");
    }
    assertAnswerable(invite, this.#now());
    await this.#answered(conv, await this.#settle(invite, "revoked"), { requestId });
    return { ok: true };
  }

  async #mayRevoke(actor: PrincipalRecord, invite: InviteRecord, conv: ConversationRecord): Promise<boolean> {
    if (invite.inviter === actor.id || isTeamMember(actor, conv.shopId)) return true;
    return (await this.#o.store.getMember(conv.id, actor.id))?.role === "owner";
  }

  async #declined(invite: InviteRecord, requestId: string | undefined): Promise<void> {
    const conv = await this.#o.store.getConversation(invite.convId);
    if (conv) await this.#answered(conv, invite, { extra: [invite.invitee], requestId });
  }

  /** A settled invite: the invitee's sessions drop it (`invite`), the members see the timeline line. */
  async #answered(conv: ConversationRecord, invite: InviteRecord, options: FanoutOptions): Promise<void> {
    await this.#tellInvitee(invite, options.requestId);
    await this.#announce(conv, invite, options);
  }
}
