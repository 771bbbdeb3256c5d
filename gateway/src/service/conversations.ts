/**
 * Conversations as their members see them: a customer opens one (and owns
 * it), members list and read them with their own read marker and unread
 * count, leave them, and the team, the owner or the inviter removes a member.
 * Every membership change is recorded in the membership log first, then
 * reaches the members and the shop's team as a `membership` event; the
 * members and the team read the record back (`member.history`), so a leave
 * or a removal is still told after a reload. Each event carries the id of the
 * request that caused it (`requestId`, ADR 0042).
 */
import {
  type ConversationInfo,
  isTeamKind,
  type MemberInfo,
  type MembershipChange,
  type RpcResults,
  randomId,
} from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type {
  ConversationRecord,
  ConversationStore,
  MemberRecord,
  MemberStore,
  MembershipLogStore,
  PrincipalRecord,
  PrincipalStore,
  ReadMarkerStore,
} from "../store/port.js";
import type { ConversationAccess } from "./access.js";
import type { EventFanout } from "./events.js";
import type { WebhookEvents } from "./webhooks/events.js";

/** How many recorded membership changes `member.history` answers at most (the newest). */
export const MEMBERSHIP_HISTORY_LIMIT = 200;

export interface ConversationsOptions {
  store: ConversationStore & MemberStore & MembershipLogStore & PrincipalStore & ReadMarkerStore;
  fanout: EventFanout;
  access: ConversationAccess;
  now: () => number;
  /** The shop's webhook events (`conversation.opened`); absent, none. */
  webhooks?: WebhookEvents | undefined;
}

export class Conversations {
  readonly #o: ConversationsOptions;

  constructor(options: ConversationsOptions) {
    this.#o = options;
  }

  async open(actor: PrincipalRecord, requestId?: string): Promise<RpcResults["conv.open"]> {
    if (isTeamKind(actor.kind)) throw new GatewayError("forbidden", "only customers open conversations");
    const now = this.#o.now();
    const conversation: ConversationInfo = {
      id: randomId("cv_"),
      shopId: actor.shopId,
      status: "open",
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
      lastSeq: 0,
      epoch: 0,
      readUpTo: 0,
      unread: 0,
    };
    const { readUpTo: _r, unread: _u, ...record } = conversation;
    await this.#o.store.createConversation(record);
    const owner: MemberRecord = { convId: conversation.id, principalId: actor.id, role: "owner", joinedAt: now };
    await this.#o.store.addMember(owner);
    this.#o.fanout.toConversation(conversation, [owner], { type: "conversation", conversation }, { requestId });
    await this.#o.webhooks?.opened(record, actor, requestId);
    return { conversation };
  }

  /** The newest conversations: the shop's, for its team; the caller's own, for everyone else. */
  async list(actor: PrincipalRecord, limit: number): Promise<RpcResults["conv.list"]> {
    const records = isTeamKind(actor.kind)
      ? await this.#o.store.listConversationsOfShop(actor.shopId, limit)
      : await this.#o.store.listConversationsOf(actor.id, limit);
    return { conversations: await this.withUnread(actor, records) };
  }

  async get(actor: PrincipalRecord, convId: string): Promise<RpcResults["conv.get"]> {
    const { conv, team } = await this.#o.access(actor, convId);
    const [[conversation], members, markers] = await Promise.all([
      this.withUnread(actor, [conv]),
      this.#memberInfos(convId, team ? conv.shopId : undefined),
      this.#o.store.readMarkers(convId),
    ]);
    const reads = markers.map((m) => ({ principalId: m.principalId, seq: m.seq }));
    return { conversation: conversation as ConversationInfo, members, reads };
  }

  /** One updated record as the actor sees it. */
  async seen(actor: PrincipalRecord, record: ConversationRecord): Promise<{ conversation: ConversationInfo }> {
    const [conversation] = await this.withUnread(actor, [record]);
    return { conversation: conversation as ConversationInfo };
  }

