/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import { type ConversationRecord, StoreNotFoundError } from "../port.js";
import { byId, conversation, invite, message, SHOP, type StoreFixture, T0, uid } from "./fixtures.js";

/** Conversations, their members and invites into them. */
export function describeConversations(open: () => Promise<StoreFixture>): void {
  describe("conversations", () => {
    it("stores a conversation and changes its status and update time", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      expect(await store.getConversation(conv.id)).toEqual(conv);
      const closed = await store.updateConversation(conv.id, { status: "closed" }, T0 + 50);
      expect(closed).toEqual({ ...conv, status: "closed", updatedAt: T0 + 50 });
      expect(await store.getConversation(conv.id)).toEqual(closed);
      expect(await store.getConversation("c-unknown")).toBeUndefined();
    });

    it("assigns, unassigns and flags a handover, changing only what the patch names", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      const assigned = await store.updateConversation(conv.id, { assignee: "p-agent" }, T0 + 10);
      expect(assigned).toEqual({ ...conv, assignee: "p-agent", updatedAt: T0 + 10 });
      const handed = await store.updateConversation(conv.id, { assignee: null, handover: true }, T0 + 20);
      expect(handed).toEqual({ ...conv, handover: true, updatedAt: T0 + 20 });
      expect(handed).not.toHaveProperty("assignee");
      // An older timestamp never moves updatedAt back; the status alone changes.
      const closed = await store.updateConversation(conv.id, { status: "closed" }, T0 + 5);
      expect(closed).toEqual({ ...conv, handover: true, status: "closed", updatedAt: T0 + 20 });
      const cleared = await store.updateConversation(conv.id, { handover: false, status: "open" }, T0 + 30);
      expect(cleared).toEqual({ ...conv, updatedAt: T0 + 30 });
      expect(await store.getConversation(conv.id)).toEqual(cleared);
      // The shop's inbox lists it with its assignment.
      await store.updateConversation(conv.id, { assignee: "p-bot" }, T0 + 40);
      expect((await store.listConversationsOfShop(SHOP, 10)).find((c) => c.id === conv.id)?.assignee).toBe("p-bot");
    });

    it("rejects an update of an unknown conversation", async () => {
      await using fx = await open();
      await expect(fx.store.updateConversation("c-unknown", { status: "closed" }, T0)).rejects.toBeInstanceOf(
        StoreNotFoundError,
      );
    });

    it("rejects creating a conversation with an id that exists", async () => {
      await using fx = await open();
      const conv = conversation();
      await fx.store.createConversation(conv);
      await expect(fx.store.createConversation({ ...conv, shopId: "shop-2" })).rejects.toThrow();
      expect((await fx.store.getConversation(conv.id))?.shopId).toBe(SHOP);
    });

    it("lists a member's conversations by newest activity, limited, and moves one up on append", async () => {
      await using fx = await open();
      const { store } = fx;
      const convs = [T0 + 30, T0 + 10, T0 + 20, T0 + 40].map((updatedAt) => conversation({ updatedAt }));
      for (const conv of convs) await store.createConversation(conv);
      for (const conv of convs.slice(0, 3)) {
        await store.addMember({ convId: conv.id, principalId: "p-me", role: "member", joinedAt: T0 });
      }
      await store.addMember({ convId: convs[3]?.id ?? "", principalId: "p-other", role: "member", joinedAt: T0 });
      const ids = (list: ConversationRecord[]) => list.map((c) => c.id);
      const [c30, c10, c20] = convs.map((c) => c.id);
      expect(ids(await store.listConversationsOf("p-me", 10))).toEqual([c30, c20, c10]);
      expect(ids(await store.listConversationsOf("p-me", 2))).toEqual([c30, c20]);
      await store.append(message(c10 ?? "", "m1", T0 + 100));
      expect(ids(await store.listConversationsOf("p-me", 2))).toEqual([c10, c30]);
      expect(await store.listConversationsOf("p-nobody", 10)).toEqual([]);
    });

    it("lists a shop's conversations by newest activity, limited, without other shops'", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = conversation({ updatedAt: T0 + 1 });
      const b = conversation({ updatedAt: T0 + 3 });
      const c = conversation({ updatedAt: T0 + 2 });
      const other = conversation({ shopId: "shop-2", updatedAt: T0 + 9 });
      for (const conv of [a, b, c, other]) await store.createConversation(conv);
      expect(await store.listConversationsOfShop(SHOP, 10)).toEqual([b, c, a]);
      expect(await store.listConversationsOfShop(SHOP, 1)).toEqual([b]);
      expect(await store.listConversationsOfShop("shop-2", 10)).toEqual([other]);
    });
  });

  describe("members", () => {
    it("adds a member once however often it is added, keeping the latest record", async () => {
      await using fx = await open();
      const { store } = fx;
      const member = { convId: "c-1", principalId: "p-a", role: "member" as const, joinedAt: T0, invitedBy: "p-o" };
      await store.addMember(member);
      await store.addMember(member);
      await store.addMember({ ...member, role: "agent" });
      await store.addMember({ convId: "c-1", principalId: "p-o", role: "owner", joinedAt: T0 - 1 });
      await store.addMember({ convId: "c-2", principalId: "p-a", role: "member", joinedAt: T0 });
      expect(await store.getMember("c-1", "p-a")).toEqual({ ...member, role: "agent" });
      const listed = await store.listMembers("c-1");
      expect(listed.map((m) => m.principalId).sort()).toEqual(["p-a", "p-o"]);
      const owner = listed.find((m) => m.principalId === "p-o");
      expect(owner).toEqual({ convId: "c-1", principalId: "p-o", role: "owner", joinedAt: T0 - 1 });
      expect(owner && "invitedBy" in owner).toBe(false);
    });

    it("keeps a member's history floor, and replaces or clears it when the member is added again", async () => {
      await using fx = await open();
      const { store } = fx;
      const member = { convId: "c-hf", principalId: "p-a", role: "member" as const, joinedAt: T0, historyFrom: T0 - 5 };
      await store.addMember(member);
      expect(await store.getMember("c-hf", "p-a")).toEqual(member);
      expect((await store.listMembers("c-hf"))[0]?.historyFrom).toBe(T0 - 5);
      await store.addMember({ ...member, joinedAt: T0 + 1, historyFrom: T0 + 1 });
      expect((await store.getMember("c-hf", "p-a"))?.historyFrom).toBe(T0 + 1);
      const { historyFrom: _floor, ...without } = member;
      await store.addMember(without);
      expect(await store.getMember("c-hf", "p-a")).toEqual(without);
    });

    it("removes a member once and answers false for a member that is not there", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.addMember({ convId: "c-1", principalId: "p-a", role: "member", joinedAt: T0 });
      await store.addMember({ convId: "c-2", principalId: "p-a", role: "member", joinedAt: T0 });
      expect(await store.removeMember("c-1", "p-a")).toBe(true);
      expect(await store.removeMember("c-1", "p-a")).toBe(false);
      expect(await store.getMember("c-1", "p-a")).toBeUndefined();
      expect(await store.listMembers("c-1")).toEqual([]);
      expect((await store.getMember("c-2", "p-a"))?.role).toBe("member");
    });
  });

  describe("invites", () => {
    it("settles a pending invite once: a second settle resolves false and changes nothing", async () => {
      await using fx = await open();
      const { store } = fx;
      const inv = invite();
      await store.createInvite(inv);
      expect(await store.getInvite(inv.id)).toEqual(inv);
      expect(await store.settleInvite(inv.id, "accepted")).toBe(true);
      expect(await store.settleInvite(inv.id, "revoked")).toBe(false);
      expect(await store.getInvite(inv.id)).toEqual({ ...inv, status: "accepted" });
      expect(await store.settleInvite("i-unknown", "declined")).toBe(false);
    });

    it("lets exactly one of concurrent settles win", async () => {
      await using fx = await open();
      const { store } = fx;
      const inv = invite();
      await store.createInvite(inv);
      const outcomes = await Promise.all([
        store.settleInvite(inv.id, "accepted"),
        store.settleInvite(inv.id, "declined"),
        store.settleInvite(inv.id, "revoked"),
      ]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });

    it("lists and finds only pending invites of the invitee", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = invite({ convId: "c-1", createdAt: T0 + 1 });
      const b = invite({ convId: "c-2", createdAt: T0 + 2 });
      const settled = invite({ convId: "c-3" });
      const forOther = invite({ convId: "c-1", invitee: "p-other" });
      for (const inv of [a, b, settled, forOther]) await store.createInvite(inv);
      await store.settleInvite(settled.id, "declined");
      expect((await store.listPendingInvites("p-invitee", 10)).sort(byId)).toEqual([a, b].sort(byId));
      expect(await store.findPendingInvite("c-2", "p-invitee")).toEqual(b);
      expect(await store.findPendingInvite("c-3", "p-invitee")).toBeUndefined();
      expect(await store.findPendingInvite("c-2", "p-other")).toBeUndefined();
      await store.settleInvite(b.id, "revoked");
      expect(await store.listPendingInvites("p-invitee", 10)).toEqual([a]);
    });

    it("lists at most the limit of pending invites, newest first", async () => {
      await using fx = await open();
      const { store } = fx;
      const made = Array.from({ length: 5 }, (_, i) => invite({ convId: `c-${i}`, createdAt: T0 + i }));
      for (const inv of made) await store.createInvite(inv);
      expect((await store.listPendingInvites("p-invitee", 3)).map((i) => i.convId)).toEqual(["c-4", "c-3", "c-2"]);
      expect(await store.listPendingInvites("p-invitee", 0)).toEqual([]);
    });

    it("keeps the dropped flag of an invite (only when set) and its history choice and expiry", async () => {
      await using fx = await open();
      const { store } = fx;
      const dropped = { ...invite({ convId: "c-dr", history: "7d", expiresAt: T0 + 60_000 }), dropped: true as const };
      const plain = invite({ convId: "c-dr", invitee: "p-b", history: "all" });
      await store.createInvite(dropped);
      await store.createInvite(plain);
      expect(await store.getInvite(dropped.id)).toEqual(dropped);
      expect(await store.getInvite(plain.id)).toEqual(plain);
      expect(await store.getInvite(plain.id)).not.toHaveProperty("dropped");
      expect(await store.findPendingInvite("c-dr", "p-invitee")).toEqual(dropped);
      // Dropped invites never reach the invitee: its list leaves them out (so they cannot crowd out real ones).
      expect(await store.listPendingInvites("p-invitee", 10)).not.toContainEqual(dropped);
      expect(await store.settleInvite(dropped.id, "declined", T0 + 5)).toBe(true);
      expect(await store.listInvitesOf("c-dr", 10)).toContainEqual({
        ...dropped,
        status: "declined",
        settledAt: T0 + 5,
      });
    });

    it("finds the invite an inviter sent an invitee that was declined last, and only a declined one", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = uid("c");
      const older = invite({ convId: conv, createdAt: T0 + 1 });
      const newer = invite({ convId: conv, createdAt: T0 + 2 });
      const revoked = invite({ convId: conv, createdAt: T0 + 3 });
      const otherInviter = invite({ convId: conv, inviter: "p-else", createdAt: T0 + 4 });
      for (const inv of [older, newer, revoked, otherInviter]) await store.createInvite(inv);
      expect(await store.lastDeclined(conv, "p-inviter", "p-invitee")).toBeUndefined();
      await store.settleInvite(newer.id, "declined", T0 + 20);
      await store.settleInvite(older.id, "declined", T0 + 10);
      await store.settleInvite(revoked.id, "revoked", T0 + 30);
      await store.settleInvite(otherInviter.id, "declined", T0 + 40);
      expect(await store.lastDeclined(conv, "p-inviter", "p-invitee")).toEqual({
        ...newer,
        status: "declined",
        settledAt: T0 + 20,
      });
      expect((await store.lastDeclined(conv, "p-else", "p-invitee"))?.id).toBe(otherInviter.id);
      expect(await store.lastDeclined(conv, "p-inviter", "p-other")).toBeUndefined();
      expect(await store.lastDeclined(uid("c"), "p-inviter", "p-invitee")).toBeUndefined();
    });

    it("lists a conversation's newest invites of every status, oldest first, with when each was settled", async () => {
      await using fx = await open();
      const { store } = fx;
      const first = invite({ convId: "c-9", invitee: "p-a", createdAt: T0 + 1 });
      const second = invite({ convId: "c-9", invitee: "p-b", createdAt: T0 + 2 });
      const third = invite({ convId: "c-9", invitee: "p-c", createdAt: T0 + 3 });
      const elsewhere = invite({ convId: "c-8", createdAt: T0 });
      for (const inv of [third, elsewhere, first, second]) await store.createInvite(inv);
      expect(await store.settleInvite(first.id, "accepted", T0 + 10)).toBe(true);
      expect(await store.settleInvite(second.id, "declined", T0 + 11)).toBe(true);
      expect(await store.settleInvite(second.id, "accepted", T0 + 12)).toBe(false);
      expect(await store.listInvitesOf("c-9", 10)).toEqual([
        { ...first, status: "accepted", settledAt: T0 + 10 },
        { ...second, status: "declined", settledAt: T0 + 11 },
        third,
      ]);
      // The newest two, still oldest first; only those to one invitee when asked.
      expect((await store.listInvitesOf("c-9", 2)).map((i) => i.id)).toEqual([second.id, third.id]);
      expect((await store.listInvitesOf("c-9", 10, "p-a")).map((i) => i.id)).toEqual([first.id]);
      expect(await store.listInvitesOf("c-9", 10, "p-nobody")).toEqual([]);
      expect(await store.listInvitesOf("c-none", 10)).toEqual([]);
    });
  });
}
