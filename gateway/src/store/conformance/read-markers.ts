/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { Store } from "../port.js";
import { conversation, message, type StoreFixture, seed, T0 } from "./fixtures.js";

/** Read markers and unread counts. */
export function describeReadMarkers(open: () => Promise<StoreFixture>): void {
  describe("read markers", () => {
    /** A conversation with messages from the given senders, seq 1..N in order. */
    async function seedFrom(store: Store, senders: string[]): Promise<string> {
      const conv = conversation();
      await store.createConversation(conv);
      for (const [i, sender] of senders.entries()) {
        await store.append({ ...message(conv.id, `m${i + 1}`, T0 + i + 1), sender });
      }
      return conv.id;
    }

    it("moves a marker up only, per conversation and principal", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 6);
      const other = await seed(store, 6);
      const mark = (principalId: string, seq: number, at = T0 + seq) =>
        store.setReadMarker({ convId, principalId, seq, at });
      expect(await mark("p-a", 0)).toEqual({ seq: 0, moved: false });
      expect(await store.readMarkers(convId)).toEqual([]);
      expect(await mark("p-a", 3)).toEqual({ seq: 3, moved: true });
      expect(await mark("p-a", 2)).toEqual({ seq: 3, moved: false });
      expect(await mark("p-a", 3)).toEqual({ seq: 3, moved: false });
      expect(await mark("p-b", 1)).toEqual({ seq: 1, moved: true });
      expect(await mark("p-a", 5)).toEqual({ seq: 5, moved: true });
      expect(await store.readMarkers(convId)).toEqual([
        { convId, principalId: "p-a", seq: 5, at: T0 + 5 },
        { convId, principalId: "p-b", seq: 1, at: T0 + 1 },
      ]);
      expect(await store.readMarkers(other)).toEqual([]);
    });

    it("keeps the highest of concurrent markers", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 12);
      const seqs = [4, 9, 1, 12, 7, 3, 11, 2];
      await Promise.all(seqs.map((seq) => store.setReadMarker({ convId, principalId: "p-a", seq, at: T0 })));
      expect(await store.readMarkers(convId)).toEqual([{ convId, principalId: "p-a", seq: 12, at: T0 }]);
      expect(await store.setReadMarker({ convId, principalId: "p-a", seq: 10, at: T0 })).toEqual({
        seq: 12,
        moved: false,
      });
    });

    it("is state, not a message: seqs and the conversation stay as they were", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 4);
      const before = await store.getConversation(convId);
      await store.setReadMarker({ convId, principalId: "p-a", seq: 4, at: T0 + 10_000 });
      expect(await store.getConversation(convId)).toEqual(before);
      expect((await store.since(convId, 0, 100)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      expect((await store.append(message(convId, "m5"))).message.seq).toBe(5);
    });

    it("counts unread messages from others above the marker, never the principal's own", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seedFrom(store, ["p-x", "p-x", "p-x", "p-me", "p-me", "p-x"]);
      const empty = conversation();
      await store.createConversation(empty);
      const convs = [
        { id: convId, lastSeq: 6 },
        { id: empty.id, lastSeq: 0 },
      ];
      const get = async (principalId: string, id = convId) => (await store.unreadCounts(principalId, convs)).get(id);
      expect(await get("p-me")).toEqual({ readUpTo: 0, unread: 4 });
      expect(await get("p-x")).toEqual({ readUpTo: 0, unread: 2 });
      expect(await get("p-me", empty.id)).toEqual({ readUpTo: 0, unread: 0 });
      await store.setReadMarker({ convId, principalId: "p-me", seq: 3, at: T0 });
      expect(await get("p-me")).toEqual({ readUpTo: 3, unread: 1 });
      await store.setReadMarker({ convId, principalId: "p-me", seq: 5, at: T0 });
      expect(await get("p-me")).toEqual({ readUpTo: 5, unread: 1 });
      await store.setReadMarker({ convId, principalId: "p-me", seq: 6, at: T0 });
      expect(await get("p-me")).toEqual({ readUpTo: 6, unread: 0 });
      // Counted up to the lastSeq the caller read, not past it.
      expect((await store.unreadCounts("p-x", [{ id: convId, lastSeq: 4 }])).get(convId)).toEqual({
        readUpTo: 0,
        unread: 1,
      });
      expect(await store.unreadCounts("p-me", [])).toEqual(new Map());
    });

    it("keeps markers across a close and reopen", async () => {
      await using fx = await open();
      const { store, reopen } = fx;
      if (!reopen) throw new Error("this suite needs a fixture that can reopen its store");
      const convId = await seedFrom(store, ["p-x", "p-x", "p-me", "p-x"]);
      await store.setReadMarker({ convId, principalId: "p-me", seq: 2, at: T0 + 2 });
      await store.close();
      const reopened = await reopen();
      try {
        expect(await reopened.readMarkers(convId)).toEqual([{ convId, principalId: "p-me", seq: 2, at: T0 + 2 }]);
        expect((await reopened.unreadCounts("p-me", [{ id: convId, lastSeq: 4 }])).get(convId)).toEqual({
          readUpTo: 2,
          unread: 1,
        });
      } finally {
        await reopened.close();
      }
    });
  });
}
