/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { MembershipRecord } from "../port.js";
import type { StoreFixture } from "./fixtures.js";
import { T0, uid } from "./fixtures.js";

/** The membership log: appended per conversation, the newest `limit` read back oldest first. */
export function describeMembershipLog(open: () => Promise<StoreFixture>): void {
  describe("membership log", () => {
    it("keeps every change of a conversation apart from others and lists them oldest first", async () => {
      await using fx = await open();
      const { store } = fx;
      const [conv, other, mia, leo, noah] = [uid("cv"), uid("cv"), uid("p"), uid("p"), uid("p")];
      const joined: MembershipRecord = { convId: conv, principalId: leo, change: "joined", by: mia, ts: T0 + 1 };
      const left: MembershipRecord = { convId: conv, principalId: leo, change: "left", by: leo, ts: T0 + 5 };
      const removed: MembershipRecord = { convId: conv, principalId: noah, change: "removed", by: mia, ts: T0 + 3 };
      await store.appendMembershipEvent(joined);
      await store.appendMembershipEvent(left);
      await store.appendMembershipEvent(removed);
      await store.appendMembershipEvent({ convId: other, principalId: mia, change: "left", by: mia, ts: T0 + 2 });
      expect(await store.listMembershipEvents(conv, 10)).toEqual([joined, removed, left]);
      expect(await store.listMembershipEvents(uid("cv"), 10)).toEqual([]);
      expect(await store.listMembershipEvents(other, 10)).toHaveLength(1);
    });

    it("answers the newest `limit` changes, oldest first, with equal times in append order", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = uid("cv");
      const people = [uid("p"), uid("p"), uid("p"), uid("p")];
      for (const [i, p] of people.entries()) {
        await store.appendMembershipEvent({
          convId: conv,
          principalId: p,
          change: "joined",
          by: p,
          ts: T0 + (i < 2 ? 0 : 7),
        });
      }
      await store.appendMembershipEvent({
        convId: conv,
        principalId: people[0] as string,
        change: "left",
        by: people[0] as string,
        ts: T0 + 7,
      });
      const all = await store.listMembershipEvents(conv, 10);
      expect(all.map((e) => `${e.principalId}:${e.change}`)).toEqual([
        ...people.map((p) => `${p}:joined`),
        `${people[0]}:left`,
      ]);
      expect(await store.listMembershipEvents(conv, 2)).toEqual(all.slice(3));
      expect(await store.listMembershipEvents(conv, 0)).toEqual([]);
      expect(await store.listMembershipEvents(conv, -1)).toEqual([]);
    });

    it("keeps the same change twice when it happened twice (a member who came back and left again)", async () => {
      await using fx = await open();
      const { store } = fx;
      const [conv, leo] = [uid("cv"), uid("p")];
      const first: MembershipRecord = { convId: conv, principalId: leo, change: "left", by: leo, ts: T0 };
      await store.appendMembershipEvent(first);
      await store.appendMembershipEvent({ ...first, ts: T0 + 9 });
      expect(await store.listMembershipEvents(conv, 10)).toEqual([first, { ...first, ts: T0 + 9 }]);
    });

    it("finds the past and present members among named principals of the given conversations", async () => {
      await using fx = await open();
      const { store } = fx;
      const [conv, other, unlogged] = [uid("cv"), uid("cv"), uid("cv")];
      const [mia, leo, noah, ava, zoe] = [uid("p"), uid("p"), uid("p"), uid("p"), uid("p")];
      // Mia owns conv (a member row, never logged); Leo joined and left; Noah was removed; Ava is in `other` only.
      await store.addMember({ convId: conv, principalId: mia, role: "owner", joinedAt: T0 });
      await store.appendMembershipEvent({ convId: conv, principalId: leo, change: "joined", by: mia, ts: T0 + 1 });
      await store.appendMembershipEvent({ convId: conv, principalId: leo, change: "left", by: leo, ts: T0 + 2 });
      await store.appendMembershipEvent({ convId: conv, principalId: noah, change: "removed", by: mia, ts: T0 + 3 });
      await store.addMember({ convId: other, principalId: ava, role: "member", joinedAt: T0 });
      await store.addMember({ convId: unlogged, principalId: zoe, role: "member", joinedAt: T0 });
      const named = [mia, leo, noah, ava, zoe, uid("p")];
      expect((await store.pastOrPresentMembers([conv], named)).sort()).toEqual([mia, leo, noah].sort());
      expect((await store.pastOrPresentMembers([conv, other], named)).sort()).toEqual([mia, leo, noah, ava].sort());
      // Each once, however often the log or the lists name it.
      expect(await store.pastOrPresentMembers([conv, conv], [leo, leo])).toEqual([leo]);
      expect(await store.pastOrPresentMembers([conv], [])).toEqual([]);
      expect(await store.pastOrPresentMembers([], named)).toEqual([]);
      expect(await store.pastOrPresentMembers([uid("cv")], named)).toEqual([]);
    });
  });
}
