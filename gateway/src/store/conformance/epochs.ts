/** Store conformance, by aggregate: see suite.ts. */
import type { EpochCommit } from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import { StoreNotFoundError } from "../port.js";
import {
  commit,
  conversation,
  message,
  range,
  SHOP,
  type StoreFixture,
  type SuiteTraits,
  seedCommits,
  T0,
} from "./fixtures.js";

/** The epoch chain: compare-and-set of commits, its repair, and reads. */
export function describeEpochs(open: () => Promise<StoreFixture>, traits: SuiteTraits = {}): void {
  describe("epoch chain", () => {
    it("keeps a conversation's epoch, 0 for a new one, through get and both lists", async () => {
      await using fx = await open();
      const { store } = fx;
      const fresh = conversation({ updatedAt: T0 + 2 });
      const later = conversation({ epoch: 4, updatedAt: T0 + 1 });
      for (const conv of [fresh, later]) {
        await store.createConversation(conv);
        await store.addMember({ convId: conv.id, principalId: "p-me", role: "member", joinedAt: T0 });
      }
      expect(await store.getConversation(fresh.id)).toEqual({ ...fresh, epoch: 0 });
      expect(await store.getConversation(later.id)).toEqual(later);
      expect(await store.listConversationsOf("p-me", 10)).toEqual([fresh, later]);
      expect(await store.listConversationsOfShop(SHOP, 10)).toEqual([fresh, later]);
      await store.updateConversation(later.id, { status: "closed" }, T0 + 9);
      await store.append(message(later.id, "m1", T0 + 10));
      expect((await store.getConversation(later.id))?.epoch).toBe(4);
      // A conversation created at epoch 4 takes 5 next.
      expect(await store.appendCommit(commit(later.id, 1))).toEqual({ accepted: false, head: 4 });
      expect(await store.appendCommit(commit(later.id, 5))).toEqual({ accepted: true, head: 5 });
    });

    it("keeps a format-2 commit's teamWrapVersion beside format-1 commits without one", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      const rotated = commit(conv.id, 2, { v: 2, teamWrap: "sealed-team", teamWrapVersion: 2 });
      expect(await store.appendCommit(commit(conv.id, 1))).toEqual({ accepted: true, head: 1 });
      expect(await store.appendCommit(rotated)).toEqual({ accepted: true, head: 2 });
      const listed = await store.listCommits(conv.id, 0, 10);
      expect(listed).toEqual([commit(conv.id, 1), rotated]);
      expect(Object.hasOwn(listed[0] ?? {}, "teamWrapVersion")).toBe(false);
    });

    it("accepts commits 1, 2, 3 in order and refuses a gap or a repeat, answering the head", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      expect(await store.appendCommit(commit(conv.id, 1))).toEqual({ accepted: true, head: 1 });
      expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: false, head: 1 });
      expect(await store.appendCommit(commit(conv.id, 0))).toEqual({ accepted: false, head: 1 });
      expect(await store.appendCommit(commit(conv.id, 2))).toEqual({ accepted: true, head: 2 });
      expect(await store.appendCommit(commit(conv.id, 2, { sig: "other" }))).toEqual({ accepted: false, head: 2 });
      expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
      expect(await store.listCommits(conv.id, 0, 10)).toEqual([1, 2, 3].map((e) => commit(conv.id, e)));
      expect(await store.getConversation(conv.id)).toEqual({ ...conv, epoch: 3 });
    });

    it("accepts exactly one of 20 concurrent commits for the same epoch and stores that one", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      const rivals = range(1, 20).map((i) => commit(conv.id, 1, { sig: `rival-${i}`, ts: T0 + i }));
      const results = await Promise.all(rivals.map((c) => store.appendCommit(c)));
      expect(results.filter((r) => r.accepted)).toHaveLength(1);
      expect(results.every((r) => r.head === 1)).toBe(true);
      const winner = rivals[results.findIndex((r) => r.accepted)];
      expect(await store.listCommits(conv.id, 0, 10)).toEqual([winner]);
      expect((await store.getConversation(conv.id))?.epoch).toBe(1);
      expect(await store.appendCommit(commit(conv.id, 2))).toEqual({ accepted: true, head: 2 });
    });

    // Not declared for an exclusive store: a second writer is what it rules out (ADR 0051).
    if (!traits.exclusive)
      it("accepts exactly one commit per epoch when two stores on the same data race", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const other = await fx.reopen();
        try {
          const conv = conversation();
          await store.createConversation(conv);
          for (const epoch of [1, 2]) {
            const rivals = range(1, 20).map((i) => commit(conv.id, epoch, { sig: `rival-${epoch}-${i}` }));
            const results = await Promise.all(rivals.map((c, i) => (i % 2 ? store : other).appendCommit(c)));
            expect(results.filter((r) => r.accepted)).toHaveLength(1);
            expect(results.every((r) => r.head === epoch)).toBe(true);
            const winner = rivals[results.findIndex((r) => r.accepted)];
            expect((await other.listCommits(conv.id, epoch - 1, 10))[0]).toEqual(winner);
          }
          expect(await store.listCommits(conv.id, 0, 10)).toHaveLength(2);
          expect((await store.getConversation(conv.id))?.epoch).toBe(2);
          expect((await other.getConversation(conv.id))?.epoch).toBe(2);
          expect(await other.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
          expect(await store.appendCommit(commit(conv.id, 3, { sig: "late" }))).toEqual({ accepted: false, head: 3 });
        } finally {
          await other.close();
        }
      });

    it("pages commits oldest first after an epoch, at most limit, per conversation", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      const neighbour = conversation();
      await store.createConversation(conv);
      await store.createConversation(neighbour);
      const commits = await seedCommits(store, conv.id, 7);
      await seedCommits(store, neighbour.id, 2);
      expect(await store.listCommits(conv.id, 0, 3)).toEqual(commits.slice(0, 3));
      expect(await store.listCommits(conv.id, 3, 3)).toEqual(commits.slice(3, 6));
      expect(await store.listCommits(conv.id, 6, 3)).toEqual(commits.slice(6));
      expect(await store.listCommits(conv.id, 7, 3)).toEqual([]);
      expect(await store.listCommits(conv.id, 0, 0)).toEqual([]);
      expect(await store.listCommits(conv.id, 0, 100)).toEqual(commits);
      expect((await store.listCommits(neighbour.id, 0, 100)).map((c) => c.epoch)).toEqual([1, 2]);
      expect(await store.listCommits("c-unknown", 0, 100)).toEqual([]);
    });

    it("returns a commit exactly as given, nothing the caller's object carried besides", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      const full = commit(conv.id, 1, {
        teamWrap: "dGVhbS13cmFw",
        historyPolicy: "full",
        members: [{ principalId: "p-owner", deviceIds: ["d-1"] }],
        wraps: [{ deviceId: "d-1", sealed: "AAECAwQ_-w" }],
        ts: 1_700_000_000_123,
      });
      const extra = { ...full, note: "not part of a commit", committer: { ...full.committer, admin: true } };
      expect(await store.appendCommit(extra as EpochCommit)).toEqual({ accepted: true, head: 1 });
      expect(await store.listCommits(conv.id, 0, 10)).toEqual([full]);
    });

    it("rejects a commit to an unknown conversation and stores nothing", async () => {
      await using fx = await open();
      const { store } = fx;
      await expect(store.appendCommit(commit("c-unknown", 1))).rejects.toBeInstanceOf(StoreNotFoundError);
      expect(await store.listCommits("c-unknown", 0, 10)).toEqual([]);
      expect(await store.getConversation("c-unknown")).toBeUndefined();
    });

    it("keeps the chain and the conversation's epoch across a close and reopen", async (ctx) => {
      await using fx = await open();
      if (!fx.reopen) return ctx.skip();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      const commits = await seedCommits(store, conv.id, 3);
      await store.close();
      const reopened = await fx.reopen();
      try {
        expect(await reopened.getConversation(conv.id)).toEqual({ ...conv, epoch: 3 });
        expect(await reopened.listCommits(conv.id, 0, 10)).toEqual(commits);
        expect(await reopened.appendCommit(commit(conv.id, 3))).toEqual({ accepted: false, head: 3 });
        expect(await reopened.appendCommit(commit(conv.id, 4))).toEqual({ accepted: true, head: 4 });
        expect((await reopened.getConversation(conv.id))?.epoch).toBe(4);
      } finally {
        await reopened.close();
      }
    });

    it("repairs a head left behind its commits: the next commit after them is accepted", async (ctx) => {
      await using fx = await open();
      if (!fx.rawInsertCommit) return ctx.skip();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      await seedCommits(store, conv.id, 1);
      await fx.rawInsertCommit(commit(conv.id, 2));
      expect((await store.getConversation(conv.id))?.epoch).toBe(1);
      expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
      expect((await store.getConversation(conv.id))?.epoch).toBe(3);
      expect((await store.listCommits(conv.id, 0, 10)).map((c) => c.epoch)).toEqual([1, 2, 3]);
    });

    it("gives the head by its commits, moving a lagging cached head up, and refuses an unknown conversation", async (ctx) => {
      await using fx = await open();
      if (!fx.rawInsertCommit) return ctx.skip();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      await seedCommits(store, conv.id, 2);
      // Not lagging: the head is the cached one, whatever older epoch the caller read.
      expect(await store.epochHead(conv.id, 2)).toBe(2);
      expect(await store.epochHead(conv.id, 1)).toBe(2);
      await fx.rawInsertCommit(commit(conv.id, 3));
      await fx.rawInsertCommit(commit(conv.id, 4));
      expect((await store.getConversation(conv.id))?.epoch).toBe(2);
      expect(await store.epochHead(conv.id, 2)).toBe(4);
      expect((await store.getConversation(conv.id))?.epoch).toBe(4);
      // Repaired: the next commit follows the real head.
      expect(await store.appendCommit(commit(conv.id, 5))).toEqual({ accepted: true, head: 5 });
      await expect(store.epochHead("c-missing", 0)).rejects.toBeInstanceOf(StoreNotFoundError);
    });

    it("repairs a head left behind its commits when a client retries the stored epoch", async (ctx) => {
      await using fx = await open();
      if (!fx.rawInsertCommit) return ctx.skip();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      await fx.rawInsertCommit(commit(conv.id, 1));
      await fx.rawInsertCommit(commit(conv.id, 2));
      expect((await store.getConversation(conv.id))?.epoch).toBe(0);
      // The cached head says 1 is next; the commits say 2 is taken already.
      expect(await store.appendCommit(commit(conv.id, 1, { sig: "stale" }))).toEqual({ accepted: false, head: 2 });
      expect((await store.getConversation(conv.id))?.epoch).toBe(2);
      expect(await store.listCommits(conv.id, 0, 10)).toEqual([commit(conv.id, 1), commit(conv.id, 2)]);
      expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
    });
  });
}
