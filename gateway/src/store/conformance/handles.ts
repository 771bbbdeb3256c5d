/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import { handleSkeleton } from "../rules/skeleton.js";
import { principal, range, SHOP, type StoreFixture } from "./fixtures.js";

/** Sets `handle` with its skeleton. */
const skel = (handle: string) => handleSkeleton(handle);

/** Handles unique per shop (and their skeletons), client IPs, and the shared rate limits. */
export function describeHandles(open: () => Promise<StoreFixture>): void {
  describe("handles", () => {
    it("sets a handle and finds the principal by exactly that handle in its shop", async () => {
      await using fx = await open();
      const { store } = fx;
      const p = await store.ensurePrincipal(principal());
      expect(await store.setHandle(p.id, "ada", skel("ada"))).toBe("set");
      const stored = { ...p, handle: "ada", handleSkeleton: skel("ada") };
      expect(await store.findPrincipalByHandle(SHOP, "ada")).toEqual(stored);
      expect(await store.findPrincipalBySkeleton(SHOP, skel("ada"))).toEqual(stored);
      expect(await store.getPrincipal(p.id)).toEqual(stored);
      expect(await store.findPrincipalByHandle(SHOP, "ad")).toBeUndefined();
      expect(await store.findPrincipalByHandle(SHOP, "ada ")).toBeUndefined();
      expect(await store.findPrincipalByHandle("shop-other", "ada")).toBeUndefined();
    });

    it("scopes handles to a shop: the same handle in two shops, never found across", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = await store.ensurePrincipal(principal({ shopId: "shop-a" }));
      const b = await store.ensurePrincipal(principal({ shopId: "shop-b" }));
      expect(await store.setHandle(a.id, "mia", skel("mia"))).toBe("set");
      expect(await store.setHandle(b.id, "mia", skel("mia"))).toBe("set");
      expect((await store.findPrincipalByHandle("shop-a", "mia"))?.id).toBe(a.id);
      expect((await store.findPrincipalByHandle("shop-b", "mia"))?.id).toBe(b.id);
      expect((await store.findPrincipalBySkeleton("shop-b", skel("mia")))?.id).toBe(b.id);
    });

    it("refuses a handle another principal of the shop holds (taken) or one with its skeleton (confusable)", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = await store.ensurePrincipal(principal());
      const b = await store.ensurePrincipal(principal());
      expect(await store.setHandle(a.id, "poe", skel("poe"))).toBe("set");
      expect(await store.setHandle(b.id, "poe", skel("poe"))).toBe("taken");
      // Cyrillic р, о, е: another handle with the same skeleton.
      const cyrillic = "\u0440\u043e\u0435";
      expect(skel(cyrillic)).toBe(skel("poe"));
      expect(await store.setHandle(b.id, cyrillic, skel(cyrillic))).toBe("confusable");
      expect((await store.findPrincipalByHandle(SHOP, "poe"))?.id).toBe(a.id);
      expect((await store.getPrincipal(b.id))?.handle).toBeUndefined();
      expect(await store.setHandle(a.id, "poe", skel("poe"))).toBe("set");
    });

    it("frees the old handle and skeleton when a principal changes it", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = await store.ensurePrincipal(principal());
      const b = await store.ensurePrincipal(principal());
      await store.setHandle(a.id, "first", skel("first"));
      await store.setHandle(a.id, "second", skel("second"));
      expect(await store.findPrincipalByHandle(SHOP, "first")).toBeUndefined();
      expect(await store.findPrincipalBySkeleton(SHOP, skel("first"))).toBeUndefined();
      expect(await store.setHandle(b.id, "first", skel("first"))).toBe("set");
      expect((await store.findPrincipalByHandle(SHOP, "second"))?.id).toBe(a.id);
    });

    it("gives one winner when two principals claim one handle at once", async () => {
      await using fx = await open();
      const { store } = fx;
      const people = await Promise.all(range(1, 4).map(() => store.ensurePrincipal(principal())));
      const results = await Promise.all(people.map((p) => store.setHandle(p.id, "race", skel("race"))));
      expect(results.filter((r) => r === "set")).toHaveLength(1);
      expect(results.filter((r) => r === "taken")).toHaveLength(3);
    });

    it("lets any number of principals of a shop exist without a handle", async () => {
      await using fx = await open();
      const { store } = fx;
      const all = await Promise.all(range(1, 3).map(() => store.ensurePrincipal(principal())));
      expect(all.every((p) => p.handle === undefined)).toBe(true);
      const more = await store.ensurePrincipal(principal());
      expect(await store.setHandle(more.id, "solo", skel("solo"))).toBe("set");
    });

    it("answers not_found when setting the handle of an unknown principal", async () => {
      await using fx = await open();
      expect(await fx.store.setHandle("p-unknown", "ghost", skel("ghost"))).toBe("not_found");
      expect(await fx.store.findPrincipalByHandle(SHOP, "ghost")).toBeUndefined();
    });

    it("records the client IP of a principal's newest session", async () => {
      await using fx = await open();
      const { store } = fx;
      const p = await store.ensurePrincipal(principal({ lastIp: "192.0.2.1" }));
      expect((await store.getPrincipal(p.id))?.lastIp).toBe("192.0.2.1");
      await store.setLastIp(p.id, "2001:db8::7");
      expect((await store.getPrincipal(p.id))?.lastIp).toBe("2001:db8::7");
    });
  });

  describe("shared rate limits", () => {
    it("counts a budget per key and answers the wait once it is spent", async () => {
      await using fx = await open();
      const limiter = fx.store.sharedLimiter("conf-probe", { points: 3, durationSeconds: 60 });
      for (const _ of range(1, 3)) expect(await limiter.consume("k1")).toBe(0);
      const wait = await limiter.consume("k1");
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60_000);
      expect(await limiter.consume("k2")).toBe(0);
    });

    it("lets concurrent consumers through no more than the budget", async () => {
      await using fx = await open();
      const limiter = fx.store.sharedLimiter("conf-race", { points: 5, durationSeconds: 60 });
      const waits = await Promise.all(range(1, 20).map(() => limiter.consume("hot")));
      expect(waits.filter((w) => w === 0)).toHaveLength(5);
      expect(await limiter.consume("hot")).toBeGreaterThan(0);
    });

    it("shares the budget with another store on the same data (another gateway)", async () => {
      await using fx = await open();
      if (!fx.reopen) return;
      const other = await fx.reopen();
      try {
        const rule = { points: 4, durationSeconds: 60 };
        const here = fx.store.sharedLimiter("conf-shared", rule);
        const there = other.sharedLimiter("conf-shared", rule);
        const waits = [];
        for (const i of range(1, 8)) waits.push(await (i % 2 ? here : there).consume("ip:198.51.100.7"));
        expect(waits.filter((w) => w === 0)).toHaveLength(4);
        expect(waits.slice(4).every((w) => w > 0)).toBe(true);
      } finally {
        await other.close();
      }
    });
  });
}
