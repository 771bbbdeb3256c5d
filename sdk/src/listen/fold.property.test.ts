/**
 * Properties of the listen fold over generated conversations: starts (valid
 * and not), joins, leaves, states that fit their queue or do not, ends, and
 * malformed bodies, from three people, naming earlier messages as sessions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ListenBoard, ListenSession } from "./api.js";
import { ListenBoardFolder } from "./board-folder.js";
import { eventBody, message, sessionId, startBody, track } from "./fixtures.js";
import { foldListen, ListenFolder, type ListenMessage } from "./fold.js";

const SEED = 20_261_206;
const RUNS = { seed: SEED, numRuns: 300 };
const PEOPLE = ["c_mia", "c_noah", "c_lea"];

/**
 * One generated message, before its seq is known. `ref` names the session: mostly one of the last
 * starts (0 the latest, 1 the one before...), sometimes any message by its seq (`seq` form).
 */
type Spec =
  | { kind: "start"; sender: string; durations: number[]; valid: boolean }
  | { kind: "event"; sender: string; ref: Ref; op: "join" | "leave" | "end" }
  | { kind: "state"; sender: string; ref: Ref; index: number; positionMs: number; playing: boolean }
  | { kind: "junk"; sender: string; body: ListenMessage["body"] };

const sender = fc.constantFrom(...PEOPLE);
type Ref = { recent: number } | { seq: number };
const ref: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ recent: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ seq: fc.integer({ min: 1, max: 40 }) }) },
);
const spec: fc.Arbitrary<Spec> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("start" as const),
      sender,
      durations: fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 3 }),
      valid: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("event" as const),
      sender,
      ref,
      op: fc.constantFrom("join", "leave", "end"),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("state" as const),
      sender,
      ref,
      index: fc.integer({ min: 0, max: 3 }),
      positionMs: fc.integer({ min: 0, max: 4_000 }),
      playing: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("junk" as const),
      sender,
      body: fc.constantFrom<ListenMessage["body"]>(
        undefined,
        { type: "text" },
        { type: "listen" },
        { type: "listen-event", event: { op: "join" } } as ListenMessage["body"],
        { type: "listen-event", event: { session: sessionId(1), op: "join", extra: true } } as ListenMessage["body"],
      ),
    }),
  },
);

/** The messages of `specs`, numbered from seq 1. */
function toMessages(specs: readonly Spec[]): ListenMessage[] {
  const starts: number[] = [];
  const session = (r: Ref) => sessionId("seq" in r ? r.seq : (starts.at(-1 - r.recent) ?? 1));
  return specs.map((s, i) => {
    const seq = i + 1;
    switch (s.kind) {
      case "start": {
        starts.push(seq);
        const queue = s.durations.map((d) => track(d));
        const body = startBody(queue) as unknown as { listen: { state: { index: number } } };
        if (!s.valid) body.listen.state.index = queue.length; // outside the queue
        return message(seq, s.sender, body as unknown as ListenMessage["body"]);
      }
      case "event":
        return message(seq, s.sender, eventBody(session(s.ref), s.op));
      case "state": {
        const state = { index: s.index, playing: s.playing, positionMs: s.positionMs, atMs: 10 * seq };
        return message(seq, s.sender, eventBody(session(s.ref), "state", { state }));
      }
      default:
        return message(seq, s.sender, s.body);
    }
  });
}

const conversation = fc.array(spec, { minLength: 1, maxLength: 40 }).map(toMessages);

/** The session a message names (its own id for a start). */
function named(m: ListenMessage): string | undefined {
  const body = m.body as { type?: string; event?: { session?: unknown } } | undefined;
  if (body?.type === "listen") return m.msgId;
  const session = body?.event?.session;
  return typeof session === "string" ? session : undefined;
}

