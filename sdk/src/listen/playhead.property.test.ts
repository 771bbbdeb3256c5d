/** Properties of the playhead and of following it, over generated queues, states and drifts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_QUEUE, MAX_TRACK_MS } from "../protocol/live/wire.js";
import type { ListenSession } from "./api.js";
import { track } from "./fixtures.js";
import {
  followPlayhead,
  MAX_RATE_DELTA,
  nextChange,
  playheadAt,
  SEEK_THRESHOLD_MS,
  SYNC_TOLERANCE_MS,
} from "./playhead.js";

const RUNS = { seed: 20_261_206, numRuns: 500 };

/** A playing session over 1..MAX_QUEUE tracks, at any index and position within its track. */
const playing = fc
  .record({
    durations: fc.array(fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: MAX_TRACK_MS })), {
      minLength: 1,
      maxLength: MAX_QUEUE,
    }),
    pick: fc.nat(),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    atMs: fc.integer({ min: 0, max: 2e12 }),
  })
  .map(({ durations, pick, fraction, atMs }): ListenSession => {
    const index = pick % durations.length;
    const positionMs = Math.floor((durations[index] ?? 1) * fraction);
    return {
      id: "msg-0001-xxxxxxxxxxxx",
      seq: 1,
      starter: "c_mia",
      queue: durations.map((d) => track(d)),
      state: { index, playing: true, positionMs, atMs },
      listeners: ["c_mia"],
      changedBy: "c_mia",
    };
  });

/** Where the playhead is, counted from the start of the queue, ms. */
function absolute(session: ListenSession, head: { index: number; positionMs: number }): number {
  return session.queue.slice(0, head.index).reduce((sum, t) => sum + t.durationMs, 0) + head.positionMs;
}

describe("the playhead (properties)", () => {
  it("never moves back as the shared clock moves on, and stays within its track", () => {
    fc.assert(
      fc.property(playing, fc.array(fc.integer({ min: 0, max: 4 * MAX_TRACK_MS }), { minLength: 2 }), (s, offsets) => {
        let before = Number.NEGATIVE_INFINITY;
        let stopped = false;
        for (const offset of [...offsets].sort((a, b) => a - b)) {
          const head = playheadAt(s, s.state.atMs + offset);
          const at = absolute(s, head);
          expect(at).toBeGreaterThanOrEqual(before);
          expect(head.positionMs).toBeGreaterThanOrEqual(0);
          expect(head.positionMs).toBeLessThanOrEqual(s.queue[head.index]?.durationMs ?? -1);
          if (stopped) expect(head.playing).toBe(false);
          stopped ||= !head.playing;
          before = at;
        }
      }),
      RUNS,
    );
  });

  it("rolls over by the tracks' durations: the distance moved is the time passed, until the queue runs out", () => {
    fc.assert(
      fc.property(playing, fc.integer({ min: 0, max: 4 * MAX_TRACK_MS }), (s, elapsed) => {
        const head = playheadAt(s, s.state.atMs + elapsed);
        const start = absolute(s, s.state);
        const total = s.queue.reduce((sum, t) => sum + t.durationMs, 0);
        expect(absolute(s, head)).toBe(Math.min(start + elapsed, total));
        expect(head.playing).toBe(start + elapsed < total);
        if (!head.playing) expect(head).toMatchObject({ index: s.queue.length - 1 });
      }),
      RUNS,
    );
  });

  it("a change sends a state that fits the queue, whatever the change", () => {
    const change = fc.record(
      {
        playing: fc.boolean(),
        index: fc.integer({ min: -3, max: MAX_QUEUE + 3 }),
        positionMs: fc.double({ min: -1e6, max: 2 * MAX_TRACK_MS, noNaN: true }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(playing, fc.integer({ min: 0, max: 4 * MAX_TRACK_MS }), change, (s, elapsed, c) => {
        const state = nextChange(s, s.state.atMs + elapsed, c);
        expect(Number.isInteger(state.positionMs)).toBe(true);
        expect(state.positionMs).toBeGreaterThanOrEqual(0);
        expect(state.positionMs).toBeLessThanOrEqual(s.queue[state.index]?.durationMs ?? -1);
        expect(state.atMs).toBe(s.state.atMs + elapsed);
      }),
      RUNS,
    );
  });
});

describe("following the playhead (properties)", () => {
  const position = fc.integer({ min: 0, max: MAX_TRACK_MS });
  const drift = fc.oneof(
    fc.integer({ min: -SEEK_THRESHOLD_MS * 2, max: SEEK_THRESHOLD_MS * 2 }),
    fc.double({ min: -SEEK_THRESHOLD_MS, max: SEEK_THRESHOLD_MS, noNaN: true }),
  );

  /** The player's position `off` behind `expected`, and the drift as the function computes it (floats round). */
  const at = (expected: number, off: number): [number, number] => {
    const actual = expected - off;
    return [actual, expected - actual];
  };

  it("never seeks below the seek threshold; always seeks from it on", () => {
    fc.assert(
      fc.property(position, drift, (expected, off) => {
        const [actual, d] = at(expected, off);
        const action = followPlayhead(expected, actual);
        expect(action.seekToMs !== undefined).toBe(Math.abs(d) >= SEEK_THRESHOLD_MS);
      }),
      RUNS,
    );
  });

  it("keeps the rate within [0.95, 1.05] and always moves toward the expected position", () => {
    fc.assert(
      fc.property(position, drift, (expected, off) => {
        const [actual, d] = at(expected, off);
        const { rate, seekToMs } = followPlayhead(expected, actual);
        expect(rate).toBeGreaterThanOrEqual(1 - MAX_RATE_DELTA);
        expect(rate).toBeLessThanOrEqual(1 + MAX_RATE_DELTA);
        if (seekToMs !== undefined) expect([seekToMs, rate]).toEqual([expected, 1]);
        else if (Math.abs(d) <= SYNC_TOLERANCE_MS) expect(rate).toBe(1);
        // Behind (d > 0): faster than real time; ahead: slower.
        else expect(Math.sign(rate - 1)).toBe(Math.sign(d));
      }),
      RUNS,
    );
  });

  it("catches up more the further off it is (the rate's distance from 1 never shrinks with the drift)", () => {
    fc.assert(
      fc.property(position, drift, drift, (expected, offA, offB) => {
        const [nearAt, a] = at(expected, offA);
        const [farAt, b] = at(expected, offB);
        fc.pre(Math.abs(a) < SEEK_THRESHOLD_MS && Math.abs(b) < SEEK_THRESHOLD_MS && Math.abs(a) <= Math.abs(b));
        const near = followPlayhead(expected, nearAt).rate;
        const far = followPlayhead(expected, farAt).rate;
        expect(Math.abs(far - 1)).toBeGreaterThanOrEqual(Math.abs(near - 1));
      }),
      RUNS,
    );
  });
});
