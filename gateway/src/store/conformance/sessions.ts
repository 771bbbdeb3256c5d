/** Store conformance, by aggregate: see suite.ts. Session families, agent removal and limiter refunds. */
import { describe, expect, it } from "vitest";
import type { SessionRecord } from "../port.js";
import { SHOP, type StoreFixture, T0, uid } from "./fixtures.js";

const family = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: uid("s"),
  principalId: uid("p"),
  createdAt: T0,
  expiresAt: T0 + 30 * 86_400_000,
  generation: 1,
  rotatedAt: T0,
  keepUntil: T0 + 86_400_000,
  ...overrides,
});

/** Session families: create, rotate by compare-and-set, revoke one or all of a principal. */
export function describeSessions(open: () => Promise<StoreFixture>): void {
  describe("sessions", () => {
    it("stores a family and rotates it once per generation", async () => {
      await using fx = await open();
      const s = family();
      await fx.store.createSession(s);
      expect(await fx.store.getSession(s.id)).toEqual(s);
      expect(await fx.store.rotateSession(s.id, 1, T0 + 5, T0 + 2 * 86_400_000)).toBe(true);
      expect(await fx.store.rotateSession(s.id, 1, T0 + 6, T0 + 3 * 86_400_000)).toBe(false);
      expect(await fx.store.getSession(s.id)).toEqual({
        ...s,
        generation: 2,
        rotatedAt: T0 + 5,
        keepUntil: T0 + 2 * 86_400_000,
      });
      expect(await fx.store.rotateSession("no-such-session", 1, T0, T0)).toBe(false);
    });

    it("never lowers keepUntil on a rotation", async () => {
      await using fx = await open();
      const s = family();
      await fx.store.createSession(s);
      await fx.store.rotateSession(s.id, 1, T0 + 5, T0 + 10);
      expect((await fx.store.getSession(s.id))?.keepUntil).toBe(s.keepUntil);
    });

    it("lets exactly one of concurrent rotations from the same generation through", async () => {
      await using fx = await open();
      const s = family();
      await fx.store.createSession(s);
      const moved = await Promise.all(
        Array.from({ length: 8 }, (_, i) => fx.store.rotateSession(s.id, 1, T0 + i, s.keepUntil)),
      );
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect((await fx.store.getSession(s.id))?.generation).toBe(2);
    });

    it("revokes a family once; a revoked family does not rotate", async () => {
      await using fx = await open();
      const s = family();
      await fx.store.createSession(s);
      expect(await fx.store.revokeSession(s.id, T0 + 1, "logout")).toBe(true);
      expect(await fx.store.revokeSession(s.id, T0 + 2, "reuse")).toBe(false);
      expect(await fx.store.rotateSession(s.id, 1, T0 + 3, s.keepUntil)).toBe(false);
      expect(await fx.store.getSession(s.id)).toEqual({ ...s, revokedAt: T0 + 1, revokedReason: "logout" });
    });

    it("revokes every live family of a principal and no other", async () => {
      await using fx = await open();
      const principalId = uid("p");
      const mine = [family({ principalId }), family({ principalId }), family({ principalId })];
      const other = family();
      for (const s of [...mine, other]) await fx.store.createSession(s);
      await fx.store.revokeSession(mine[0]?.id ?? "", T0 + 1, "logout");
      expect(await fx.store.revokeSessionsOf(principalId, T0 + 2, "removed")).toBe(2);
      const after = await Promise.all(mine.map((s) => fx.store.getSession(s.id)));
      expect(after.map((s) => s?.revokedReason)).toEqual(["logout", "removed", "removed"]);
      expect((await fx.store.getSession(other.id))?.revokedAt).toBeUndefined();
    });

    it("deletes families past keepUntil when a later one is created", async () => {
      await using fx = await open();
      const old = family({ keepUntil: T0 + 10 });
      await fx.store.createSession(old);
      const later = family({ createdAt: T0 + 86_400_000, rotatedAt: T0 + 86_400_000, keepUntil: T0 + 2 * 86_400_000 });
      await fx.store.createSession(later);
      expect(await fx.store.getSession(old.id)).toBeUndefined();
      expect(await fx.store.getSession(later.id)).toEqual(later);
    });

    it("sees another store's rotation on the same data (another gateway)", async () => {
      await using fx = await open();
      if (!fx.reopen) return;
      const other = await fx.reopen();
      try {
        const s = family();
        await fx.store.createSession(s);
        expect(await other.rotateSession(s.id, 1, T0 + 1, s.keepUntil)).toBe(true);
        expect(await fx.store.rotateSession(s.id, 1, T0 + 2, s.keepUntil)).toBe(false);
        expect(await fx.store.revokeSessionsOf(s.principalId, T0 + 3, "password_changed")).toBe(1);
        expect((await other.getSession(s.id))?.revokedReason).toBe("password_changed");
      } finally {
        await other.close();
      }
    });
  });

  describe("agent removal", () => {
    it("removes an agent login once", async () => {
      await using fx = await open();
      const login = uid("login");
      await fx.store.putAgent({ shopId: SHOP, login, principalId: uid("a"), passwordHash: "h", role: "agent" });
      expect(await fx.store.removeAgent(SHOP, login)).toBe(true);
      expect(await fx.store.getAgent(SHOP, login)).toBeUndefined();
      expect(await fx.store.removeAgent(SHOP, login)).toBe(false);
    });
  });

  describe("shared rate limit refunds", () => {
    it("gives a consumed point back", async () => {
      await using fx = await open();
      const limiter = fx.store.sharedLimiter("conf-refund", { points: 2, durationSeconds: 60 });
      expect(await limiter.consume("k")).toBe(0);
      expect(await limiter.consume("k")).toBe(0);
      await limiter.refund("k");
      expect(await limiter.consume("k")).toBe(0);
      expect(await limiter.consume("k")).toBeGreaterThan(0);
      // Refunding a key with nothing taken gives nothing extra.
      await limiter.refund("fresh");
      expect(await limiter.consume("fresh")).toBe(0);
      expect(await limiter.consume("fresh")).toBe(0);
      expect(await limiter.consume("fresh")).toBeGreaterThan(0);
    });
  });
}
