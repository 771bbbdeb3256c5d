/** The MongoDB store's conversation aggregates: conversations, their members and invites into them. */
import type { InviteStatus } from "@parley/sdk/protocol";
import type { ConversationPatch, ConversationRecord, ConversationStore } from "../port/conversations.js";
import { StoreNotFoundError } from "../port/errors.js";
import type { InviteRecord, InviteStore } from "../port/invites.js";
import type { MemberRecord, MemberStore } from "../port/members.js";
import { clampLimit } from "../rules/limits.js";
import { inviteDoc, num, str } from "../rules/records.js";
import { NO_ID, withEpoch } from "./collections.js";
import type { MongoContext } from "./context.js";

export class MongoConversations implements ConversationStore, MemberStore, InviteStore {
  readonly #c: MongoContext;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  async createConversation(conv: ConversationRecord): Promise<void> {
    const doc: ConversationRecord = {
      id: str(conv.id, "conversation id"),
      shopId: str(conv.shopId, "shopId"),
      status: conv.status,
      createdBy: conv.createdBy,
      createdAt: conv.createdAt,
      updatedAt: conv.updatedAt,
      lastSeq: conv.lastSeq,
      epoch: num(conv.epoch, "epoch"),
    };
    return this.#c.run(async () => {
      await this.#c.col.conversations.insertOne(doc);
    });
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const filter = { id: str(id, "conversation id") };
    return this.#c.run(async () => {
      const conv = await this.#c.col.conversations.findOne(filter, NO_ID);
      return conv ? withEpoch(conv) : undefined;
    });
  }

  async updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord> {
    const filter = { id: str(id, "conversation id") };
    const set: Partial<ConversationRecord> = {};
    if (patch.status !== undefined) set.status = str(patch.status, "status") as ConversationRecord["status"];
    if (typeof patch.assignee === "string") set.assignee = str(patch.assignee, "assignee");
    if (patch.handover === true) set.handover = true;
    const unset: Record<string, ""> = {};
    if (patch.assignee === null) unset.assignee = "";
    if (patch.handover === false) unset.handover = "";
    const when = num(at, "at");
    // Queued with the conversation's appends, which also rewrite the document.
    return this.#c.serial(`conv:${filter.id}`, () =>
      this.#c.run(async () => {
        const current = await this.#c.col.conversations.findOne(filter, NO_ID);
        if (!current) throw new StoreNotFoundError(`conversation ${id} does not exist`);
        const update = {
          $set: { ...set, updatedAt: Math.max(current.updatedAt, when) },
          ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
        };
        await this.#c.col.conversations.updateOne(filter, update);
        const next = await this.#c.col.conversations.findOne(filter, NO_ID);
        if (!next) throw new StoreNotFoundError(`conversation ${id} does not exist`);
        return withEpoch(next);
      }),
    );
  }

  async listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]> {
    const filter = { principalId: str(principalId, "principalId") };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    // Two queries: FerretDB v1 has no $lookup.
    return this.#c.run(async () => {
      const convIds = (await this.#c.col.members.find(filter, { projection: { _id: 0, convId: 1 } }).toArray()).map(
        (m) => m.convId,
      );
      if (convIds.length === 0) return [];
      const convs = await this.#c.col.conversations
        .find({ id: { $in: convIds } }, NO_ID)
        .sort({ updatedAt: -1, id: -1 })
        .limit(n)
        .toArray();
      return convs.map(withEpoch);
    });
  }

  async listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]> {
    const filter = { shopId: str(shopId, "shopId") };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    return this.#c.run(async () =>
      (await this.#c.col.conversations.find(filter, NO_ID).sort({ updatedAt: -1, id: -1 }).limit(n).toArray()).map(
        withEpoch,
      ),
    );
  }

  async addMember(member: MemberRecord): Promise<void> {
    const key = { convId: str(member.convId, "convId"), principalId: str(member.principalId, "principalId") };
    const doc: MemberRecord = {
      ...key,
      role: member.role,
      joinedAt: member.joinedAt,
      ...(member.invitedBy === undefined ? {} : { invitedBy: member.invitedBy }),
      ...(member.historyFrom === undefined ? {} : { historyFrom: num(member.historyFrom, "historyFrom") }),
    };
    return this.#c.run(async () => {
      await this.#c.upsert(this.#c.col.members, key, doc);
    });
  }

  async removeMember(convId: string, principalId: string): Promise<boolean> {
    const filter = { convId: str(convId, "convId"), principalId: str(principalId, "principalId") };
    return this.#c.run(async () => (await this.#c.col.members.deleteOne(filter)).deletedCount === 1);
  }

  async getMember(convId: string, principalId: string): Promise<MemberRecord | undefined> {
    const filter = { convId: str(convId, "convId"), principalId: str(principalId, "principalId") };
    return this.#c.run(async () => (await this.#c.col.members.findOne(filter, NO_ID)) ?? undefined);
  }

  async listMembers(convId: string): Promise<MemberRecord[]> {
    const filter = { convId: str(convId, "convId") };
    return this.#c.run(() => this.#c.col.members.find(filter, NO_ID).sort({ joinedAt: 1, principalId: 1 }).toArray());
  }

  async createInvite(invite: InviteRecord): Promise<void> {
    const doc = inviteDoc(invite);
    return this.#c.run(async () => {
      await this.#c.col.invites.insertOne(doc);
    });
  }

  async getInvite(id: string): Promise<InviteRecord | undefined> {
    const filter = { id: str(id, "invite id") };
    return this.#c.run(async () => {
      const doc = await this.#c.col.invites.findOne(filter, NO_ID);
      return doc ? inviteDoc(doc) : undefined;
    });
  }

  async settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean> {
    const filter = { id: str(id, "invite id"), status: "pending" as const };
    const update = {
      $set: {
        status: str(status, "status") as InviteStatus,
        ...(at === undefined ? {} : { settledAt: num(at, "at") }),
      },
    };
    return this.#c.serial(`invite:${filter.id}`, () =>
      this.#c.run(async () => (await this.#c.col.invites.updateOne(filter, update)).matchedCount === 1),
    );
  }

  async listPendingInvites(invitee: string, limit: number): Promise<InviteRecord[]> {
    const filter = { invitee: str(invitee, "invitee"), status: "pending" as const, dropped: { $ne: true as const } };
    const n = clampLimit(limit);
    if (n === 0) return []; // MongoDB reads limit(0) as no limit
    return this.#c.run(async () =>
      (await this.#c.col.invites.find(filter, NO_ID).sort({ createdAt: -1, id: -1 }).limit(n).toArray()).map(inviteDoc),
    );
  }

  async listInvitesOf(convId: string, limit: number, invitee?: string): Promise<InviteRecord[]> {
    const filter = {
      convId: str(convId, "convId"),
      ...(invitee === undefined ? {} : { invitee: str(invitee, "invitee") }),
    };
    const n = clampLimit(limit);
    if (n === 0) return []; // MongoDB reads limit(0) as no limit
    return this.#c.run(async () => {
      const newest = await this.#c.col.invites.find(filter, NO_ID).sort({ createdAt: -1, id: -1 }).limit(n).toArray();
      return newest.reverse().map(inviteDoc);
    });
  }

  async findPendingInvite(convId: string, invitee: string): Promise<InviteRecord | undefined> {
    const filter = { convId: str(convId, "convId"), invitee: str(invitee, "invitee"), status: "pending" as const };
    return this.#c.run(async () => {
      const doc = await this.#c.col.invites.find(filter, NO_ID).sort({ createdAt: -1 }).limit(1).next();
      return doc ? inviteDoc(doc) : undefined;
    });
  }

  async lastDeclined(convId: string, inviter: string, invitee: string): Promise<InviteRecord | undefined> {
    const filter = {
      convId: str(convId, "convId"),
      inviter: str(inviter, "inviter"),
      invitee: str(invitee, "invitee"),
      status: "declined" as const,
    };
    return this.#c.run(async () => {
      const doc = await this.#c.col.invites.find(filter, NO_ID).sort({ settledAt: -1, createdAt: -1 }).limit(1).next();
      return doc ? inviteDoc(doc) : undefined;
    });
  }
}
