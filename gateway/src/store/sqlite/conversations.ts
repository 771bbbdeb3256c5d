/** The embedded store's conversation aggregates: conversations, their members and invites into them. */
import type { InviteStatus } from "@parley/sdk/protocol";
import type { ConversationPatch, ConversationRecord, ConversationStore } from "../port/conversations.js";
import { StoreNotFoundError } from "../port/errors.js";
import type { InviteRecord, InviteStore } from "../port/invites.js";
import type { MemberRecord, MemberStore } from "../port/members.js";
import { clampLimit } from "../rules/limits.js";
import { inviteDoc } from "../rules/records.js";
import { toConversation, toInvite, toMember } from "./rows.js";
import type { SqliteContext } from "./statements.js";

export class SqliteConversations implements ConversationStore, MemberStore, InviteStore {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async createConversation(conv: ConversationRecord): Promise<void> {
    const { id, shopId, status, createdBy, createdAt, updatedAt, lastSeq, epoch } = conv;
    await this.#c.write(() => {
      this.#c.s.createConversation.run(id, shopId, status, createdBy, createdAt, updatedAt, lastSeq, epoch);
      // A member list read before the conversation existed may be held: start afresh.
      this.#c.cache?.forgetConversation(id);
    });
    if (conv.assignee !== undefined || conv.handover) {
      await this.updateConversation(
        id,
        { assignee: conv.assignee ?? null, handover: conv.handover ?? false },
        updatedAt,
      );
    }
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const load = () => {
      const row = this.#c.s.getConversation.get(id);
      return row && toConversation(row);
    };
    return this.#c.cache ? this.#c.cache.conversation(id, load) : load();
  }

  async updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord> {
    const assign = patch.assignee !== undefined;
    const handover = patch.handover === undefined ? null : patch.handover ? 1 : 0;
    // The row is read back in the same turn as the update, so the cache holds it before anyone reads again.
    const row = await this.#c.write(() => {
      const run = this.#c.s.updateConversation.run(
        patch.status ?? null,
        assign ? 1 : 0,
        patch.assignee ?? null,
        handover,
        at,
        id,
      );
      const updated = run.changes === 0 ? undefined : this.#c.s.getConversation.get(id);
      if (updated) this.#c.cache?.storeConversation(toConversation(updated));
      return updated;
    });
    if (!row) throw new StoreNotFoundError(`conversation ${id} does not exist`);
    return toConversation(row);
  }

  async listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#c.s.conversationsOf.all(principalId, clampLimit(limit)).map(toConversation);
  }

  async listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#c.s.conversationsOfShop.all(shopId, clampLimit(limit)).map(toConversation);
  }

  async addMember(member: MemberRecord): Promise<void> {
    const { convId, principalId, role, joinedAt, invitedBy, historyFrom } = member;
    await this.#c.write(() => {
      this.#c.s.addMember.run(convId, principalId, role, joinedAt, invitedBy ?? null, historyFrom ?? null);
      this.#c.cache?.forgetMembers(convId);
    });
  }

  async removeMember(convId: string, principalId: string): Promise<boolean> {
    const run = await this.#c.write(() => {
      const done = this.#c.s.removeMember.run(convId, principalId);
      this.#c.cache?.forgetMembers(convId);
      return done;
    });
    return run.changes === 1;
  }

  async getMember(convId: string, principalId: string): Promise<MemberRecord | undefined> {
    const row = this.#c.s.getMember.get(convId, principalId);
    return row && toMember(row);
  }

  async listMembers(convId: string): Promise<MemberRecord[]> {
    const load = () => this.#c.s.listMembers.all(convId).map(toMember);
    return this.#c.cache ? this.#c.cache.members(convId, load) : load();
  }

  async createInvite(invite: InviteRecord): Promise<void> {
    const { id, convId, shopId, inviter, inviterName, invitee, status, history, createdAt, expiresAt, dropped } =
      inviteDoc(invite);
    await this.#c.write(() =>
      this.#c.s.createInvite.run(
        id,
        convId,
        shopId,
        inviter,
        inviterName,
        invitee,
        status,
        history,
        createdAt,
        expiresAt,
        dropped ? 1 : 0,
      ),
    );
  }

  async getInvite(id: string): Promise<InviteRecord | undefined> {
    const row = this.#c.s.getInvite.get(id);
    return row && toInvite(row);
  }

  async settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean> {
    return (await this.#c.write(() => this.#c.s.settleInvite.run(status, at ?? null, id))).changes === 1;
  }

  async listInvitesOf(convId: string, limit: number, invitee?: string): Promise<InviteRecord[]> {
    const n = clampLimit(limit);
    const rows =
      invitee === undefined ? this.#c.s.invitesOf.all(convId, n) : this.#c.s.invitesOfTo.all(convId, invitee, n);
    return rows.map(toInvite);
  }

  async listPendingInvites(invitee: string, limit: number): Promise<InviteRecord[]> {
    return this.#c.s.pendingInvites.all(invitee, clampLimit(limit)).map(toInvite);
  }

  async findPendingInvite(convId: string, invitee: string): Promise<InviteRecord | undefined> {
    const row = this.#c.s.pendingInvite.get(convId, invitee);
    return row && toInvite(row);
  }

  async lastDeclined(convId: string, inviter: string, invitee: string): Promise<InviteRecord | undefined> {
    const row = this.#c.s.lastDeclined.get(convId, inviter, invitee);
    return row && toInvite(row);
  }
}