  /** The records as the actor sees them: with its read marker and unread count in each. */
  async withUnread(actor: PrincipalRecord, records: ConversationRecord[]): Promise<ConversationInfo[]> {
    const [counts, owners] = await Promise.all([
      this.#o.store.unreadCounts(actor.id, records),
      this.#o.store.getPrincipals([...new Set(records.map((c) => c.createdBy))]),
    ]);
    const names = new Map(owners.map((p) => [p.id, p.displayName]));
    return records.map((c) => ({
      ...c,
      readUpTo: 0,
      unread: 0,
      ...counts.get(c.id),
      ...(names.has(c.createdBy) ? { ownerName: names.get(c.createdBy) as string } : {}),
    }));
  }

  /** The members; for the shop's own team (`teamOf`), customers also carry the shop's id for them. */
  async #memberInfos(convId: string, teamOf?: string): Promise<MemberInfo[]> {
    const members = await this.#o.store.listMembers(convId);
    const principals = new Map(
      (await this.#o.store.getPrincipals(members.map((m) => m.principalId))).map((p) => [p.id, p]),
    );
    return members.map((m) => {
      const p = principals.get(m.principalId);
      return {
        principalId: m.principalId,
        displayName: p?.displayName ?? "",
        role: m.role,
        joinedAt: m.joinedAt,
        ...(p?.handle ? { handle: p.handle } : {}),
        ...(m.invitedBy ? { invitedBy: m.invitedBy } : {}),
        ...(m.historyFrom === undefined ? {} : { historyFrom: m.historyFrom }),
        ...(p && teamOf === p.shopId && p.kind === "customer" ? { externalId: p.externalId } : {}),
      };
    });
  }

  async leave(actor: PrincipalRecord, convId: string, requestId?: string): Promise<RpcResults["conv.leave"]> {
    const { conv, member } = await this.#o.access(actor, convId);
    if (!member) throw new GatewayError("conflict", "not a member of this conversation");
    await this.#o.store.removeMember(convId, actor.id);
    await this.announceMembership(conv, { principalId: actor.id, change: "left", by: actor.id }, requestId);
    return { ok: true };
  }

  async remove(
    actor: PrincipalRecord,
    body: { convId: string; principalId: string },
    requestId?: string,
  ): Promise<RpcResults["conv.remove"]> {
    const { convId, principalId } = body;
    const { conv, team } = await this.#o.access(actor, convId);
    const target = await this.#o.store.getMember(convId, principalId);
    if (!target) throw new GatewayError("not_found", "no such member");
    const allowed = team || (target.role !== "owner" && (conv.createdBy === actor.id || target.invitedBy === actor.id));
    if (!allowed) throw new GatewayError("forbidden", "only the team, the owner or the inviter may remove a member");
    await this.#o.store.removeMember(convId, principalId);
    await this.announceMembership(conv, { principalId, change: "removed", by: actor.id }, requestId);
    return { ok: true };
  }

  /**
   * Records the change, then tells the members and the team (one who left or was removed hears it too),
   * with the recorded time, so a client can match the live event with the record. The event carries
   * `requestId`, the id of the request that made the change.
   */
  async announceMembership(
    conv: ConversationRecord,
    what: { principalId: string; change: MembershipChange; by: string },
    requestId?: string,
  ): Promise<void> {
    const { principalId, change, by } = what;
    const record = { convId: conv.id, principalId, change, by, ts: this.#o.now() };
    await this.#o.store.appendMembershipEvent(record);
    const members = await this.#o.store.listMembers(conv.id);
    this.#o.fanout.toConversation(
      conv,
      members,
      { type: "membership", ...record },
      { extra: change === "joined" ? [] : [principalId], requestId },
    );
  }

  /** The recorded joins, leaves and removals, the newest {@link MEMBERSHIP_HISTORY_LIMIT}, oldest first: members and the team only. */
  async history(actor: PrincipalRecord, convId: string): Promise<RpcResults["member.history"]> {
    await this.#o.access(actor, convId);
    return { events: await this.#o.store.listMembershipEvents(convId, MEMBERSHIP_HISTORY_LIMIT) };
  }
}
