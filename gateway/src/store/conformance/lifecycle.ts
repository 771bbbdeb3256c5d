/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { StoreFixture } from "./fixtures.js";

/** Lifecycle: init twice and ping. */
export function describeLifecycle(open: () => Promise<StoreFixture>): void {
  describe("lifecycle", () => {
    it("runs init a second time without error and answers ping", async () => {
      await using fx = await open();
      await fx.store.init();
      await expect(fx.store.ping()).resolves.toBeUndefined();
    });

    it("takes a probe write and deletes it again, any number of times", async () => {
      await using fx = await open();
      await expect(fx.store.probeWrite()).resolves.toBeUndefined();
      await expect(Promise.all([fx.store.probeWrite(), fx.store.probeWrite()])).resolves.toEqual([
        undefined,
        undefined,
      ]);
    });
  });
}
