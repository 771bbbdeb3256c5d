/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { StoreFixture } from "./fixtures.js";
import { uid } from "./fixtures.js";

/** Per-shop storage counters: added to and subtracted from, per shop, never below 0, shared by processes. */
export function describeUsage(open: () => Promise<StoreFixture>): void {
  describe("shop usage", () => {
    it("counts bytes per shop, subtracts, and never goes below 0", async () => {
      await using fx = await open();
      const { store } = fx;
      const [a, b] = [uid("shop"), uid("shop")];
      expect(await store.shopBytes(a)).toBe(0);
      expect(await store.addShopBytes(a, 1000)).toBe(1000);
      expect(await store.addShopBytes(a, 24)).toBe(1024);
      expect(await store.addShopBytes(b, 7)).toBe(7);
      expect(await store.addShopBytes(a, -1000)).toBe(24);
      expect(await store.shopBytes(a)).toBe(24);
      expect(await store.addShopBytes(a, -100)).toBe(0);
      expect(await store.shopBytes(a)).toBe(0);
      expect(await store.shopBytes(b)).toBe(7);
    });

    it("loses no add when many run at once, in one process and across two", async () => {
      await using fx = await open();
      const { store } = fx;
      const shop = uid("shop");
      const other = fx.reopen ? await fx.reopen() : store;
      try {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).addShopBytes(shop, i + 1)),
        );
        expect(await store.shopBytes(shop)).toBe(210);
        expect(await other.shopBytes(shop)).toBe(210);
      } finally {
        if (other !== store) await other.close();
      }
    });
  });
}
