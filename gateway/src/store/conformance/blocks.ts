/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { StoreFixture } from "./fixtures.js";
import { T0, uid } from "./fixtures.js";

/** Blocks: one per (blocker, blocked), listed newest first, lifted once. */
export function describeBlocks(open: () => Promise<StoreFixture>): void {
  describe("blocks", () => {
    it("blocks, answers isBlocked one way only, and lists the blocker's blocks newest first", async () => {
      await using fx = await open();
      const { store } = fx;
      const [me, a, b, c] = [uid("p"), uid("p"), uid("p"), uid("p")];
      expect(await store.isBlocked(me, a)).toBe(false);
      await store.putBlock({ blocker: me, blocked: a, blockedAt: T0 + 1 });
      await store.putBlock({ blocker: me, blocked: b, blockedAt: T0 + 3 });
      await store.putBlock({ blocker: me, blocked: c, blockedAt: T0 + 2 });
      await store.putBlock({ blocker: a, blocked: me, blockedAt: T0 + 9 });
      expect(await store.isBlocked(me, a)).toBe(true);
      expect(await store.isBlocked(a, me)).toBe(true);
      expect(await store.isBlocked(b, me)).toBe(false);
      expect(await store.listBlocks(me, 10)).toEqual([
        { blocker: me, blocked: b, blockedAt: T0 + 3 },
        { blocker: me, blocked: c, blockedAt: T0 + 2 },
        { blocker: me, blocked: a, blockedAt: T0 + 1 },
      ]);
      expect((await store.listBlocks(me, 2)).map((x) => x.blocked)).toEqual([b, c]);
      expect(await store.listBlocks(me, 0)).toEqual([]);
      expect(await store.listBlocks(uid("p"), 10)).toEqual([]);
    });

    it("keeps one block per pair: blocking again moves it to the new time", async () => {
      await using fx = await open();
      const { store } = fx;
      const [me, a, b] = [uid("p"), uid("p"), uid("p")];
      await store.putBlock({ blocker: me, blocked: a, blockedAt: T0 + 1 });
      await store.putBlock({ blocker: me, blocked: b, blockedAt: T0 + 2 });
      await Promise.all([
        store.putBlock({ blocker: me, blocked: a, blockedAt: T0 + 5 }),
        store.putBlock({ blocker: me, blocked: a, blockedAt: T0 + 5 }),
      ]);
      expect(await store.listBlocks(me, 10)).toEqual([
        { blocker: me, blocked: a, blockedAt: T0 + 5 },
        { blocker: me, blocked: b, blockedAt: T0 + 2 },
      ]);
    });

    it("lifts a block once and answers false when there was none", async () => {
      await using fx = await open();
      const { store } = fx;
      const [me, a] = [uid("p"), uid("p")];
      await store.putBlock({ blocker: me, blocked: a, blockedAt: T0 });
      expect(await store.removeBlock(a, me)).toBe(false);
      expect(await store.removeBlock(me, a)).toBe(true);
      expect(await store.removeBlock(me, a)).toBe(false);
      expect(await store.isBlocked(me, a)).toBe(false);
      expect(await store.listBlocks(me, 10)).toEqual([]);
    });
  });
}
