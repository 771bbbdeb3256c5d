/** The bench's per-phase wall clock (phases.ts), on a clock the test moves by hand. */
import { describe, expect, it } from "vitest";
import { PhaseClock, type PhaseSeconds, renderPhaseSeconds } from "./phases.js";

/** A bench's run: a name starts that phase, a number moves the clock by that many ms, `"stop"` stops. */
type Step = string | number;

/**
 * The phases' seconds after `steps`, on a clock that starts at 1 s and moves only by the steps. It reads
 * the seconds after every move too, so each row also shows that reading ends no phase.
 */
function secondsAfter(steps: readonly Step[]): PhaseSeconds {
  let t = 1_000;
  const phases = new PhaseClock(() => t);
  for (const step of steps) {
    if (typeof step === "number") {
      t += step;
      phases.seconds();
    } else if (step === "stop") phases.stop();
    else phases.start(step);
  }
  return phases.seconds();
}

describe("PhaseClock", () => {
  it.each<[string, Step[], PhaseSeconds]>([
    [
      "gives each phase the time until the next one starts, in the order they started; nothing after stop",
      ["baselines", 20_000, "system_embedded", 35_250, "history", 4_040, "stop", 9_000],
      { baselines: 20, system_embedded: 35.3, history: 4 },
    ],
    [
      "adds a phase's later stretch to its earlier one, and leaves the phase between them apart",
      ["system_embedded", 10_000, "server_cost", 8_000, "system_embedded", 6_000, "stop"],
      { system_embedded: 16, server_cost: 8 },
    ],
    ["counts the running phase up to now", ["scaling", 2_500], { scaling: 2.5 }],
    ["keeps counting the running phase as the clock moves on", ["scaling", 2_500, 2_500], { scaling: 5 }],
  ])("%s", (_, steps, expected) => {
    const seconds = secondsAfter(steps);
    expect(seconds).toEqual(expected);
    expect(Object.keys(seconds)).toEqual(Object.keys(expected));
  });
});

describe("renderPhaseSeconds", () => {
  it("names each phase with its seconds and ends with their sum", () => {
    expect(renderPhaseSeconds({ baselines: 21.3, scaling: 40, listen: 12 })).toBe(
      "phase seconds: baselines 21.3, scaling 40.0, listen 12.0 = 73.3 s",
    );
  });
});
