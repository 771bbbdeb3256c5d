/** Store conformance, by aggregate: see suite.ts. */
import type { StoredNote } from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import { conversation, type StoreFixture, seed, T0 } from "./fixtures.js";

/** Team notes. */
export function describeNotes(open: () => Promise<StoreFixture>): void {
  describe("notes", () => {
    const note = (convId: string, id: string, ts: number, author = "p-agent"): StoredNote => ({
      convId,
      id,
      author,
      ts,
      envelope: {
        v: 1,
        convId,
        epoch: 1,
        msgId: id,
        senderDevice: "d-agent",
        ts,
        alg: "none",
        nonce: "",
        ct: `note ${id}`,
        sig: "",
      },
    });

    it("stores a note once per id and lists the newest, oldest first", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      for (let i = 1; i <= 5; i++) {
        expect(await store.addNote(note(conv.id, `n${i}`, T0 + i))).toEqual({
          note: note(conv.id, `n${i}`, T0 + i),
          duplicate: false,
        });
      }
      // A retry (even with other fields) answers the stored note and changes nothing.
      const retry = await store.addNote({ ...note(conv.id, "n2", T0 + 99), author: "p-other" });
      expect(retry).toEqual({ note: note(conv.id, "n2", T0 + 2), duplicate: true });
      expect((await store.listNotes(conv.id, 3)).map((n) => n.id)).toEqual(["n3", "n4", "n5"]);
      expect((await store.listNotes(conv.id, 10)).map((n) => n.id)).toEqual(["n1", "n2", "n3", "n4", "n5"]);
      expect(await store.listNotes("c-other", 10)).toEqual([]);
    });

    it("pages back before a note by (ts, id), notes of the same ts included", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      // n1 alone, then n2..n4 sharing one ts (ordered by id), then n5.
      const times: Array<[string, number]> = [
        ["n1", T0 + 1],
        ["n2", T0 + 2],
        ["n3", T0 + 2],
        ["n4", T0 + 2],
        ["n5", T0 + 3],
      ];
      for (const [id, ts] of times) await store.addNote(note(conv.id, id, ts));
      const ids = async (limit: number, before: { ts: number; id: string }) =>
        (await store.listNotes(conv.id, limit, before)).map((n) => n.id);
      expect(await ids(2, { ts: T0 + 3, id: "n5" })).toEqual(["n3", "n4"]);
      expect(await ids(2, { ts: T0 + 2, id: "n3" })).toEqual(["n1", "n2"]);
      expect(await ids(10, { ts: T0 + 2, id: "n2" })).toEqual(["n1"]);
      expect(await ids(10, { ts: T0 + 1, id: "n1" })).toEqual([]);
      expect(await store.listNotes("c-other", 10, { ts: T0 + 9, id: "n9" })).toEqual([]);
    });

    it("moves no message seq and keeps notes out of the message history", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 2);
      await store.addNote(note(convId, "n1", T0 + 50));
      expect((await store.getConversation(convId))?.lastSeq).toBe(2);
      expect((await store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual(["m1", "m2"]);
    });
  });
}
