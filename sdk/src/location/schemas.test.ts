import { describe, expect, it } from "vitest";
import { MAX_ACCURACY_M, MAX_LABEL_CHARS, MAX_LIVE_MS } from "../protocol/live/wire.js";
import { fixAt, idAt, T0, update } from "./fold-fixtures.js";
import { bearingDeg, distanceM } from "./geo.js";
import { locationProblem, parseLiveLocation, parseLocationEvent, parseLocationPin } from "./schemas.js";

describe("location schemas", () => {
  it("take a full pin, a live share, a stop and a live update", () => {
    const pin = { ...fixAt(T0), heading: 360, speed: 0, label: "Kurier 🚲", live: { until: T0 + MAX_LIVE_MS } };
    expect(parseLocationPin(pin)).toEqual(pin);
    expect(parseLocationPin({ lat: -90, lon: 180, accuracy: MAX_ACCURACY_M, at: 0 })).toBeDefined();
    expect(parseLocationEvent({ share: idAt(1), op: "stop" })).toEqual({ share: idAt(1), op: "stop" });
    expect(parseLiveLocation(update(1, 1, T0))).toEqual(update(1, 1, T0));
  });

  it("say in a few words what is wrong", () => {
    expect(locationProblem({ ...fixAt(T0), lat: 90.0001 })).toMatch(/^lat: /);
    expect(locationProblem({ ...fixAt(T0), lon: Number.POSITIVE_INFINITY })).toBe("lon: must be a finite number");
    expect(locationProblem({ ...fixAt(T0), accuracy: MAX_ACCURACY_M + 1 })).toMatch(/^accuracy: /);
    expect(locationProblem({ ...fixAt(T0), at: 1.5 })).toBe("at: must be an integer of ms");
    expect(locationProblem({ ...fixAt(T0), heading: -1 })).toMatch(/^heading: /);
    expect(locationProblem({ ...fixAt(T0), label: "" })).toMatch(/^label: /);
    expect(locationProblem({ ...fixAt(T0), label: "x".repeat(MAX_LABEL_CHARS + 1) })).toMatch(/^label: /);
    expect(locationProblem({ ...fixAt(T0), label: "a\u202eb" })).toBe(
      "label: must not contain control or bidi characters",
    );
    expect(locationProblem({ ...fixAt(T0), live: { until: T0 - 1 } })).toMatch(/^live\.until: a live share ends after/);
    expect(locationProblem({ ...fixAt(T0), extra: 1 })).toBeDefined();
    expect(locationProblem({ share: "short", op: "stop" }, "event")).toMatch(/^share: must be a share id/);
    expect(locationProblem({ share: idAt(1), op: "pause" }, "event")).toMatch(/^op: /);
    expect(locationProblem({ ...update(1, 1, T0), n: 2 ** 53 }, "live")).toBe("n: must be a safe integer");
    expect(locationProblem({ ...update(1, 1, T0), n: 0 }, "live")).toMatch(/^n: /);
    expect(locationProblem({ ...update(1, 1, T0), kind: "listen" }, "live")).toMatch(/^kind: /);
    expect(locationProblem(fixAt(T0))).toBeUndefined();
  });
});

describe("distanceM and bearingDeg", () => {
  const gate = { lat: 52.516275, lon: 13.377704 };
  const eiffel = { lat: 48.85837, lon: 2.294481 };

  it("measure great-circle distances", () => {
    expect(distanceM(gate, gate)).toBe(0);
    // Brandenburg Gate to the Eiffel Tower: about 879 km.
    expect(distanceM(gate, eiffel) / 1000).toBeCloseTo(879.1, 0);
    // One degree of latitude: about 111.2 km; half the globe: about 20,015 km.
    expect(distanceM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, -1);
    expect(distanceM({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }) / 1000).toBeCloseTo(20_015.1, 0);
  });

  it("give the initial direction clockwise from north", () => {
    expect(bearingDeg({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(0, 6);
    expect(bearingDeg({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(90, 6);
    expect(bearingDeg({ lat: 1, lon: 0 }, { lat: 0, lon: 0 })).toBeCloseTo(180, 6);
    expect(bearingDeg({ lat: 0, lon: 1 }, { lat: 0, lon: 0 })).toBeCloseTo(270, 6);
    expect(bearingDeg(gate, eiffel)).toBeGreaterThan(240);
    expect(bearingDeg(gate, eiffel)).toBeLessThan(250);
    expect(bearingDeg(gate, gate)).toBe(0);
  });
});
