// A shop's map tiles and media in the dashboard, against the real stack and
// Chromium: the page's CSP names the tile origin (img-src) and the media
// origins (media-src) from the gateway's widget config, and after sign-in the
// dashboard fetches that config and hands the features to the message list,
// each message and the composer as `.features`, with no console error.
import {
  AGENT_LOGIN,
  AGENT_PASSWORD,
  DEFAULT_TEST_ORIGIN,
  SHOP_ID,
  SHOP_SECRET,
  waitFor,
} from "@parley/gateway/testing";
import type { MapTiles, ShopMedia } from "@parley/sdk/protocol";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardCsp } from "../serve.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { signIn } from "./group-helpers.js";

const TILES: MapTiles = { url: "https://tiles.example/{z}/{x}/{y}.png", attribution: "© Tiles" };

describe("the dashboard with a shop's map tiles and media", () => {
  let shop: DashboardShop;
  let browser: BrowserSession;
  let media: ShopMedia;

  beforeAll(async () => {
    shop = await startDashboardShop();
    media = {
      origins: [shop.backend.url, "https://cdn.example"],
      catalog: [{ id: "t1", title: "Tune", url: "https://cdn.example/t1.mp3", durationMs: 30_000 }],
    };
    await shop.stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: [DEFAULT_TEST_ORIGIN, shop.backend.url, shop.dashboard.url],
      allowGuests: true,
      mapTiles: TILES,
      media,
    });
    browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("builds its CSP from the features: the tile origin in img-src, the media origins as media-src, none without", () => {
    expect(dashboardCsp("http://127.0.0.1:4100", ["ws://127.0.0.1:4101"], { mapTiles: TILES, media })).toBe(
      "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
        "connect-src http://127.0.0.1:4100 ws://127.0.0.1:4101; img-src 'self' blob: data: https://tiles.example; " +
        `media-src ${shop.backend.url} https://cdn.example; font-src 'self'; ` +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(dashboardCsp("http://127.0.0.1:4100", [], {})).not.toContain("media-src");
    // A value that is not an origin never reaches the policy.
    expect(() => dashboardCsp("http://127.0.0.1:4100", [], { media: { origins: ["javascript:alert(1)"] } })).toThrow();
  });

  it("serves the page with the shop's tile and media origins in its CSP, and lets the agent's page use geolocation", async () => {
    const res = await fetch(`${shop.dashboard.url}/`);
    const csp = (res.headers.get("content-security-policy") ?? "").split("; ");
    expect(csp).toContain("img-src 'self' blob: data: https://tiles.example");
    expect(csp).toContain(`media-src ${shop.backend.url} https://cdn.example`);
    expect(res.headers.get("permissions-policy")).toBe(
      "camera=(self), microphone=(self), display-capture=(self), geolocation=(self)",
    );
  });

  it("hands the features to the message list, each message and the composer after sign-in", async () => {
    const page = await signIn(browser, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    const customer = shop.stack.customer("features-customer", { encryption: true });
    try {
      await customer.connect();
      const conv = await customer.openConversation();
      await customer.send(conv.id, "Hello from a featured shop");
    } finally {
      await customer.close();
    }
    await page.locator("dashboard-inbox li[data-conv-id]").first().click();
    await page.locator("dashboard-conversation").getByText("Hello from a featured shop").waitFor();
    const read = () =>
      page.locator("dashboard-conversation").evaluate((el) => {
        type WithFeatures = Element & { features?: unknown };
        const conv = el.shadowRoot;
        const list = conv?.querySelector<WithFeatures>("parley-message-list");
        const messages = [...(list?.shadowRoot?.querySelectorAll<WithFeatures>("parley-message") ?? [])];
        return {
          list: list?.features,
          messages: messages.map((m) => m.features),
          composer: conv?.querySelector<WithFeatures>("parley-composer")?.features,
        };
      });
    const features = { mapTiles: TILES, media };
    await waitFor(async () => JSON.stringify((await read()).list) === JSON.stringify(features), "the features");
    expect(await read()).toEqual({ list: features, messages: [features], composer: features });
    expect(browser.errors).toEqual([]);
    await page.screenshot({ path: artifactPath("dashboard-features.png") });
    await page.close();
  });
});
