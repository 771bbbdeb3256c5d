/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { Store } from "../port.js";
import { byId, device, principal, range, SHOP, type StoreFixture, shop, T0 } from "./fixtures.js";

/** Shops, principals, agents, devices and used token ids (handles: handles.ts). */
export function describeDirectory(open: () => Promise<StoreFixture>): void {
  describe("shops", () => {
    it("stores a shop and replaces it on a second put", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.putShop(shop("s1"));
      expect(await store.getShop("s1")).toEqual(shop("s1"));
      const changed = shop("s1", {
        name: "Renamed",
        tokenKey: { alg: "EdDSA", publicKey: "-----BEGIN PUBLIC KEY-----" },
        allowedOrigins: ["https://a.example", "https://b.example"],
        allowGuests: false,
      });
      await store.putShop(changed);
      expect(await store.getShop("s1")).toEqual(changed);
      expect(await store.getShop("s2")).toBeUndefined();
    });

    it("lists every shop by id, each as stored", async () => {
      await using fx = await open();
      const { store } = fx;
      expect(await store.listShops()).toEqual([]);
      const b = shop("b-shop", { mapTiles: { url: "https://t.example/{z}/{x}/{y}", attribution: "T" } });
      await store.putShop(b);
      await store.putShop(shop("a-shop"));
      expect(await store.listShops()).toEqual([shop("a-shop"), b]);
    });

    it("keeps a shop's map tiles and media as given, and drops them when a later put has none", async () => {
      await using fx = await open();
      const { store } = fx;
      const featured = shop("s1", {
        mapTiles: { url: "https://tiles.example/{z}/{x}/{y}.png", attribution: "© Tiles", maxZoom: 18 },
        media: {
          origins: ["https://cdn.example"],
          catalog: [
            { id: "t1", title: "Morning", artist: "Band", url: "https://cdn.example/a.mp3", durationMs: 61_000 },
            { id: "t2", title: "Evening", url: "https://cdn.example/b.mp3", durationMs: 1 },
          ],
        },
      });
      await store.putShop(featured);
      expect(await store.getShop("s1")).toEqual(featured);
      const tilesOnly = shop("s1", { mapTiles: { url: "https://t.example/{z}/{x}/{y}", attribution: "T" } });
      await store.putShop(tilesOnly);
      const read = await store.getShop("s1");
      expect(read).toEqual(tilesOnly);
      expect(read && "media" in read).toBe(false);
      await store.putShop(shop("s1"));
      const plain = await store.getShop("s1");
      expect(plain).toEqual(shop("s1"));
      expect(plain && ("mapTiles" in plain || "media" in plain)).toBe(false);
    });

    it("lists every origin the shops allow, each once", async () => {
      await using fx = await open();
      // Not in the port yet; gateway.ts calls it for CORS. Both adapters provide it.
      const store = fx.store as Store & { listAllowedOrigins?: () => Promise<string[]> };
      expect(typeof store.listAllowedOrigins).toBe("function");
      expect(await store.listAllowedOrigins?.()).toEqual([]);
      await store.putShop(shop("s1", { allowedOrigins: ["https://b.example", "https://a.example"] }));
      await store.putShop(shop("s2", { allowedOrigins: ["https://a.example", "http://localhost:5173"] }));
      await store.putShop(shop("s3", { allowedOrigins: [] }));
      const origins = await store.listAllowedOrigins?.();
      expect(origins?.sort()).toEqual(["http://localhost:5173", "https://a.example", "https://b.example"]);
    });
  });

  describe("principals", () => {
    it("returns the same principal for the same shop, kind and external id", async () => {
      await using fx = await open();
      const { store } = fx;
      const first = principal({ externalId: "user-7" });
      expect(await store.ensurePrincipal(first)).toEqual(first);
      const again = await store.ensurePrincipal(principal({ externalId: "user-7", displayName: "Other" }));
      expect(again).toEqual(first);
      expect(await store.getPrincipal(first.id)).toEqual(first);
    });

    it("creates different principals for a different kind or shop with the same external id", async () => {
      await using fx = await open();
      const { store } = fx;
      const customer = await store.ensurePrincipal(principal({ externalId: "x" }));
      const agent = await store.ensurePrincipal(principal({ externalId: "x", kind: "agent" }));
      const elsewhere = await store.ensurePrincipal(principal({ externalId: "x", shopId: "shop-2" }));
      expect(new Set([customer.id, agent.id, elsewhere.id]).size).toBe(3);
      expect(agent.kind).toBe("agent");
      expect(elsewhere.shopId).toBe("shop-2");
    });

    it("gives one principal to concurrent ensures of the same identity", async () => {
      await using fx = await open();
      const { store } = fx;
      const results = await Promise.all(
        range(1, 10).map(() => store.ensurePrincipal(principal({ externalId: "race" }))),
      );
      expect(new Set(results.map((p) => p.id)).size).toBe(1);
    });

    it("loads several principals at once and skips unknown ids", async () => {
      await using fx = await open();
      const { store } = fx;
      const a = await store.ensurePrincipal(principal());
      const b = await store.ensurePrincipal(principal({ handle: "bee" }));
      await store.ensurePrincipal(principal());
      const got = await store.getPrincipals([b.id, "p-unknown", a.id]);
      expect(got.sort(byId)).toEqual([a, b].sort(byId));
      expect(await store.getPrincipals([])).toEqual([]);
      expect(await store.getPrincipal("p-unknown")).toBeUndefined();
    });

    it("changes the display name", async () => {
      await using fx = await open();
      const { store } = fx;
      const p = await store.ensurePrincipal(principal());
      await store.setDisplayName(p.id, "Ada L.");
      expect((await store.getPrincipal(p.id))?.displayName).toBe("Ada L.");
    });
  });

  describe("agents", () => {
    it("stores an agent per shop and login and replaces it on a second put", async () => {
      await using fx = await open();
      const { store } = fx;
      const agent = { shopId: SHOP, login: "grace", principalId: "p-g", passwordHash: "$argon2id$x", role: "agent" };
      await store.putAgent({ ...agent, role: "agent" });
      await store.putAgent({ ...agent, shopId: "shop-2", principalId: "p-g2", role: "admin" });
      expect(await store.getAgent(SHOP, "grace")).toEqual({ ...agent, role: "agent" });
      await store.putAgent({ ...agent, passwordHash: "$argon2id$y", role: "admin" });
      expect(await store.getAgent(SHOP, "grace")).toEqual({ ...agent, passwordHash: "$argon2id$y", role: "admin" });
      expect((await store.getAgent("shop-2", "grace"))?.principalId).toBe("p-g2");
      expect(await store.getAgent(SHOP, "nobody")).toBeUndefined();
    });
  });

  describe("devices", () => {
    it("lists a principal's devices and replaces a device put again", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.putDevice(device("p-a", "d1"));
      await store.putDevice(device("p-a", "d2", { createdAt: T0 + 1 }));
      await store.putDevice(device("p-b", "d1"));
      const replaced = device("p-a", "d1", { sigPk: "sig-new", boxPk: "box-new", lastSeenAt: T0 + 9 });
      await store.putDevice(replaced);
      const listed = await store.listDevices("p-a");
      expect(listed.sort((x, y) => x.deviceId.localeCompare(y.deviceId))).toEqual([
        replaced,
        device("p-a", "d2", { createdAt: T0 + 1 }),
      ]);
      expect(await store.listDevices("p-b")).toEqual([device("p-b", "d1")]);
      expect(await store.listDevices("p-none")).toEqual([]);
    });

    it("stores a device's self-signature when given and omits the key when not", async () => {
      await using fx = await open();
      const { store } = fx;
      const signed = device("p-a", "d1", { sig: "c2lnbmF0dXJl" });
      await store.putDevice(signed);
      await store.putDevice(device("p-a", "d2", { createdAt: T0 + 1 }));
      const [first, second] = await store.listDevices("p-a");
      expect(first).toEqual(signed);
      expect(second).toEqual(device("p-a", "d2", { createdAt: T0 + 1 }));
      expect(second && "sig" in second).toBe(false);
      // A put without `sig` stores none: the caller decides what to keep.
      await store.putDevice(device("p-a", "d1", { lastSeenAt: T0 + 5 }));
      const [unsigned] = await store.listDevices("p-a");
      expect(unsigned).toEqual(device("p-a", "d1", { lastSeenAt: T0 + 5 }));
      expect(unsigned && "sig" in unsigned).toBe(false);
      await store.putDevice(device("p-a", "d1", { sig: "bmV3LXNpZw" }));
      expect((await store.listDevices("p-a"))[0]?.sig).toBe("bmV3LXNpZw");
    });

    it("finds a device id's principals and deletes one principal's device", async () => {
      await using fx = await open();
      const { store } = fx;
      await store.putDevice(device("p-a", "d1"));
      await store.putDevice(device("p-a", "d2", { createdAt: T0 + 1 }));
      await store.putDevice(device("p-b", "d1"));
      expect((await store.deviceOwners("d1")).sort()).toEqual(["p-a", "p-b"]);
      expect(await store.deviceOwners("d2")).toEqual(["p-a"]);
      expect(await store.deviceOwners("d-none")).toEqual([]);
      await store.deleteDevice("p-a", "d1");
      await store.deleteDevice("p-a", "d-none");
      expect((await store.listDevices("p-a")).map((d) => d.deviceId)).toEqual(["d2"]);
      expect(await store.deviceOwners("d1")).toEqual(["p-b"]);
    });
  });

  describe("token ids", () => {
    it("accepts a token id once and refuses its replay, per issuer", async () => {
      await using fx = await open();
      const { store } = fx;
      const exp = Date.now() + 60_000;
      expect(await store.consumeTokenId("iss-a", "jti-1", exp)).toBe(true);
      expect(await store.consumeTokenId("iss-a", "jti-1", exp)).toBe(false);
      expect(await store.consumeTokenId("iss-a", "jti-1", exp + 1000)).toBe(false);
      expect(await store.consumeTokenId("iss-b", "jti-1", exp)).toBe(true);
      expect(await store.consumeTokenId("iss-a", "jti-2", exp)).toBe(true);
    });

    it("lets exactly one of concurrent uses of a token id through", async () => {
      await using fx = await open();
      const { store } = fx;
      const exp = Date.now() + 60_000;
      const outcomes = await Promise.all(range(1, 10).map(() => store.consumeTokenId("iss", "jti-race", exp)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });
  });
}
