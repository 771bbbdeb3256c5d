/** Store conformance, by aggregate: see suite.ts. */
import type { TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import {
  byDevice,
  byId,
  principal,
  range,
  SHOP,
  type StoreFixture,
  type SuiteTraits,
  T0,
  teamKey,
  teamWrap,
} from "./fixtures.js";

/** Team keys: compare-and-set of versions, wraps, and the team list. */
export function describeTeamKeys(open: () => Promise<StoreFixture>, traits: SuiteTraits = {}): void {
  describe("team keys", () => {
    it("has no team key before the first, then answers the highest version stored", async () => {
      await using fx = await open();
      const { store } = fx;
      expect(await store.getTeamKey(SHOP)).toBeUndefined();
      expect(await store.putTeamKey(teamKey(SHOP, 1))).toEqual({ accepted: true, version: 1 });
      expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 1));
      expect(await store.putTeamKey(teamKey(SHOP, 2))).toEqual({ accepted: true, version: 2 });
      expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 2));
      // Per shop: another shop starts at 1 and leaves this one alone.
      expect(await store.getTeamKey("shop-2")).toBeUndefined();
      expect(await store.putTeamKey(teamKey("shop-2", 1))).toEqual({ accepted: true, version: 1 });
      expect(await store.getTeamKey("shop-2")).toEqual(teamKey("shop-2", 1));
      expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 2));
    });

    it("keeps a rotated record's prevSig (the vouch by the version before) and version 1 without one", async () => {
      await using fx = await open();
      const { store } = fx;
      const v2 = teamKey(SHOP, 2, { prevSig: "vouch-by-1" });
      expect(await store.putTeamKey(teamKey(SHOP, 1))).toEqual({ accepted: true, version: 1 });
      expect(await store.putTeamKey(v2)).toEqual({ accepted: true, version: 2 });
      expect(await store.getTeamKey(SHOP)).toEqual(v2);
      expect(await store.getTeamKey(SHOP, 1)).toEqual(teamKey(SHOP, 1));
      expect(Object.hasOwn((await store.getTeamKey(SHOP, 1)) ?? {}, "prevSig")).toBe(false);
    });

    it("accepts only current + 1: refuses a gap, a repeat and 0, answering the current version", async () => {
      await using fx = await open();
      const { store } = fx;
      expect(await store.putTeamKey(teamKey(SHOP, 2))).toEqual({ accepted: false, version: 0 });
      expect(await store.putTeamKey(teamKey(SHOP, 0))).toEqual({ accepted: false, version: 0 });
      expect(await store.getTeamKey(SHOP)).toBeUndefined();
      expect(await store.putTeamKey(teamKey(SHOP, 1))).toEqual({ accepted: true, version: 1 });
      expect(await store.putTeamKey(teamKey(SHOP, 3))).toEqual({ accepted: false, version: 1 });
      expect(await store.putTeamKey(teamKey(SHOP, 1, { sig: "other" }))).toEqual({ accepted: false, version: 1 });
      expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 1));
    });

    it("accepts exactly one of 20 concurrent puts of the same version and keeps that one", async () => {
      await using fx = await open();
      const { store } = fx;
      const rivals = range(1, 20).map((i) => teamKey(SHOP, 1, { sig: `rival-${i}`, boxPk: `box-rival-${i}` }));
      const results = await Promise.all(rivals.map((r) => store.putTeamKey(r)));
      expect(results.filter((r) => r.accepted)).toHaveLength(1);
      expect(results.every((r) => r.version === 1)).toBe(true);
      expect(await store.getTeamKey(SHOP)).toEqual(rivals[results.findIndex((r) => r.accepted)]);
      expect(await store.putTeamKey(teamKey(SHOP, 2))).toEqual({ accepted: true, version: 2 });
    });

    // Not declared for an exclusive store: a second writer is what it rules out (ADR 0051).
    if (!traits.exclusive)
      it("accepts exactly one put per version when two stores on the same data race", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const other = await fx.reopen();
        try {
          for (const version of [1, 2]) {
            const rivals = range(1, 20).map((i) => teamKey(SHOP, version, { sig: `rival-${version}-${i}` }));
            const results = await Promise.all(rivals.map((r, i) => (i % 2 ? store : other).putTeamKey(r)));
            expect(results.filter((r) => r.accepted)).toHaveLength(1);
            expect(results.every((r) => r.version === version)).toBe(true);
            const winner = rivals[results.findIndex((r) => r.accepted)];
            expect(await store.getTeamKey(SHOP)).toEqual(winner);
            expect(await other.getTeamKey(SHOP)).toEqual(winner);
          }
          expect(await other.putTeamKey(teamKey(SHOP, 3))).toEqual({ accepted: true, version: 3 });
          expect(await store.putTeamKey(teamKey(SHOP, 3, { sig: "late" }))).toEqual({ accepted: false, version: 3 });
        } finally {
          await other.close();
        }
      });

    it("returns a team key and a wrap exactly as given, nothing the caller's object carried besides", async () => {
      await using fx = await open();
      const { store } = fx;
      const key = teamKey(SHOP, 1, {
        boxPk: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        ts: 1_700_000_000_123,
        createdBy: { principalId: "a_admin", deviceId: "d_admin-dev" },
      });
      const extraKey = { ...key, note: "not part of a key", createdBy: { ...key.createdBy, admin: true } };
      expect(await store.putTeamKey(extraKey as TeamKeyRecord)).toEqual({ accepted: true, version: 1 });
      expect(await store.getTeamKey(SHOP)).toEqual(key);
      const wrap = teamWrap("p-a", "d-1", 1, { ts: 1_700_000_000_456, sealed: "c2VhbGVk-_" });
      const extraWrap = { ...wrap, $set: { x: 1 }, wrappedBy: { ...wrap.wrappedBy, role: "admin" } };
      await store.putTeamWrap(extraWrap as TeamKeyWrap);
      expect(await store.listTeamWraps(SHOP, 1)).toEqual([wrap]);
    });

    it("stores one wrap per (shop, version, device), replacing it on a second put", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.putTeamWrap(teamWrap("p-a", "d-1"));
      await store.putTeamWrap(teamWrap("p-a", "d-2"));
      await store.putTeamWrap(teamWrap("p-b", "d-3"));
      await store.putTeamWrap(teamWrap("p-a", "d-1", 2));
      await store.putTeamWrap(teamWrap("p-a", "d-1", 1, { shopId: "shop-2" }));
      const replaced = teamWrap("p-a", "d-1", 1, {
        sealed: "sealed-again",
        wrappedBy: { principalId: "p-admin-2", deviceId: "d-admin-2" },
        ts: T0 + 99,
        sig: "wrap-sig-again",
      });
      await store.putTeamWrap(replaced);
      expect((await store.listTeamWraps(SHOP, 1)).sort(byDevice)).toEqual([
        replaced,
        teamWrap("p-a", "d-2"),
        teamWrap("p-b", "d-3"),
      ]);
      expect(await store.listTeamWraps(SHOP, 2)).toEqual([teamWrap("p-a", "d-1", 2)]);
      expect(await store.listTeamWraps("shop-2", 1)).toEqual([teamWrap("p-a", "d-1", 1, { shopId: "shop-2" })]);
      expect(await store.listTeamWraps(SHOP, 3)).toEqual([]);
      expect(await store.listTeamWraps("shop-none", 1)).toEqual([]);
    });

    it("filters wraps by the principal whose devices they are sealed to", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.putTeamWrap(teamWrap("p-a", "d-1"));
      await store.putTeamWrap(teamWrap("p-a", "d-2"));
      await store.putTeamWrap(teamWrap("p-b", "d-3"));
      await store.putTeamWrap(teamWrap("p-a", "d-4", 2));
      expect((await store.listTeamWraps(SHOP, 1, "p-a")).sort(byDevice)).toEqual([
        teamWrap("p-a", "d-1"),
        teamWrap("p-a", "d-2"),
      ]);
      expect(await store.listTeamWraps(SHOP, 1, "p-b")).toEqual([teamWrap("p-b", "d-3")]);
      expect(await store.listTeamWraps(SHOP, 2, "p-a")).toEqual([teamWrap("p-a", "d-4", 2)]);
      expect(await store.listTeamWraps(SHOP, 2, "p-b")).toEqual([]);
      expect(await store.listTeamWraps(SHOP, 1, "p-nobody")).toEqual([]);
      // Moving a device's wrap to another principal moves it out of the first one's list.
      await store.putTeamWrap(teamWrap("p-b", "d-2"));
      expect(await store.listTeamWraps(SHOP, 1, "p-a")).toEqual([teamWrap("p-a", "d-1")]);
    });

    it("lists a shop's agents and bots only, not its customers and guests or other shops' team", async () => {
      await using fx = await open();
      const { store } = fx;
      const agent = await store.ensurePrincipal(principal({ kind: "agent", handle: "team_agent" }));
      const bot = await store.ensurePrincipal(principal({ kind: "bot", createdAt: T0 + 1 }));
      await store.ensurePrincipal(principal({ kind: "customer" }));
      await store.ensurePrincipal(principal({ kind: "guest" }));
      await store.ensurePrincipal(principal({ kind: "agent", shopId: "shop-2" }));
      expect((await store.listTeam(SHOP)).sort(byId)).toEqual([agent, bot].sort(byId));
      expect(await store.listTeam("shop-none")).toEqual([]);
    });

    it("keeps team keys and wraps across a close and reopen", async (ctx) => {
      await using fx = await open();
      if (!fx.reopen) return ctx.skip();
      const { store } = fx;
      await store.putTeamKey(teamKey(SHOP, 1));
      await store.putTeamKey(teamKey(SHOP, 2));
      await store.putTeamWrap(teamWrap("p-a", "d-1", 2));
      await store.close();
      const reopened = await fx.reopen();
      try {
        expect(await reopened.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 2));
        expect(await reopened.listTeamWraps(SHOP, 2)).toEqual([teamWrap("p-a", "d-1", 2)]);
        expect(await reopened.putTeamKey(teamKey(SHOP, 2, { sig: "late" }))).toEqual({ accepted: false, version: 2 });
        expect(await reopened.putTeamKey(teamKey(SHOP, 3))).toEqual({ accepted: true, version: 3 });
      } finally {
        await reopened.close();
      }
    });
  });
}
