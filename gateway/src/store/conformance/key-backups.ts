/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import { range, type StoreFixture } from "./fixtures.js";

/** Key backups. */
export function describeKeyBackups(open: () => Promise<StoreFixture>): void {
  describe("key backups", () => {
    const ct = (n: number) => `${String(n).padStart(4, "0")}${"A".repeat(92)}`;
    const entry = (convId: string, epoch: number, n = epoch, v = 1) => ({ convId, epoch, v, ct: ct(n) });

    it("stores entries per principal and conversation, lists them by epoch after a bound, and pages", async () => {
      await using fx = await open();
      const { store } = fx;
      expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([]);
      await store.putKeyBackups("p-a", [entry("c-1", 3), entry("c-1", 1), entry("c-2", 1, 21)]);
      await store.putKeyBackups("p-b", [entry("c-1", 1, 99)]);
      await store.putKeyBackups("p-a", [entry("c-1", 2)]);
      expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([
        entry("c-1", 1),
        entry("c-1", 2),
        entry("c-1", 3),
      ]);
      expect(await store.listKeyBackups("p-a", "c-1", 1, 1)).toEqual([entry("c-1", 2)]);
      expect(await store.listKeyBackups("p-a", "c-1", 3, 10)).toEqual([]);
      expect(await store.listKeyBackups("p-a", "c-2", 0, 10)).toEqual([entry("c-2", 1, 21)]);
      expect(await store.listKeyBackups("p-b", "c-1", 0, 10)).toEqual([entry("c-1", 1, 99)]);
      expect(await store.listKeyBackups("p-c", "c-1", 0, 10)).toEqual([]);
    });

    it("replaces an entry of the same or a lower secret version, never one of a higher", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.putKeyBackups("p-a", [entry("c-1", 1, 1, 1)]);
      await store.putKeyBackups("p-a", [entry("c-1", 1, 5, 1)]);
      expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([entry("c-1", 1, 5, 1)]);
      await store.putKeyBackups("p-a", [entry("c-1", 1, 6, 2)]);
      expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([entry("c-1", 1, 6, 2)]);
      // An older device still on version 1 cannot overwrite what version 2 sealed; the rest of its put is kept.
      await store.putKeyBackups("p-a", [entry("c-1", 1, 7, 1), entry("c-1", 2, 8, 1)]);
      expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([entry("c-1", 1, 6, 2), entry("c-1", 2, 8, 1)]);
    });

    it("keeps key backups across a close and reopen", async (ctx) => {
      await using fx = await open();
      if (!fx.reopen) return ctx.skip();
      const entries = range(1, 120).map((epoch) => entry("c-durable", epoch));
      await fx.store.putKeyBackups("p-a", entries.slice(0, 100));
      await fx.store.putKeyBackups("p-a", entries.slice(100));
      await fx.store.close();
      const reopened = await fx.reopen();
      try {
        expect(await reopened.listKeyBackups("p-a", "c-durable", 0, 500)).toEqual(entries);
      } finally {
        await reopened.close();
      }
    });
  });
}
