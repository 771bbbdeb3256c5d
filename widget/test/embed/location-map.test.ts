// The location map inside the real chat frame, served by the gateway under its CSP, on the example
// storefront in real Chromium: the shop's `mapTiles` point at a real tile server on loopback
// (harness/tile-server.ts). Mia shares her place from the attach menu (the launcher's iframe
// delegates geolocation); her card draws the map from exactly the tile origin, with the map's
// styles adopted under `style-src 'self'` and no CSP report; Leaflet arrives in a chunk of its own
// only once a card is on screen. English and German; screenshots.
import { SHOP_ID, SHOP_SECRET } from "@parley/gateway/testing";
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeScript } from "../components/fixture.js";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { startTileServer, type TileServer } from "../harness/tile-server.js";
import { chatFrame, type Embed, exposeLauncherRoot, logIn, startEmbed } from "./fixtures.js";

describe("the location map in the chat frame", () => {
  let embed: Embed;
  let tiles: TileServer;
  const browsers: BrowserSession[] = [];

  beforeAll(async () => {
    embed = await startEmbed();
    tiles = await startTileServer();
    await embed.stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: ["https://shop.test", embed.storefront],
      allowGuests: true,
      mapTiles: tiles.tiles,
    });
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await tiles?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  for (const lang of ["en", "de"] as const) {
    it(`draws the shared place from the shop's tiles only (${lang})`, async () => {
      const browser = await launchChromium({ locale: lang === "de" ? "de-DE" : "en-US" });
      browsers.push(browser);
      await browser.context.grantPermissions(["geolocation"], { origin: embed.storefront });
      await browser.context.setGeolocation({ latitude: 52.520008, longitude: 13.404954, accuracy: 25 });
      const origins = new Set<string>();
      const chunks: string[] = [];
      const csp: string[] = [];
      browser.context.on("request", (r) => {
        origins.add(new URL(r.url()).origin);
        if (r.url().endsWith(".js")) chunks.push(r.url());
      });
      const page = await browser.newPage();
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
      });
      await exposeLauncherRoot(page);
      await logIn(page, embed.storefront, `Mia ${lang}`);
      await page.goto(`${embed.storefront}/?lang=${lang}`);
      await page.click("parley-launcher");
      const frame: Frame = await chatFrame(page);
      await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
      const input = frame.locator("parley-composer textarea");
      await input.fill(lang === "de" ? "Hier bin ich" : "Here I am");
      await input.press("Enter");
      await frame.locator("parley-message [data-state=sent]").waitFor({ timeout: 20_000 });
      const before = chunks.length;
      await frame.locator("parley-composer [part=attach-button]").click();
      await frame.locator("parley-composer [data-action=location]").click();
      await frame.locator("parley-location-share [data-action=once]").click();
      const map = frame.locator("parley-location .map");
      await map.waitFor({ timeout: 20_000 });
      await expect.poll(() => map.getAttribute("data-map"), { timeout: 20_000, interval: 100 }).toBe("ready");
      expect(tiles.requests.length).toBeGreaterThan(0);
      expect(tiles.requests.every((p) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(p))).toBe(true);
      const allowed = [embed.storefront, embed.stack.url, tiles.origin].map((u) => new URL(u).origin);
      expect([...origins].filter((o) => !allowed.includes(o))).toEqual([]);
      // The dialog's chunk, the card's, and the map's (Leaflet) came only now.
      expect(chunks.length - before).toBeGreaterThanOrEqual(3);
      expect(csp).toEqual([]);
      const text = (await frame.locator("parley-location article").innerText()).replace(/\s+/g, " ");
      expect(text).toContain(lang === "de" ? "Karte: © Test tiles" : "Map: © Test tiles");
      await page.screenshot({ path: artifactPath(`location-frame-map-${lang}.png`) });
      expect(await frameViolations(frame)).toEqual([]);
      await page.close();
    });
  }
});

/** axe-core's serious and critical violations in the frame (evaluated over the DevTools protocol: the frame's CSP refuses inline script). */
async function frameViolations(frame: Frame): Promise<string[]> {
  await frame.evaluate(await axeScript);
  const found = await frame.evaluate(async () => {
    type Violation = { id: string; impact: string | null; nodes: Array<{ target: unknown }> };
    const axe = (window as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
