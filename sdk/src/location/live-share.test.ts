/**
 * The live-share throttle and heartbeat, on vitest's fake timers (pure timing
 * logic: the real send is the live channel, tested in gateway/test/location.test.ts).
 * The send passed in records what would go out.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ParleyError } from "../errors.js";
import type { GeoFix, LiveLocation } from "../protocol/live/wire.js";
import { LIVE_HEARTBEAT_MS, LIVE_UPDATE_MIN_MS } from "../protocol/live/wire.js";
import { fixAt, idAt } from "./fold-fixtures.js";
import { LiveShareHandle, type LiveShareOptions } from "./live-share.js";

const START = 1_800_000_000_000;
const MINUTE = 60_000;

/** A handle whose sends and reports are recorded; `fail` makes the next sends reject. */
function setup(options: Partial<LiveShareOptions> = {}) {
  const sent: LiveLocation[] = [];
  const reported: unknown[] = [];
  const stops: number[] = [];
  let fail: Error | undefined;
  const handle = new LiveShareHandle({
    convId: "cv_1",
    share: idAt(1),
    until: START + 15 * MINUTE,
    now: Date.now,
    send: async (update) => {
      sent.push(update);
      if (fail) throw fail;
    },
    stop: async () => {
      stops.push(Date.now());
    },
    report: (error) => reported.push(error),
    first: fixAt(START),
    ...options,
  });
  return {
    handle,
    sent,
    reported,
    stops,
    failWith: (error: Error | undefined) => {
      fail = error;
    },
  };
}

/** The fix `metres` north of the start, taken now, with an accuracy of 8 m. */
function moved(metres: number): Omit<GeoFix, "at"> {
  const { at: _at, ...fix } = fixAt(Date.now(), metres);
  return fix;
}

describe("LiveShareHandle", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a move at once when LIVE_UPDATE_MIN_MS passed since the last send, with n counting up", async () => {
    const { handle, sent } = setup();
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    handle.update(moved(50));
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    handle.update(moved(100));
    expect(sent.map((u) => [u.n, u.share, u.at])).toEqual([
      [1, idAt(1), START + LIVE_UPDATE_MIN_MS],
      [2, idAt(1), START + 2 * LIVE_UPDATE_MIN_MS],
    ]);
    expect(sent[1]).toMatchObject({ kind: "location", ...moved(100) });
  });

  it("holds moves within LIVE_UPDATE_MIN_MS and sends only the newest when the time is up", async () => {
    const { handle, sent } = setup();
    await vi.advanceTimersByTimeAsync(1_000);
    handle.update(moved(30));
    await vi.advanceTimersByTimeAsync(1_000);
    handle.update(moved(60));
    handle.update(moved(90));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS - 2_001);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((u) => [u.n, u.lat])).toEqual([[1, moved(90).lat]]);
    expect(sent[0]?.at).toBe(START + 2_000);
  });

  it("does not send a fix that moved no more than its accuracy or 10 m", async () => {
    const { handle, sent } = setup();
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    handle.update(moved(9));
    handle.update({ ...moved(40), accuracy: 50 });
    expect(sent).toEqual([]);
    handle.update({ ...moved(40), accuracy: 5 });
    expect(sent.map((u) => u.n)).toEqual([1]);
  });

  it("re-sends the newest fix every LIVE_HEARTBEAT_MS while nothing moves", async () => {
    const { handle, sent } = setup();
    await vi.advanceTimersByTimeAsync(LIVE_HEARTBEAT_MS - 1);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((u) => [u.n, u.at])).toEqual([[1, START]]);
    await vi.advanceTimersByTimeAsync(10_000);
    handle.update(moved(5));
    await vi.advanceTimersByTimeAsync(LIVE_HEARTBEAT_MS);
    expect(sent.map((u) => [u.n, u.at])).toEqual([
      [1, START],
      [2, START + LIVE_HEARTBEAT_MS + 10_000],
    ]);
    expect(sent[1]?.lat).toBe(moved(5).lat);
  });

  it("starts the heartbeat over after every send", async () => {
    const { handle, sent } = setup();
    await vi.advanceTimersByTimeAsync(20_000);
    handle.update(moved(50));
    await vi.advanceTimersByTimeAsync(LIVE_HEARTBEAT_MS - 1);
    expect(sent.map((u) => u.n)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((u) => u.n)).toEqual([1, 2]);
  });

  it("ends when `until` passes: no more sends, no timers left", async () => {
    const { handle, sent } = setup({ until: START + MINUTE });
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(handle.ended).toBe(false);
    const before = sent.length;
    await vi.advanceTimersByTimeAsync(1);
    expect(handle.ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    handle.update(moved(500));
    await vi.advanceTimersByTimeAsync(10 * LIVE_HEARTBEAT_MS);
    expect(sent.length).toBe(before);
  });

  it("stop() ends it, sends the stop once, and a second stop is refused", async () => {
    const ended: number[] = [];
    const { handle, sent, stops } = setup({ onEnd: () => ended.push(Date.now()) });
    await vi.advanceTimersByTimeAsync(1_000);
    handle.update(moved(50));
    await handle.stop();
    expect(stops).toEqual([START + 1_000]);
    expect(ended).toEqual([START + 1_000]);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(LIVE_HEARTBEAT_MS);
    expect(sent).toEqual([]);
    await expect(handle.stop()).rejects.toMatchObject({ code: "live_rejected" });
  });

  it("reports a refused send (rate_limited, offline) instead of throwing, and sends the next move again", async () => {
    const { handle, sent, reported, failWith } = setup();
    failWith(new ParleyError("rate_limited", "slow down"));
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    expect(() => handle.update(moved(50))).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    expect(reported).toMatchObject([{ code: "rate_limited" }]);
    failWith(undefined);
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    // Not moved since the failed one, but that one did not arrive: it goes again.
    handle.update(moved(52));
    expect(sent.map((u) => u.n)).toEqual([1, 2]);
  });

  it("reports an invalid fix as live_invalid and sends nothing", async () => {
    const { handle, sent, reported } = setup();
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    handle.update({ ...moved(50), lat: 123 });
    expect(reported).toMatchObject([{ code: "live_invalid" }]);
    expect(sent).toEqual([]);
  });

  it("resumed without a fix, numbers above lastN and sends no heartbeat until a fix comes", async () => {
    const { handle, sent } = setup({ first: undefined, lastN: 41 });
    await vi.advanceTimersByTimeAsync(2 * LIVE_HEARTBEAT_MS);
    expect(sent).toEqual([]);
    handle.update(moved(0));
    expect(sent.map((u) => u.n)).toEqual([42]);
    expect(handle.n).toBe(42);
  });

  it("ends at once when made after `until`", () => {
    const { handle } = setup({ until: START - 1 });
    expect(handle.ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
