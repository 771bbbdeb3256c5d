import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ClockSample, estimateOffset } from "./shared-clock.js";

/**
 * One round trip on a simulated line: the request leaves at local time `sent`, takes `up` ms to the
 * gateway, the gateway reads its clock after `work` ms, the reply takes `down` ms back. The gateway's
 * clock is the local one plus `offset`.
 */
function trip(offset: number, sent: number, up: number, work: number, down: number): ClockSample {
  return { sent, server: sent + up + work + offset, received: sent + up + work + down };
}

const delay = fc.double({ min: 0, max: 5_000, noNaN: true });
const roundTrip = fc.record({ up: delay, work: fc.double({ min: 0, max: 50, noNaN: true }), down: delay });

describe("estimateOffset", () => {
  it("is within half the best round trip of the true offset, whatever the delays in each direction", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.double({ min: 1e12, max: 2e12, noNaN: true }),
        fc.array(roundTrip, { minLength: 1, maxLength: 20 }),
        (offset, start, trips) => {
          const samples = trips.map((t, i) => trip(offset, start + i * 10_000, t.up, t.work, t.down));
          const estimate = estimateOffset(samples);
          const best = Math.min(...samples.map((s) => s.received - s.sent));
          expect(estimate?.rttMs).toBeCloseTo(best, 6);
          // Float rounding of epoch-sized numbers: a microsecond of slack.
          expect(Math.abs((estimate?.offsetMs ?? Number.NaN) - offset)).toBeLessThanOrEqual(best / 2 + 1e-3);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("takes the sample with the shortest round trip, exactly right when its delays are symmetric", () => {
    const samples = [trip(250, 1_000, 40, 0, 5), trip(250, 2_000, 3, 0, 3), trip(250, 3_000, 1, 0, 90)];
    expect(estimateOffset(samples)).toEqual({ offsetMs: 250, rttMs: 6 });
    expect(estimateOffset([trip(-42, 5_000, 10, 0, 10)])).toEqual({ offsetMs: -42, rttMs: 20 });
  });

  it("has nothing to say without samples", () => {
    expect(estimateOffset([])).toBeUndefined();
  });
});
