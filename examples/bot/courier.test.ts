/** The courier's route: where it is along the way, by distance. */
import { distanceM } from "@parley/sdk/location";
import { describe, expect, it } from "vitest";
import { along, DEMO_ROUTE } from "./courier.js";

describe("along", () => {
  it("starts at the first waypoint and ends at the last", () => {
    expect(along(DEMO_ROUTE, 0)).toMatchObject(DEMO_ROUTE[0] as object);
    const end = along(DEMO_ROUTE, 1);
    expect(end.lat).toBeCloseTo(DEMO_ROUTE.at(-1)?.lat as number, 9);
    expect(end.lon).toBeCloseTo(DEMO_ROUTE.at(-1)?.lon as number, 9);
    // Out of range is clamped.
    expect(along(DEMO_ROUTE, 2)).toEqual(end);
  });

  it("moves forward by even distances, heading roughly north-west", () => {
    const points = Array.from({ length: 11 }, (_, i) => along(DEMO_ROUTE, i / 10));
    const legs = points.slice(1).map((p, i) => distanceM(points[i] as typeof p, p));
    const total = legs.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(1500);
    expect(total).toBeLessThan(2500);
    for (const leg of legs) expect(Math.abs(leg - total / 10)).toBeLessThan(total / 100);
    for (const p of points) {
      expect(p.heading).toBeGreaterThan(280);
      expect(p.heading).toBeLessThan(360);
    }
  });
});
