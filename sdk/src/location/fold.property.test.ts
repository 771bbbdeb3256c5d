/**
 * Properties of the location fold over generated conversations: two live
 * shares (Alice's and Bob's), stops from the sharer and from others, and live
 * updates from both, delivered in any order, repeated, and interleaved with
 * the messages at any point.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReceivedLive } from "../client/live-channel.js";
import type { LiveLocation } from "../protocol/live/wire.js";
import { isLive, type LocationBoard } from "./api.js";
import { KEEP_PER_SHARE, LocationBoardFolder } from "./board-folder.js";
import { fixOf, foldLocations, type LocationMessage, liveRefusal } from "./fold.js";
import { ALICE, BOB, idAt, pinMsg, signal, stopMsg, textMsg, tsAt, update } from "./fold-fixtures.js";

const RUNS = { seed: 20_261_207, numRuns: 300 };
const HOUR = 3_600_000;
/** Alice shares at seq 1, Bob at seq 2; both live for an hour from their message. */
const UNTIL = { 1: tsAt(1) + HOUR, 2: tsAt(2) + HOUR } as const;
const SHARER = { 1: ALICE, 2: BOB } as const;

/** What the conversation holds after the two shares: stops (by anyone, for either share) and texts, at seqs 3.. */
const laterMessages = fc.array(
  fc.oneof(
    fc.record({ stop: fc.constantFrom(1, 2), by: fc.constantFrom(ALICE, BOB) }),
    fc.record({ text: fc.constantFrom(ALICE, BOB) }),
  ),
  { maxLength: 8 },
);

/** Spreads the later messages over the hour, some of them past the shares' end. */
function conversation(
  later: readonly ({ stop: 1 | 2; by: string } | { text: string })[],
  gap: number,
): LocationMessage[] {
  const messages = [pinMsg(1, ALICE, { until: UNTIL[1] }), pinMsg(2, BOB, { until: UNTIL[2] })];
  later.forEach((m, i) => {
    const seq = 3 + i;
    const base = "stop" in m ? stopMsg(seq, m.by, m.stop) : textMsg(seq, m.text);
    messages.push({ ...base, ts: tsAt(1) + (i + 1) * gap });
  });
  return messages;
}

/** One live update of either share from either sender, received at some instant of the share's life or after. */
interface Sent {
  signal: ReceivedLive;
  sharedNow: number;
}
const updates = fc
  .uniqueArray(
    fc.record({
      share: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>,
      sender: fc.constantFrom(ALICE, BOB),
      n: fc.integer({ min: 1, max: KEEP_PER_SHARE }),
      received: fc.integer({ min: 0, max: HOUR + 120_000 }),
      late: fc.integer({ min: -60_000, max: 30_000 }),
    }),
    { selector: (u) => `${u.share} ${u.sender} ${u.n}`, maxLength: 24 },
  )
  .map((list) =>
    list.map(({ share, sender, n, received, late }): Sent => {
      const sharedNow = tsAt(share) + received;
      return { signal: signal(sender, update(share, n, Math.max(0, sharedNow + late), n * 37)), sharedNow };
    }),
  );

/** The board the rules describe: the messages' fold, each share at its allowed update with the highest n. */
function expected(messages: readonly LocationMessage[], sent: readonly Sent[]): LocationBoard {
  const base = foldLocations(messages);
  const pins = new Map(base.pins);
  for (const [id, pin] of base.pins) {
    const allowed = sent.filter(
      (s) => (s.signal.live as LiveLocation).share === id && liveRefusal(base, s.signal, s.sharedNow) === undefined,
    );
    const best = allowed.sort((a, b) => (b.signal.live as LiveLocation).n - (a.signal.live as LiveLocation).n)[0];
    if (best && pin.live)
      pins.set(id, {
        ...pin,
        fix: fixOf(best.signal.live as LiveLocation),
        live: { ...pin.live, n: (best.signal.live as LiveLocation).n },
      });
  }
  return { ...base, pins };
}

