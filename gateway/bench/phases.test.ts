/** The bench's per-phase wall clock (phases.ts), on a clock the test moves by hand. */
import { describe, expect, it } from "vitest";
import { PhaseClock, renderPhaseSeconds } from "./phases.js";

function clockAt(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("PhaseClock", () => {
  it("gives each phase the time until the next one starts, in the order they started", () => {
    const c = clockAt();
    const phases = new PhaseClock(c.now);
    phases.start("baselines");
    c.advance(20_000);
    phases.start("system_embedded");
    c.advance(35_250);
    phases.start("history");
    c.advance(4_040);
    phases.stop();
    c.advance(9_000);
    expect(phases.seconds()).toEqual({ baselines: 20, system_embedded: 35.3, history: 4 });
    expect(Object.keys(phases.seconds())).toEqual(["baselines", "system_embedded", "history"]);
  });

  it("adds a phase's later stretch to its earlier one, and leaves the phase between them apart", () => {
    const c = clockAt();
    const phases = new PhaseClock(c.now);
    phases.start("system_embedded");
    c.advance(10_000);
    phases.start("server_cost");
    c.advance(8_000);
    phases.start("system_embedded");
    c.advance(6_000);
    phases.stop();
    expect(phases.seconds()).toEqual({ system_embedded: 16, server_cost: 8 });
  });

  it("counts the running phase up to now", () => {
    const c = clockAt();
    const phases = new PhaseClock(c.now);
    phases.start("scaling");
    c.advance(2_500);
    expect(phases.seconds()).toEqual({ scaling: 2.5 });
    c.advance(2_500);
    expect(phases.seconds()).toEqual({ scaling: 5 });
  });
});

describe("renderPhaseSeconds", () => {
  it("names each phase with its seconds and ends with their sum", () => {
    expect(renderPhaseSeconds({ baselines: 21.3, scaling: 40, listen: 12 })).toBe(
      "phase seconds: baselines 21.3, scaling 40.0, listen 12.0 = 73.3 s",
    );
  });
});
