/**
 * Properties of the calls fold over generated conversations: two calls, and
 * joins, declines, busy answers and leaves (own and for a dropped device) from
 * four principals on two devices each, at times inside and past the ring,
 * folded in any order, repeated, and read at any instant.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_CALL_PARTICIPANTS, MAX_SILENT_CALL_MS, RING_MS } from "../protocol/calls/wire.js";
import { CallsBoardFolder } from "./board-folder.js";
import { type CallMessage, foldCalls } from "./fold.js";
import { AGENT, ANNA, BEN, CARL, callMsg, dev, eventMsg, T0, textMsg } from "./fold-fixtures.js";

const RUNS = { seed: 20_261_206, numRuns: 300 };
const PEOPLE = [ANNA, BEN, CARL, AGENT] as const;

/** One message after the calls: an event of either call, or a text. */
const laterMessage = fc.oneof(
  {
    arbitrary: fc.record({
      call: fc.constantFrom(1, 2),
      op: fc.constantFrom("join", "join", "leave", "decline", "busy") as fc.Arbitrary<
        "join" | "leave" | "decline" | "busy"
      >,
      by: fc.constantFrom(...PEOPLE),
      device: fc.constantFrom(1, 2),
      drops: fc.option(fc.record({ who: fc.constantFrom(...PEOPLE), device: fc.constantFrom(1, 2) }), {
        nil: undefined,
      }),
      skew: fc.integer({ min: -20_000, max: 20_000 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ text: fc.constantFrom(...PEOPLE) }), weight: 1 },
);

/** A conversation: two calls at seqs 1 and 2, then the later messages, spread by `gap` ms. */
const conversations = fc
  .record({
    callers: fc.tuple(fc.constantFrom(...PEOPLE), fc.constantFrom(...PEOPLE)),
    later: fc.array(laterMessage, { maxLength: 14 }),
    gap: fc.constantFrom(500, 4_000, 20_000, MAX_SILENT_CALL_MS / 3),
  })
  .map(({ callers, later, gap }): CallMessage[] => {
    const messages = [callMsg(1, callers[0]), callMsg(2, callers[1], { ts: T0 + gap })];
    later.forEach((m, i) => {
      const seq = 3 + i;
      const ts = T0 + (i + 2) * gap;
      if ("text" in m) {
        messages.push({ ...textMsg(seq, m.text), ts });
        return;
      }
      const leaves = m.op === "leave" && m.drops ? dev(m.drops.who, m.drops.device) : undefined;
      const options = { device: dev(m.by, m.device), ts, at: ts + m.skew, ...(leaves ? { leaves } : {}) };
      messages.push(eventMsg(seq, m.by, m.call, m.op, options));
    });
    return messages;
  });

/** Some order of `messages`, with some of them repeated. */
function scramble(
  messages: readonly CallMessage[],
  order: readonly number[],
  repeats: readonly number[],
): CallMessage[] {
  const out = [...messages];
  for (const r of repeats) out.push(messages[r % messages.length] as CallMessage);
  return out
    .map((m, i) => ({ m, k: order[i % Math.max(1, order.length)] ?? 0 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.m);
}

const nows = fc.integer({ min: 0, max: 40 * 60_000 }).map((d) => T0 + d * 7);

describe("the calls fold, over generated conversations", () => {
  it("gives the same board for any order and repetition of the same messages", () => {
    fc.assert(
      fc.property(
        conversations,
        fc.array(fc.integer(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        nows,
        (messages, order, repeats, now) => {
          expect(foldCalls(scramble(messages, order, repeats), now)).toEqual(foldCalls(messages, now));
        },
      ),
      RUNS,
    );
  });

  it("folds incrementally as it folds at once", () => {
    fc.assert(
      fc.property(conversations, nows, (messages, now) => {
        const folder = new CallsBoardFolder();
        for (let i = 1; i <= messages.length; i++) folder.update(messages.slice(0, i), now);
        expect(folder.at(now)).toEqual(foldCalls(messages, now));
      }),
      RUNS,
    );
  });

  it("keeps times in order, durations non-negative and the devices in a call within the cap", () => {
    fc.assert(
      fc.property(conversations, nows, (messages, now) => {
        // Read after every prefix: the cap holds at every point, not only at the end.
        for (let i = 1; i <= messages.length; i++) {
          for (const call of foldCalls(messages.slice(0, i), now).calls.values()) {
            expect(call.participants.filter((p) => p.leftAt === undefined).length).toBeLessThanOrEqual(
              MAX_CALL_PARTICIPANTS,
            );
            expect(new Set(call.participants.map((p) => p.device)).size).toBe(call.participants.length);
            expect(call.participants[0]?.device).toBe(call.callerDevice);
            for (const p of call.participants) {
              expect(p.joinedAt).toBeGreaterThanOrEqual(call.startedAt);
              if (p.leftAt !== undefined) expect(p.leftAt).toBeGreaterThanOrEqual(p.joinedAt);
            }
            if (call.state === "ended") {
              expect(call.endedAt).toBeGreaterThanOrEqual(call.startedAt);
              expect(call.participants.every((p) => p.leftAt !== undefined)).toBe(true);
              expect(call.outcome === "answered").toBe(call.answeredAt !== undefined);
              if (call.answeredAt !== undefined) {
                expect(call.durationMs).toBe((call.endedAt as number) - call.answeredAt);
                expect(call.durationMs).toBeGreaterThanOrEqual(0);
              } else expect(call.durationMs).toBeUndefined();
            } else {
              expect(call.state === "ringing").toBe(call.answeredAt === undefined);
              if (call.state === "ringing") expect(now).toBeLessThan(call.startedAt + RING_MS);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it("a call that reads ended stays ended, the same way, at any later instant", () => {
    fc.assert(
      fc.property(conversations, nows, fc.integer({ min: 1, max: MAX_SILENT_CALL_MS * 2 }), (messages, now, later) => {
        const before = foldCalls(messages, now);
        const after = foldCalls(messages, now + later);
        for (const [id, call] of before.calls) {
          if (call.state === "ended") expect(after.calls.get(id)).toEqual(call);
        }
      }),
      RUNS,
    );
  });
});