/** Feeds a folder the messages in growing prefixes cut at `cuts`, with the updates (in `order`, repeated) in between. */
function feed(
  messages: readonly LocationMessage[],
  deliveries: readonly Sent[],
  cuts: readonly number[],
): LocationBoard {
  const folder = new LocationBoardFolder();
  const ends = [...new Set([...cuts.map((c) => c % (messages.length + 1)), messages.length])].sort((a, b) => a - b);
  const perStep = Math.ceil(deliveries.length / ends.length);
  ends.forEach((end, i) => {
    for (const d of deliveries.slice(i * perStep, (i + 1) * perStep)) folder.live(d.signal, d.sharedNow);
    folder.update(messages.slice(0, end));
  });
  return folder.board;
}

/** The updates in a shuffled order, some delivered more than once. */
function deliveriesOf(sent: Sent[]) {
  return fc
    .tuple(fc.shuffledSubarray(sent, { minLength: sent.length, maxLength: sent.length }), fc.subarray(sent))
    .chain(([all, again]) => fc.shuffledSubarray([...all, ...again], { minLength: all.length + again.length }));
}

describe("the location fold (properties)", () => {
  it("ends every share at its allowed update with the highest n, whatever the order, repeats and interleaving", () => {
    fc.assert(
      fc.property(
        laterMessages,
        fc.integer({ min: 1_000, max: 15 * 60_000 }),
        updates.chain((sent) => fc.tuple(fc.constant(sent), deliveriesOf(sent), fc.array(fc.nat(), { maxLength: 4 }))),
        (later, gap, [sent, deliveries, cuts]) => {
          const messages = conversation(later, gap);
          expect(feed(messages, deliveries, cuts)).toEqual(expected(messages, sent));
        },
      ),
      RUNS,
    );
  });

  it("gives two folders the same board however the messages and updates are chunked", () => {
    fc.assert(
      fc.property(
        laterMessages,
        fc.integer({ min: 1_000, max: 15 * 60_000 }),
        updates.chain((sent) =>
          fc.tuple(
            deliveriesOf(sent),
            deliveriesOf(sent),
            fc.array(fc.nat(), { maxLength: 4 }),
            fc.array(fc.nat(), { maxLength: 4 }),
          ),
        ),
        (later, gap, [one, two, cutsOne, cutsTwo]) => {
          const messages = conversation(later, gap);
          expect(feed(messages, one, cutsOne)).toEqual(feed(messages, two, cutsTwo));
        },
      ),
      RUNS,
    );
  });

  it("ignores stops by anyone but the sharer, and stops once over", () => {
    fc.assert(
      fc.property(laterMessages, fc.integer({ min: 1_000, max: 15 * 60_000 }), (later, gap) => {
        const messages = conversation(later, gap);
        const board = foldLocations(messages);
        for (const share of [1, 2] as const) {
          const pin = board.pins.get(idAt(share));
          const valid = messages.find((m) => {
            const event = (m.body as { event?: { share?: string } }).event;
            return event?.share === idAt(share) && m.sender === SHARER[share] && m.ts < UNTIL[share];
          });
          expect(pin?.live?.stoppedAt).toBe(valid?.ts);
        }
        for (const [id, ignored] of board.ignored ?? []) {
          const m = messages.find((x) => x.msgId === id) as LocationMessage;
          const share = Number((m.body as unknown as { event: { share: string } }).event.share.slice(1)) as 1 | 2;
          expect(ignored.reason).toBe(m.sender === SHARER[share] ? "not_live" : "not_sharer");
        }
      }),
      RUNS,
    );
  });

  it("takes no update received once a share's `until` passed, and shows the share over then", () => {
    fc.assert(
      fc.property(updates, fc.integer({ min: 0, max: 2 * HOUR }), (sent, after) => {
        const messages = conversation([], 1_000);
        const late = sent.map((s) => ({
          ...s,
          sharedNow: UNTIL[(s.signal.live as LiveLocation).share === idAt(1) ? 1 : 2] + after,
        }));
        const board = feed(messages, late, [2]);
        for (const pin of board.pins.values()) {
          expect(pin.live?.n).toBe(0);
          expect(pin.fix).toEqual(pin.first);
          expect(isLive(pin, (pin.live?.until ?? 0) + after)).toBe(false);
        }
      }),
      RUNS,
    );
  });
});
