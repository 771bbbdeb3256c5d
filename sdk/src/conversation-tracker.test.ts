import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChatMessage, ConversationTracker, countUnread } from "./conversation-tracker.js";

const msg = (seq: number): ChatMessage => ({
  convId: "cv_1",
  seq,
  msgId: `m_${String(seq).padStart(16, "0")}`,
  sender: "p",
  ts: seq,
  body: { type: "text", text: String(seq) },
});

function deliver(tracker: ConversationTracker, seqs: readonly number[]): void {
  for (const seq of seqs) if (tracker.claim(seq)) tracker.insert([msg(seq)]);
}

describe("ConversationTracker", () => {
  it("keeps the unread count equal to a full count, whatever the order of messages, markers and server info (property)", () => {
    type Step =
      | { kind: "deliver"; seq: number; mine: boolean }
      | { kind: "read"; seq: number }
      | { kind: "info"; lastSeq: number; readUpTo: number; unread: number }
      | { kind: "commit"; epoch: number };
    const step = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant("deliver" as const),
          seq: fc.integer({ min: 1, max: 60 }),
          mine: fc.boolean(),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("read" as const), seq: fc.integer({ min: 0, max: 60 }) }) },
      // A commit event: the same details with a new epoch (the count is kept, not worked out again).
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("commit" as const), epoch: fc.integer({ min: 1, max: 9 }) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("info" as const),
          lastSeq: fc.integer({ min: 0, max: 60 }),
          readUpTo: fc.integer({ min: 0, max: 60 }),
          unread: fc.integer({ min: 0, max: 60 }),
        }),
      },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps: Step[]) => {
        const t = new ConversationTracker("cv_1", "me");
        t.anchor(0, false);
        for (const s of steps) {
          if (s.kind === "deliver") {
            if (t.claim(s.seq)) t.insert([{ ...msg(s.seq), sender: s.mine ? "me" : "them" }]);
          } else if (s.kind === "read") {
            t.setReadUpTo(s.seq);
          } else if (s.kind === "commit") {
            const info = t.state.value.info;
            if (info) t.setInfo({ ...info, epoch: s.epoch });
          } else {
            t.setInfo({
              id: "cv_1",
              shopId: "s",
              status: "open",
              createdBy: "me",
              createdAt: 0,
              updatedAt: 0,
              lastSeq: s.lastSeq,
              epoch: 0,
              readUpTo: s.readUpTo,
              unread: s.unread,
            });
          }
          expect(t.state.value.unread).toBe(countUnread(t.state.value, "me"));
        }
      }),
      { seed: 20261124, numRuns: 400 },
    );
  });

  it("holds a message past a gap, reports the gap, and advances the watermark once the gap closes", () => {
    const t = new ConversationTracker("cv_1");
    t.anchor(0, false);
    deliver(t, [1, 2, 4]);
    expect(t.state.value.lastSeq).toBe(2);
    expect(t.hasGap()).toBe(true);
    deliver(t, [3]);
    expect(t.state.value.lastSeq).toBe(4);
    expect(t.hasGap()).toBe(false);
  });

  it("ends with each seq once, in order, whatever the order and repetition of delivery (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 200 }), (deliveries) => {
        const t = new ConversationTracker("cv_1");
        t.anchor(0, false);
        deliver(t, deliveries);
        const unique = [...new Set(deliveries)].sort((a, b) => a - b);
        expect(t.state.value.messages.map((m) => m.seq)).toEqual(unique);
        let contiguous = 0;
        while (unique.includes(contiguous + 1)) contiguous++;
        expect(t.state.value.lastSeq).toBe(contiguous);
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });

  it("drops the pending entry of a message once it is confirmed", () => {
    const t = new ConversationTracker("cv_1");
    t.setPending(() => [
      { convId: "cv_1", msgId: msg(1).msgId, body: { type: "text", text: "1" }, queuedAt: 0, state: "sending" },
    ]);
    deliver(t, [1]);
    expect(t.state.value.pending).toEqual([]);
  });
});
