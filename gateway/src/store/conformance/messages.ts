/** Store conformance, by aggregate: see suite.ts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StoreNotFoundError } from "../port.js";
import { conversation, message, range, type StoreFixture, type SuiteTraits, seed, T0 } from "./fixtures.js";

/** Message appends (gapless seqs, idempotent msgIds, concurrency) and history reads. */
export function describeMessages(open: () => Promise<StoreFixture>, traits: SuiteTraits = {}): void {
  describe("append", () => {
    it("numbers messages 1..N in order and moves the conversation's lastSeq and updatedAt", async () => {
      await using fx = await open();
      const { store } = fx;
      const conv = conversation();
      await store.createConversation(conv);
      for (const i of range(1, 7)) {
        const result = await store.append(message(conv.id, `m${i}`, T0 + i * 10));
        expect(result).toEqual({ message: { ...message(conv.id, `m${i}`, T0 + i * 10), seq: i }, duplicate: false });
      }
      expect(await store.getConversation(conv.id)).toEqual({ ...conv, lastSeq: 7, updatedAt: T0 + 70 });
    });

    it("returns the first message unchanged for a repeated msgId and stores it once", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 2);
      const first = await store.append(message(convId, "dup", T0 + 100, "original"));
      const again = await store.append(message(convId, "dup", T0 + 200, "changed"));
      expect(again).toEqual({ message: first.message, duplicate: true });
      expect(again.message.envelope.ct).toBe("original");
      expect((await store.since(convId, 0, 100)).map((m) => m.msgId)).toEqual(["m1", "m2", "dup"]);
      expect((await store.getConversation(convId))?.lastSeq).toBe(3);
      expect((await store.append(message(convId, "next"))).message.seq).toBe(4);
    });

    it("treats the same msgId in two conversations as two messages", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = await seed(store, 0);
      const b = await seed(store, 1);
      expect(await store.append(message(a, "m1"))).toMatchObject({ message: { seq: 1 }, duplicate: false });
      expect(await store.append(message(b, "m1"))).toMatchObject({ message: { seq: 1 }, duplicate: true });
      expect(await store.history(a, undefined, 10)).toHaveLength(1);
    });

    it("rejects an append to an unknown conversation and stores nothing", async () => {
      await using fx = await open();
      const { store } = fx;
      await expect(store.append(message("c-unknown", "m1"))).rejects.toBeInstanceOf(StoreNotFoundError);
      expect(await store.history("c-unknown", undefined, 10)).toEqual([]);
      expect(await store.getConversation("c-unknown")).toBeUndefined();
    });

    it("fails only the append to an unknown conversation among concurrent appends", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 0);
      const results = await Promise.allSettled([
        store.append(message(convId, "ok-1")),
        store.append(message("c-unknown", "lost")),
        store.append(message(convId, "ok-2")),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreNotFoundError);
      expect((await store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual(["ok-1", "ok-2"]);
    });

    it("keeps seqs gapless and msgIds unique under 50 concurrent appends with duplicates", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 0);
      const msgIds = range(0, 49).map((i) => `m${i % 30}`);
      const results = await Promise.all(msgIds.map((msgId) => store.append(message(convId, msgId))));
      const fresh = results.filter((r) => !r.duplicate);
      expect(fresh).toHaveLength(30);
      expect(fresh.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(range(1, 30));
      const seqOf = new Map(fresh.map((r) => [r.message.msgId, r.message.seq]));
      for (const r of results) expect(r.message.seq).toBe(seqOf.get(r.message.msgId));
      const stored = await store.since(convId, 0, 100);
      expect(stored.map((m) => m.seq)).toEqual(range(1, 30));
      expect(new Set(stored.map((m) => m.msgId)).size).toBe(30);
      expect((await store.getConversation(convId))?.lastSeq).toBe(30);
    });

    it("keeps every conversation gapless under concurrent appends to several conversations", async () => {
      await using fx = await open();
      const { store } = fx;
      const convIds = await Promise.all(range(1, 5).map(() => seed(store, 0)));
      const jobs = range(1, 20).flatMap((i) => convIds.map((convId) => store.append(message(convId, `m${i}`))));
      await Promise.all(jobs);
      for (const convId of convIds) {
        const stored = await store.since(convId, 0, 100);
        expect(stored.map((m) => m.seq)).toEqual(range(1, 20));
        expect(new Set(stored.map((m) => m.msgId)).size).toBe(20);
        expect((await store.getConversation(convId))?.lastSeq).toBe(20);
      }
    });

    // Not declared for an exclusive store: a second writer is what it rules out (ADR 0051).
    if (!traits.exclusive)
      it("keeps seqs gapless when two stores on the same data append to one conversation", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const other = await fx.reopen();
        try {
          const convId = await seed(store, 0);
          const jobs = range(1, 40).map((i) => (i % 2 ? store : other).append(message(convId, `m${i % 30}`)));
          const results = await Promise.all(jobs);
          const stored = await store.since(convId, 0, 100);
          expect(stored.map((m) => m.seq)).toEqual(range(1, 30));
          expect(new Set(stored.map((m) => m.msgId)).size).toBe(30);
          const seqOf = new Map(stored.map((m) => [m.msgId, m.seq]));
          for (const r of results) expect(r.message.seq).toBe(seqOf.get(r.message.msgId));
          expect(results.filter((r) => !r.duplicate)).toHaveLength(30);
          // Concurrent lastSeq updates from two processes may land out of order on FerretDB
          // (non-atomic updates); the next append settles it.
          await other.append(message(convId, "last"));
          expect((await store.getConversation(convId))?.lastSeq).toBe(31);
        } finally {
          await other.close();
        }
      });
  });

  describe("history and since", () => {
    it("pages history newest first with the before cursor, reaching every message exactly once", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 23);
      await seed(store, 3); // another conversation's messages must not appear
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.history(convId, before, 5);
        expect(page.length).toBeLessThanOrEqual(5);
        if (page.length === 0) break;
        seen.push(...page.map((m) => m.seq));
        before = page.at(-1)?.seq;
      }
      expect(seen).toEqual(range(1, 23).reverse());
      expect((await store.history(convId, undefined, 3)).map((m) => m.msgId)).toEqual(["m23", "m22", "m21"]);
      expect(await store.history(convId, 1, 10)).toEqual([]);
    });

    it("returns messages after a seq oldest first, at most limit", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 23);
      expect((await store.since(convId, 0, 5)).map((m) => m.seq)).toEqual(range(1, 5));
      expect((await store.since(convId, 20, 10)).map((m) => m.seq)).toEqual([21, 22, 23]);
      expect(await store.since(convId, 23, 10)).toEqual([]);
    });

    it("reads only messages stored at or after a floor time, paging to the end either way", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 0);
      // Stored times out of seq order around the floor (T0 + 10), as concurrent sends can leave them.
      const times = [1, 5, 12, 9, 10, 15, 11, 20];
      for (const [i, t] of times.entries()) await store.append(message(convId, `f${i + 1}`, T0 + t));
      const allowed = times.flatMap((t, i) => (t >= 10 ? [i + 1] : []));
      expect(allowed).toEqual([3, 5, 6, 7, 8]);
      const back: number[] = [];
      for (let before: number | undefined, guard = 0; guard < 20; guard++) {
        const page = await store.history(convId, before, 2, T0 + 10);
        if (page.length === 0) break;
        back.push(...page.map((m) => m.seq));
        before = page.at(-1)?.seq;
      }
      expect(back).toEqual([...allowed].reverse());
      const forward: number[] = [];
      for (let after = 0, guard = 0; guard < 20; guard++) {
        const page = await store.since(convId, after, 2, T0 + 10);
        if (page.length === 0) break;
        forward.push(...page.map((m) => m.seq));
        after = page.at(-1)?.seq ?? after;
      }
      expect(forward).toEqual(allowed);
      expect((await store.since(convId, 0, 100, 0)).map((m) => m.seq)).toEqual(range(1, 8));
      expect(await store.history(convId, undefined, 5, T0 + 21)).toEqual([]);
    });

    it("returns stored messages with their envelope, sender and server time intact", async () => {
      await using fx = await open();
      const { store } = fx;
      const convId = await seed(store, 0);
      const sent = message(convId, "m-x", T0 + 77, "AAECAwQ_-w");
      await store.append(sent);
      const expected = { ...sent, seq: 1 };
      expect(await store.history(convId, undefined, 1)).toEqual([expected]);
      expect(await store.since(convId, 0, 1)).toEqual([expected]);
    });

    it("matches a model of first-seen msgIds for random appends with repeats", async () => {
      await using fx = await open();
      const { store } = fx;
      const op = fc.record({ conv: fc.integer({ min: 0, max: 2 }), msg: fc.integer({ min: 0, max: 7 }) });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.boolean(), async (ops, concurrent) => {
          const convIds = await Promise.all(range(0, 2).map(() => seed(store, 0)));
          const model = convIds.map(() => [] as string[]);
          const appends = ops.map(({ conv, msg }) => message(convIds[conv] ?? "", `m${msg}`));
          if (concurrent) {
            const results = await Promise.all(appends.map((m) => store.append(m)));
            for (const [i, r] of results.entries()) {
              const list = model[ops[i]?.conv ?? 0] ?? [];
              if (!list.includes(r.message.msgId)) list.push(r.message.msgId);
            }
          } else {
            for (const [i, m] of appends.entries()) {
              const list = model[ops[i]?.conv ?? 0] ?? [];
              const known = list.indexOf(m.msgId);
              if (known < 0) list.push(m.msgId);
              const r = await store.append(m);
              expect(r.duplicate).toBe(known >= 0);
              expect(r.message.seq).toBe(known >= 0 ? known + 1 : list.length);
            }
          }
          for (const [c, convId] of convIds.entries()) {
            const expected = model[c] ?? [];
            const oldestFirst = await store.since(convId, 0, 100);
            if (concurrent) expect(oldestFirst.map((m) => m.msgId).sort()).toEqual([...expected].sort());
            else expect(oldestFirst.map((m) => m.msgId)).toEqual(expected);
            expect(oldestFirst.map((m) => m.seq)).toEqual(range(1, expected.length));
            const newestFirst = await store.history(convId, undefined, 100);
            expect(newestFirst).toEqual([...oldestFirst].reverse());
            expect((await store.getConversation(convId))?.lastSeq).toBe(expected.length);
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}
