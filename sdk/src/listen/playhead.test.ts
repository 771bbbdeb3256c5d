import { describe, expect, it } from "vitest";
import type { ListenSession } from "./api.js";
import { track } from "./fixtures.js";
import { followPlayhead, nextChange, playheadAt, START_LEAD_MS } from "./playhead.js";

/** A session of tracks of 10 s, 20 s and 30 s whose state is `state`. */
function session(state: Partial<ListenSession["state"]> = {}, extra: Partial<ListenSession> = {}): ListenSession {
  return {
    id: "msg-0001-xxxxxxxxxxxx",
    seq: 1,
    starter: "c_mia",
    queue: [track(10_000), track(20_000), track(30_000)],
    state: { index: 0, playing: true, positionMs: 0, atMs: 1_000, ...state },
    listeners: ["c_mia"],
    changedBy: "c_mia",
    ...extra,
  };
}

describe("playheadAt", () => {
  it("moves with the shared clock while playing and rolls over into the next tracks", () => {
    const s = session();
    expect(playheadAt(s, 1_000)).toEqual({ index: 0, positionMs: 0, playing: true });
    expect(playheadAt(s, 10_999)).toEqual({ index: 0, positionMs: 9_999, playing: true });
    expect(playheadAt(s, 11_000)).toEqual({ index: 1, positionMs: 0, playing: true });
    expect(playheadAt(s, 36_000)).toEqual({ index: 2, positionMs: 5_000, playing: true });
  });

  it("stops at the end of the last track", () => {
    const s = session();
    expect(playheadAt(s, 61_000)).toEqual({ index: 2, positionMs: 30_000, playing: false });
    expect(playheadAt(s, 1e12)).toEqual({ index: 2, positionMs: 30_000, playing: false });
  });

  it("holds a paused state, an ended session, and a start that waits for its lead", () => {
    expect(playheadAt(session({ playing: false, index: 1, positionMs: 4_000 }), 99_000)).toEqual({
      index: 1,
      positionMs: 4_000,
      playing: false,
    });
    expect(playheadAt(session({}, { endedAt: 5 }), 5_000)).toEqual({ index: 0, positionMs: 0, playing: false });
    expect(playheadAt(session({ positionMs: 2_000 }), 999)).toEqual({ index: 0, positionMs: 2_000, playing: false });
  });
});

describe("followPlayhead", () => {
  it("keeps rate 1 within ±40 ms", () => {
    expect(followPlayhead(5_000, 5_040)).toEqual({ rate: 1 });
    expect(followPlayhead(5_000, 4_960)).toEqual({ rate: 1 });
  });

  it("speeds up when behind and slows down when ahead, at most 5 %", () => {
    expect(followPlayhead(5_000, 4_900)).toEqual({ rate: 1.05 });
    expect(followPlayhead(5_000, 4_950).rate).toBeCloseTo(1.025, 10);
    expect(followPlayhead(5_000, 5_060).rate).toBeCloseTo(0.97, 10);
    expect(followPlayhead(5_000, 5_999)).toEqual({ rate: 0.95 });
  });

  it("seeks from 1 s off, or when the player is at another track", () => {
    expect(followPlayhead(5_000, 4_000)).toEqual({ seekToMs: 5_000, rate: 1 });
    expect(followPlayhead(5_000, 9_000)).toEqual({ seekToMs: 5_000, rate: 1 });
    expect(followPlayhead(5_000, 5_000, { otherTrack: true })).toEqual({ seekToMs: 5_000, rate: 1 });
  });

  it("takes its thresholds as options and refuses bad ones", () => {
    expect(followPlayhead(5_000, 4_700, { seekThresholdMs: 200 })).toEqual({ seekToMs: 5_000, rate: 1 });
    expect(followPlayhead(5_000, 4_990, { toleranceMs: 5, rateWindowMs: 1_000 }).rate).toBeCloseTo(1.01, 10);
    expect(() => followPlayhead(0, 0, { maxRateDelta: 2 })).toThrow(/maxRateDelta/);
    expect(() => followPlayhead(0, 0, { toleranceMs: Number.NaN })).toThrow(/toleranceMs/);
    expect(() => followPlayhead(0, 0, { rateWindowMs: 0 })).toThrow(/rateWindowMs/);
  });
});

describe("nextChange", () => {
  it("pauses where the playhead is now", () => {
    expect(nextChange(session(), 13_500, { playing: false })).toEqual({
      index: 1,
      playing: false,
      positionMs: 2_500,
      atMs: 13_500,
    });
  });

  it("plays from where it was paused", () => {
    const paused = session({ playing: false, index: 1, positionMs: 2_500, atMs: 13_500 });
    expect(nextChange(paused, 90_000, { playing: true })).toEqual({
      index: 1,
      playing: true,
      positionMs: 2_500,
      atMs: 90_000,
    });
  });

  it("seeks within the current track, clamped to it", () => {
    expect(nextChange(session(), 2_000, { positionMs: 7_250.6 })).toMatchObject({ index: 0, positionMs: 7_251 });
    expect(nextChange(session(), 2_000, { positionMs: 99_000 })).toMatchObject({ index: 0, positionMs: 10_000 });
    expect(nextChange(session(), 2_000, { positionMs: -5 })).toMatchObject({ index: 0, positionMs: 0 });
  });

  it("next and previous start the track from 0 unless a position is given; the index is clamped", () => {
    expect(nextChange(session(), 5_000, { index: 1 })).toEqual({ index: 1, playing: true, positionMs: 0, atMs: 5_000 });
    expect(nextChange(session(), 5_000, { index: 2, positionMs: 3_000 })).toMatchObject({
      index: 2,
      positionMs: 3_000,
    });
    expect(nextChange(session(), 5_000, { index: 7 })).toMatchObject({ index: 2, positionMs: 0 });
    expect(nextChange(session(), 5_000, { index: -1 })).toMatchObject({ index: 0, positionMs: 0 });
  });

  it("keeps the session's playing while it waits for its lead or after its queue ran out", () => {
    const waiting = session({ atMs: 1_000 + START_LEAD_MS });
    expect(nextChange(waiting, 1_000, { index: 1 })).toMatchObject({ playing: true });
    expect(nextChange(session(), 99_000, {})).toEqual({ index: 2, playing: true, positionMs: 30_000, atMs: 99_000 });
  });
});