describe("the listen fold (properties)", () => {
  it("gives the same board for any chunking, any arrival order and duplicates", () => {
    fc.assert(
      fc.property(
        conversation,
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (messages, cuts, random) => {
          const whole = foldListen(messages);
          // Chunked the way a live conversation grows: prefixes, some of them repeated.
          const folder = new ListenBoardFolder();
          for (const cut of [...cuts].sort((a, b) => a - b)) folder.update(messages.slice(0, cut));
          folder.update(messages);
          expect(folder.board).toEqual(whole);
          // Message by message.
          const one = new ListenFolder();
          for (const m of messages) one.apply(m);
          expect(one.board).toEqual(whole);
          // Shuffled, with duplicates.
          const shuffled = [...messages, ...messages.filter(() => random.next().value < 0.3)];
          shuffled.sort(() => (random.next().value < 0.5 ? -1 : 1));
          expect(foldListen(shuffled)).toEqual(whole);
        },
      ),
      RUNS,
    );
  });

  it("applies only what its sender may do: step by step, every change follows the rules", () => {
    fc.assert(
      fc.property(conversation, (messages) => {
        const folder = new ListenFolder();
        for (const m of messages) {
          const before: ListenBoard = folder.board;
          const changed = folder.apply(m);
          const after = folder.board;
          const id = named(m);
          // At most one message changes one session; every other stays the very same object.
          for (const [key, session] of before.sessions) {
            if (key !== id) expect(after.sessions.get(key)).toBe(session);
          }
          const was: ListenSession | undefined = id === undefined ? undefined : before.sessions.get(id);
          const now = id === undefined ? undefined : after.sessions.get(id);
          if (!changed) {
            expect(after).toBe(before);
            continue;
          }
          if (!was) {
            // A start: nothing was active, and the sender is the starter and only listener.
            expect(before.active).toBeUndefined();
            expect(now).toMatchObject({ starter: m.sender, listeners: [m.sender], seq: m.seq });
          } else if (now) {
            expect(was.endedAt).toBeUndefined();
            const op = (m.body as unknown as { event: { op: string } }).event.op;
            if (op === "join") expect(now.listeners).toEqual([...was.listeners, m.sender]);
            if (op === "leave") expect(now.listeners).toEqual(was.listeners.filter((l) => l !== m.sender));
            if (op === "leave") expect(was.listeners).toContain(m.sender);
            if (op === "state") expect(was.listeners).toContain(m.sender);
            if (op === "state") expect(now.changedBy).toBe(m.sender);
            if (op === "end") expect([m.sender, now.endedAt]).toEqual([was.starter, m.seq]);
            if (now.endedAt !== undefined && op !== "end") expect([op, now.listeners]).toEqual(["leave", []]);
            expect(now.queue).toBe(was.queue);
            expect(now.starter).toBe(was.starter);
          }
          // The invariants of every board.
          const running = [...after.sessions.values()].filter((s) => s.endedAt === undefined);
          expect(running.length).toBeLessThanOrEqual(1);
          expect(after.active).toBe(running[0]);
          for (const s of after.sessions.values()) {
            expect(new Set(s.listeners).size).toBe(s.listeners.length);
            expect(s.queue[s.state.index]?.durationMs).toBeGreaterThanOrEqual(s.state.positionMs);
            if (s.endedAt === undefined) expect(s.listeners.length).toBeGreaterThan(0);
          }
        }
      }),
      RUNS,
    );
  });

  it("the session ends exactly when the last listener leaves, whoever joined and in whatever order they leave", () => {
    fc.assert(
      fc.property(
        fc.subarray(PEOPLE.slice(1)),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (joiners, random) => {
          const messages: ListenMessage[] = [message(1, "c_mia", startBody([track()]))];
          const add = (who: string, op: string) =>
            messages.push(message(messages.length + 1, who, eventBody(sessionId(1), op)));
          for (const who of joiners) add(who, "join");
          const leaving = ["c_mia", ...joiners].sort(() => (random.next().value < 0.5 ? -1 : 1));
          leaving.forEach((who, i) => {
            add(who, "leave");
            const board = foldListen(messages);
            const last = i === leaving.length - 1;
            expect(board.active?.id).toBe(last ? undefined : sessionId(1));
            expect(board.sessions.get(sessionId(1))?.endedAt).toBe(last ? messages.length : undefined);
          });
          // Joining after the end changes nothing.
          const ended = foldListen(messages);
          add("c_noah", "join");
          expect(foldListen(messages)).toEqual(ended);
        },
      ),
      RUNS,
    );
  });
});
