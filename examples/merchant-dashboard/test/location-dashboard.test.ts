// Issue 15, the shop's side of locations: Mia (English widget on the example storefront, the chat
// frame served by the gateway under its CSP) sends her place from the attach menu; Ada sees it on
// the merchant dashboard as the same card, and shares a courier's live location back from the
// dashboard composer's attach menu; Mia's widget shows it live with "Stop sharing" nowhere (it is
// Ada's), Ada stops it and both timelines say so. Real gateway on a real port, nats-server, the
// embedded store, end-to-end encryption, real Chromium with a fake geolocation per browser context
// (Playwright's `setGeolocation` + `grantPermissions`). No request leaves for a map origin (no
// tile server configured). In English and German. Screenshots: widget/test-artifacts/location-dashboard-*.png.

import { AGENT_LOGIN, AGENT_PASSWORD } from "@parley/gateway/testing";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flat, openChat, texts, until } from "./cards-helpers.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { axeSerious, axeViolations, signIn } from "./group-helpers.js";

const MIA_AT = { latitude: 52.520008, longitude: 13.404954, accuracy: 12 };
const COURIER_AT = { latitude: 52.5301, longitude: 13.4203, accuracy: 8 };

const WORDS = {
  en: {
    menu: ["Photo or file", "Share location"],
    coords: "52.52001° N, 13.40495° E",
    by: "Shared by Mia",
    courierBy: "Shared by Ada · From the shop",
    courier: "52.53010° N, 13.42030° E",
    age: /updated (\d+ s ago|just now)/,
    stoppedOther: /stopped sharing their location$/,
    stoppedOwn: "You stopped sharing your location",
    ended: "Live location ended",
  },
  de: {
    menu: ["Foto oder Datei", "Standort teilen"],
    coords: "52,52001° N, 13,40495° O",
    by: "Geteilt von Mia",
    courierBy: "Geteilt von Ada · Vom Shop",
    courier: "52,53010° N, 13,42030° O",
    age: /(vor \d+ s|gerade eben) aktualisiert/,
    stoppedOther: /hat das Teilen des Standorts beendet$/,
    stoppedOwn: "Sie haben das Teilen Ihres Standorts beendet",
    ended: "Live-Standort beendet",
  },
} as const;

describe.each(["en", "de"] as const)("locations between the widget and the dashboard (%s)", (lang) => {
  const w = WORDS[lang];
  let shop: DashboardShop;
  const browsers: BrowserSession[] = [];
  const origins = new Set<string>();
  let ada: Page;
  let mia: { page: Page; frame: Frame };

  beforeAll(async () => {
    shop = await startDashboardShop();
    const dash = await launchChromium({
      viewport: { width: 1400, height: 1000 },
      locale: lang === "de" ? "de-DE" : "en-US",
    });
    browsers.push(dash);
    await dash.context.grantPermissions(["geolocation"], { origin: shop.dashboard.url });
    await dash.context.setGeolocation(COURIER_AT);
    ada = await signIn(dash, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    const browser = await launchChromium({ viewport: { width: 1000, height: 900 } });
    browsers.push(browser);
    // The frame asks on behalf of the storefront (the iframe's allow="geolocation" delegates it).
    for (const origin of [shop.backend.url, shop.stack.url])
      await browser.context.grantPermissions(["geolocation"], { origin });
    await browser.context.setGeolocation(MIA_AT);
    for (const b of browsers) b.context.on("request", (r) => origins.add(new URL(r.url()).origin));
    const page = await browser.newPage();
    mia = await openChat(page, shop.backend.url, "Mia", lang);
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("Mia sends her place; Ada sees it and shares a courier live from the dashboard", async () => {
    const input = mia.frame.locator("parley-composer textarea");
    await input.fill("Please deliver here");
    await input.press("Enter");
    await mia.frame.locator("parley-composer [part=attach-button]").click();
    await mia.frame.locator("parley-composer [data-action=location]").click();
    await mia.frame.locator("parley-location-share [data-action=once]").click();
    await mia.frame.locator("parley-location article[data-kind]").waitFor({ timeout: 20_000 });

    await ada.bringToFront();
    await ada.locator("dashboard-inbox li[data-conv-id]").first().click();
    const conv = ada.locator("dashboard-conversation");
    const place = conv.locator("parley-location article[data-kind]").first();
    await place.waitFor({ timeout: 20_000 });
    expect(flat(await place.innerText())).toContain(w.coords);
    expect(flat(await place.innerText())).toContain("±12 m");
    expect(flat(await place.innerText())).toContain(w.by);

    // The dashboard's composer has the same menu.
    await conv.locator("parley-composer [part=attach-button]").focus();
    await ada.keyboard.press("Enter");
    expect(await conv.locator("parley-composer [role=menuitem]").allInnerTexts()).toEqual(w.menu);
    await ada.keyboard.press("End");
    await ada.keyboard.press("Enter");
    await conv.locator("parley-location-share dialog[open]").waitFor();
    await ada.keyboard.press("Tab");
    await ada.keyboard.press("Tab");
    await ada.keyboard.press("Enter");
    const courier = conv.locator("parley-location article[data-live=on]");
    await courier.waitFor({ timeout: 20_000 });
    expect(await courier.locator("[data-action=stop]").count()).toBe(1);
    await place.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await ada.screenshot({ path: artifactPath(`location-dashboard-agent-${lang}.png`) });
    expect(await axeSerious(ada)).toEqual([]);

    // Mia's widget: the courier's place, live, without "Stop sharing" (it is not hers).
    const live = mia.frame.locator("parley-location article[data-live=on]");
    await live.waitFor({ timeout: 20_000 });
    expect(flat(await live.innerText())).toMatch(w.age);
    expect(flat(await live.innerText())).toContain(w.courier);
    expect(flat(await live.innerText())).toContain(w.courierBy);
    expect(await live.locator("[data-action=stop]").count()).toBe(0);
    await mia.page.screenshot({ path: artifactPath(`location-dashboard-widget-${lang}.png`) });
    const serious = (await axeViolations(mia.frame)).filter(
      (v) =>
        (v.impact === "serious" || v.impact === "critical") && v.targets.some((t) => t.includes("parley-location")),
    );
    expect(serious).toEqual([]);

    await courier.locator("[data-action=stop]").click();
    await until(
      () => texts(mia.frame, "parley-location-note p"),
      (n) => n.length === 1 && w.stoppedOther.test(n[0] ?? ""),
      "Mia's line for the stopped share",
    );
    await until(
      () => texts(conv, "parley-location-note p"),
      (n) => n.join() === w.stoppedOwn,
      "Ada's line",
    );
    expect(flat(await mia.frame.locator("parley-location article[data-kind]").last().innerText())).toContain(w.ended);
    const allowed = [shop.stack.url, shop.backend.url, shop.dashboard.url].map((u) => new URL(u).origin);
    expect([...origins].filter((o) => !allowed.includes(o))).toEqual([]);
  });
});
