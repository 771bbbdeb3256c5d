/**
 * The seq property of the writer thread's group commit: for any interleaving
 * of appends across conversations, with repeated msgIds and with appends
 * arriving while the writer is idle or in the middle of a commit, one store
 * gives each conversation dense seqs 1..N in the order `append` was called for
 * each msgId's first occurrence; every repeat answers that first message as a
 * duplicate, and the file holds exactly the model's messages.
 *
 * The model is a list of first-seen msgIds per conversation, built from the
 * generated calls alone, never from the store's answers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppendResult } from "../port.js";
import { createConversations, message, range, tempStore, turns } from "./test-kit.js";

const SEED = 20_261_125;
const CONVERSATIONS = 4;

const call = fc.record({
  conv: fc.integer({ min: 0, max: CONVERSATIONS - 1 }),
  msg: fc.integer({ min: 0, max: 11 }),
  /** Event-loop turns to let pass before this call: 0 keeps it in the current batch. */
  wait: fc.constantFrom(0, 0, 0, 1, 2),
});

describe("SqliteStore group commit on the writer thread (property)", () => {
  it("numbers each conversation's first-seen msgIds 1..N in call order and answers repeats as duplicates", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 80 }), async (calls) => {
        run++;
        const convIds = range(0, CONVERSATIONS - 1).map((c) => `c${run}-${c}`);
        await createConversations(store, convIds);
        const model = convIds.map(() => [] as string[]);
        const pending: Promise<AppendResult>[] = [];
        for (const { conv, msg, wait } of calls) {
          await turns(wait);
          const firstSeen = model[conv] ?? [];
          if (!firstSeen.includes(`m${msg}`)) firstSeen.push(`m${msg}`);
          pending.push(store.append(message(convIds[conv] ?? "", `m${msg}`)));
        }
        const results = await Promise.all(pending);
        for (const [i, { conv, msg }] of calls.entries()) {
          const firstSeen = model[conv] ?? [];
          const seq = firstSeen.indexOf(`m${msg}`) + 1;
          const isFirst = calls.findIndex((c) => c.conv === conv && c.msg === msg) === i;
          expect(results[i]).toMatchObject({ message: { convId: convIds[conv], msgId: `m${msg}`, seq } });
          expect(results[i]?.duplicate).toBe(!isFirst);
        }
        for (const [c, convId] of convIds.entries()) {
          const expected = model[c] ?? [];
          const stored = await store.since(convId, 0, 1000);
          expect(stored.map((m) => [m.seq, m.msgId])).toEqual(expected.map((msgId, i) => [i + 1, msgId]));
          expect((await store.getConversation(convId))?.lastSeq).toBe(expected.length);
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
