// A shop's map tiles and media: validated by the admin API and the shops file,
// served by GET /widget/config/:shopId, and reflected in the chat frame's CSP
// (exactly the tile origin in img-src, the media origins in media-src).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startStack, type TestStack } from "./harness/stack.js";

const TILES = { url: "https://tiles.example:8443/osm/{z}/{x}/{y}.png?key=k", attribution: "© Map makers", maxZoom: 18 };
const MEDIA = {
  origins: ["https://cdn.example", "http://127.0.0.1:3000"],
  catalog: [
    { id: "one", title: "First", artist: "Band", url: "https://cdn.example/a/one.mp3", durationMs: 25_000 },
    { id: "two", title: "Second", url: "http://127.0.0.1:3000/audio/two.wav", durationMs: 3 * 3600 * 1000 },
  ],
};
const BASE = {
  name: "Featured Shop",
  tokenKey: { alg: "HS256", secret: "featured-shop-secret-0123456789abcdef" },
  allowedOrigins: ["https://featured.example"],
  allowGuests: true,
};

describe("shop map tiles and media", () => {
  let stack: TestStack;
  const put = (shopId: string, body: unknown) =>
    fetch(`${stack.url}/v1/admin/shops/${shopId}`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    });
  /** The 400's `{error: {code, message}}` for a shop with these fields changed. */
  const refusal = async (changes: Record<string, unknown>) => {
    const res = await put("shop_bad", { ...BASE, ...changes });
    expect(res.status).toBe(400);
    const { requestId, ...error } = (
      (await res.json()) as { error: { code: string; message: string; requestId?: string } }
    ).error;
    expect(requestId).toEqual(expect.any(String)); // every error names its request (ADR 0042)
    return error;
  };
  const csp = async (shopId: string) => {
    const res = await fetch(`${stack.url}/widget/frame/?shop=${shopId}&origin=https%3A%2F%2Ffeatured.example`);
    expect(res.status).toBe(200);
    return { directives: (res.headers.get("content-security-policy") ?? "").split("; "), headers: res.headers };
  };

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("serves the widget config with the shop's map tiles and media, readable by the shop's own origins", async () => {
    expect((await put("shop_feat", { ...BASE, mapTiles: TILES, media: MEDIA })).status).toBe(200);
    const res = await fetch(`${stack.url}/widget/config/shop_feat`, {
      headers: { origin: "https://featured.example" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      shopId: "shop_feat",
      name: "Featured Shop",
      allowedOrigins: ["https://featured.example"],
      allowGuests: true,
      mapTiles: TILES,
      media: MEDIA,
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://featured.example");
    expect(res.headers.get("vary")).toMatch(/origin/i);
    const foreign = await fetch(`${stack.url}/widget/config/shop_feat`, {
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

    // Without features the config has no such fields (not even null).
    expect((await put("shop_plain", BASE)).status).toBe(200);
    const plain = await (await fetch(`${stack.url}/widget/config/shop_plain`)).json();
    expect(Object.keys(plain).sort()).toEqual(["allowGuests", "allowedOrigins", "name", "shopId"]);
  });

  it("adds exactly the tile origin to the frame's img-src and the media origins as media-src; none without them", async () => {
    expect((await put("shop_feat", { ...BASE, mapTiles: TILES, media: MEDIA })).status).toBe(200);
    const featured = await csp("shop_feat");
    expect(featured.directives).toContain("img-src 'self' blob: https://tiles.example:8443");
    expect(featured.directives).toContain("media-src https://cdn.example http://127.0.0.1:3000");
    expect(featured.directives[0]).toBe("default-src 'none'");
    // Nothing blocks geolocation for the frame: the storefront's iframe delegates it.
    expect(featured.headers.get("permissions-policy")).toBeNull();

    expect((await put("shop_plain", BASE)).status).toBe(200);
    const plain = await csp("shop_plain");
    expect(plain.directives).toContain("img-src 'self' blob:");
    // No media-src: default-src 'none' forbids every audio source.
    expect(plain.directives.some((d) => d.startsWith("media-src"))).toBe(false);

    // Removing the features from the shop takes them out of the policy too.
    expect((await put("shop_feat", BASE)).status).toBe(200);
    expect((await csp("shop_feat")).directives.join("; ")).not.toMatch(/tiles\.example|cdn\.example|media-src/);
  });

  it("refuses tile templates that are not https, lack a placeholder, use another one or put one in the host", async () => {
    const tiles = (url: string) => refusal({ mapTiles: { url, attribution: "x" } });
    expect(await tiles("http://tiles.example/{z}/{x}/{y}.png")).toEqual({
      code: "bad_request",
      message: "mapTiles.url: must be https: (http: only on localhost or 127.0.0.1)",
    });
    expect((await tiles("https://tiles.example/{z}/{x}.png")).message).toBe(
      "mapTiles.url: must contain {y} (and {x}, {y}, {z})",
    );
    expect((await tiles("https://{s}.tiles.example/{z}/{x}/{y}.png")).message).toBe(
      "mapTiles.url: must use no placeholders but {z}, {x} and {y}",
    );
    expect((await tiles("https://t{z}.example/{z}/{x}/{y}.png")).message).toMatch(
      /^mapTiles\.url: must start with its origin/,
    );
    expect((await tiles("https://user:pw@tiles.example/{z}/{x}/{y}.png")).message).toMatch(
      /^mapTiles\.url: must start with its origin/,
    );
    expect((await tiles(`https://tiles.example/${"a".repeat(480)}/{z}/{x}/{y}.png`)).message).toMatch(
      /^mapTiles\.url: .*500/,
    );
    expect((await refusal({ mapTiles: { ...TILES, maxZoom: 23 } })).message).toMatch(/^mapTiles\.maxZoom: /);
    expect((await refusal({ mapTiles: { ...TILES, attribution: "Map\u200bmakers" } })).message).toBe(
      "mapTiles.attribution: must not contain bidi controls, zero-width or other invisible characters",
    );
    expect((await refusal({ mapTiles: { ...TILES, extra: 1 } })).code).toBe("bad_request");
    // Loopback http is fine for development.
    const local = { url: "http://localhost:8081/{z}/{x}/{y}.png", attribution: "Local tiles" };
    expect((await put("shop_local", { ...BASE, mapTiles: local })).status).toBe(200);
  });

  it("refuses media whose tracks are off its origins, repeat an id, or break the limits", async () => {
    const track = (changes: Record<string, unknown>) => ({ ...MEDIA.catalog[0], ...changes });
    const media = (catalog: unknown[], origins = MEDIA.origins) => refusal({ media: { origins, catalog } });
    expect(await media([track({ url: "https://elsewhere.example/one.mp3" })])).toEqual({
      code: "bad_request",
      message: "media.catalog.0.url: must be on one of media.origins",
    });
    expect((await media([track({}), track({ title: "Again" })])).message).toBe(
      'media.catalog.1.id: duplicate track id "one"',
    );
    expect((await media([track({ id: "a.b" })])).message).toBe("media.catalog.0.id: must be 1-64 of [A-Za-z0-9_-]");
    expect((await media([track({ url: "http://cdn.example/one.mp3" })], ["http://cdn.example"])).message).toBe(
      "media.catalog.0.url: must be an https: URL (http: only on localhost or 127.0.0.1)",
    );
    expect((await media([track({ durationMs: 3 * 3600 * 1000 + 1 })])).message).toMatch(
      /^media\.catalog\.0\.durationMs: /,
    );
    expect((await media([track({ durationMs: 1.5 })])).message).toMatch(/^media\.catalog\.0\.durationMs: /);
    expect((await media([track({ title: "x".repeat(201) })])).message).toMatch(/^media\.catalog\.0\.title: /);
    expect((await media([track({ artist: "\u202eevil" })])).message).toBe(
      "media.catalog.0.artist: must not contain bidi controls, zero-width or other invisible characters",
    );
    expect((await media([track({})], ["https://cdn.example/path"])).message).toMatch(
      /^media\.origins\.0: must be an origin/,
    );
    const origins = Array.from({ length: 21 }, (_, i) => `https://o${i}.example`);
    expect((await media([], origins)).message).toMatch(/^media\.origins: /);
    const many = Array.from({ length: 101 }, (_, i) => track({ id: `t${i}` }));
    expect((await media(many)).message).toMatch(/^media\.catalog: /);
    expect(await stack.gateway.store.getShop("shop_bad")).toBeUndefined();
  });

  it("loads map tiles and media from the shops file and names the problem in a bad one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parley-shops-file-"));
    try {
      const file = join(dir, "shops.json");
      const shop = { id: "shop_file", ...BASE, mapTiles: TILES, media: MEDIA };
      await writeFile(file, JSON.stringify({ shops: [shop] }));
      expect(await stack.gateway.admin.loadFile(file)).toBe(1);
      expect(await stack.gateway.store.getShop("shop_file")).toMatchObject({ mapTiles: TILES, media: MEDIA });

      const offOrigin = { ...MEDIA, catalog: [{ ...MEDIA.catalog[0], url: "https://other.example/x.mp3" }] };
      await writeFile(file, JSON.stringify({ shops: [{ ...shop, media: offOrigin }] }));
      await expect(stack.gateway.admin.loadFile(file)).rejects.toThrow(
        `invalid shops file ${file}: shops.0.media.catalog.0.url: must be on one of media.origins`,
      );
      await writeFile(
        file,
        JSON.stringify({ shops: [{ ...shop, mapTiles: { ...TILES, url: "https://t.example/{z}/{x}" } }] }),
      );
      await expect(stack.gateway.admin.loadFile(file)).rejects.toThrow(/shops\.0\.mapTiles\.url: must contain \{y\}/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
