// The chat frame and a shop's features, on the example storefront in real
// Chromium against a real gateway: the launcher's iframe delegates geolocation, the camera, the
// microphone and screen capture (a plain iframe of the same page does not get geolocation), and the shop's map tiles
// and media from its widget config reach `<parley-chat>`, the message list,
// each `<parley-message>` and the composer as `.features`.
import { SHOP_ID, SHOP_SECRET, waitFor } from "@parley/gateway/testing";
import type { MapTiles, ShopMedia } from "@parley/sdk/protocol";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { chatFrame, type Embed, exposeLauncherRoot, startEmbed } from "./fixtures.js";

const TILES: MapTiles = { url: "https://tiles.example/{z}/{x}/{y}.png", attribution: "© Tiles", maxZoom: 17 };

/** The `features` each chat element holds, read through the open shadow roots inside the frame. */
function featuresIn(frame: Frame) {
  return frame.evaluate(() => {
    type WithFeatures = Element & { features?: unknown };
    const chat = document.querySelector<WithFeatures>("parley-chat");
    const list = chat?.shadowRoot?.querySelector<WithFeatures>("parley-message-list");
    const messages = [...(list?.shadowRoot?.querySelectorAll<WithFeatures>("parley-message") ?? [])];
    const composer = chat?.shadowRoot?.querySelector<WithFeatures>("parley-composer");
    return {
      chat: chat?.features,
      list: list?.features,
      messages: messages.map((m) => m.features),
      composer: composer?.features,
    };
  });
}

describe("the chat frame: geolocation delegated, shop features handed down", () => {
  let embed: Embed;
  let browser: BrowserSession;
  let media: ShopMedia;

  beforeAll(async () => {
    embed = await startEmbed();
    browser = await launchChromium();
    media = {
      origins: [embed.storefront],
      catalog: [
        { id: "intro", title: "Intro", artist: "Test band", url: `${embed.storefront}/a.wav`, durationMs: 2000 },
      ],
    };
    await embed.stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: ["https://shop.test", embed.storefront],
      allowGuests: true,
      mapTiles: TILES,
      media,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  it("delegates geolocation to the launcher's frame, which then reads the visitor's position", async () => {
    const gateway = embed.stack.url;
    // Chromium keys a delegated permission on the top-level page: the visitor grants it to the storefront.
    await browser.context.grantPermissions(["geolocation"], { origin: embed.storefront });
    await browser.context.setGeolocation({ latitude: 52.52, longitude: 13.405, accuracy: 20 });
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await page.goto(`${embed.storefront}/`);
    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    const allow = await page.evaluate(
      () => (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot.querySelector("iframe")?.allow,
    );
    expect(allow?.split(";").map((s) => s.trim())).toEqual([
      "clipboard-write",
      "geolocation",
      "camera",
      "microphone",
      "display-capture",
    ]);
    const position = () =>
      new Promise<string>((resolve) =>
        navigator.geolocation.getCurrentPosition(
          (p) => resolve(`${p.coords.latitude},${p.coords.longitude}`),
          (e) => resolve(`error ${e.code}`),
          { timeout: 5000 },
        ),
      );
    expect(await frame.evaluate(position)).toBe("52.52,13.405");

    // The same frame page in an iframe without `allow`: the storefront's policy keeps geolocation to itself.
    await page.evaluate(
      (src) => {
        const iframe = document.createElement("iframe");
        iframe.src = src;
        iframe.title = "no delegation";
        document.body.append(iframe);
      },
      `${gateway}/widget/frame/?shop=${SHOP_ID}&origin=${encodeURIComponent(embed.storefront)}`,
    );
    const plain = await chatFrameWithout(page, frame);
    // PERMISSION_DENIED (1): blocked by permissions policy although the storefront was granted it.
    expect(await plain.evaluate(position)).toBe("error 1");
    await page.close();
  });

  it("hands the shop's map tiles and media to the chat, the message list, every message and the composer", async () => {
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await page.goto(`${embed.storefront}/`);
    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
    const composer = frame.getByRole("textbox").first();
    await composer.fill("Hello with features");
    await composer.press("Enter");
    await frame.getByText("Hello with features").waitFor();
    const features = { mapTiles: TILES, media };
    expect(await featuresIn(frame)).toEqual({
      chat: features,
      list: features,
      messages: [features],
      composer: features,
    });
    await page.screenshot({ path: artifactPath("frame-features.png") });
    await page.close();
  });
});

/** The second chat frame on the page (not `first`), once it booted. */
async function chatFrameWithout(page: Page, first: Frame): Promise<Frame> {
  const frame = await waitFor(
    () => page.frames().find((f) => f !== first && f.url().includes("/widget/frame/")),
    "the plain iframe",
  );
  await frame.waitForLoadState("load");
  return frame;
}
