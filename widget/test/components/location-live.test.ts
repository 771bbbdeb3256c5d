// Locations between two people against the real stack (gateway, nats-server, end-to-end
// encryption, live signals) in real Chromium: Mia and Noah each in a browser context of their own
// with a fake geolocation (Playwright's `setGeolocation` + `grantPermissions`, the CDP
// geolocation override underneath). Mia sends her place once by keyboard alone; Noah sees it. She
// shares live: Noah sees "Live", the age and "until", and her position move as hers does; once
// Noah shares too, each sees the distance and direction to the other. Mia stops: both cards end
// and both timelines say so. Then Mia shares live again and closes her page: Noah's card ends when
// the 15 minutes are up. That time cannot be waited for, so Noah's page runs on Playwright's
// `page.clock` (installed before it loads; the jump moves Date and so the shared clock, nothing
// else), the one fake here. No request leaves for any origin but the gateway's and the page's
// (no tile server is configured). A refused permission is said in words. axe-core on the cards
// and the dialog in English and German; screenshots.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { type FixtureEnv, openChat, poll, seriousViolations, startFixtureEnv } from "./fixture.js";

const MUNICH = { latitude: 48.137154, longitude: 11.576124, accuracy: 9 };
const MOVED = { latitude: 48.14, longitude: 11.58, accuracy: 7 };
/** About 1.2 km south-west of MOVED. */
const NOAH_AT = { latitude: 48.1324, longitude: 11.5679, accuracy: 6 };

const flat = (t: string) => t.replace(/\s+/g, " ").trim();
const cardText = async (page: Page, nth = -1) =>
  flat(await page.locator("parley-location article").nth(nth).innerText());

async function say(page: Page, text: string): Promise<void> {
  const input = page.locator("parley-composer textarea");
  await input.fill(text);
  await input.press("Enter");
}

/** Opens the share dialog from the composer's attach menu, by keyboard. */
async function openShare(page: Page): Promise<void> {
  await page.locator("parley-composer [part=attach-button]").focus();
  await page.keyboard.press("Enter");
  await page.locator("parley-composer [role=menu]").waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.locator("parley-location-share dialog[open]").waitFor();
}

/** Starts a live share for the first duration (15 minutes) by keyboard. */
async function shareLive(page: Page): Promise<void> {
  await openShare(page);
  await page.keyboard.press("Tab"); // the durations (15 minutes is chosen)
  await page.keyboard.press("Tab"); // "Start sharing live"
  await page.keyboard.press("Enter");
  await page.locator("parley-location-share").waitFor({ state: "detached", timeout: 20_000 });
}

describe("locations between two people, live", () => {
  let env: FixtureEnv;
  let noahBrowser: BrowserSession;
  let mia: Page;
  let noah: Page;
  let convId: string;
  const origins = new Set<string>();

  beforeAll(async () => {
    env = await startFixtureEnv();
    noahBrowser = await launchChromium();
    for (const [session, at] of [
      [env.browser, MUNICH],
      [noahBrowser, NOAH_AT],
    ] as const) {
      await session.context.grantPermissions(["geolocation"], { origin: env.site.url });
      await session.context.setGeolocation(at);
    }
    // Noah's page runs on a clock the test can move (see the header).
    const noahPage = await noahBrowser.newPage();
    await noahPage.clock.install();
    for (const s of [env.browser, noahBrowser]) s.context.on("request", (r) => origins.add(new URL(r.url()).origin));

    mia = await openChat(env, { encryption: true, customer: "Mia" });
    await say(mia, "Meet me at the market?");
    convId = await mia.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
    await mia.locator("parley-message [data-state=sent]").waitFor();
    noah = await openChat(env, { encryption: true, customer: "Noah", page: noahPage });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "location_live_noah" }));
    const invited = noah.evaluate(
      () => new Promise<string>((resolve) => window.__client.on("invite", (i) => resolve(i.id))),
    );
    await mia.evaluate((id) => window.__client.invite(id, "@location_live_noah"), convId);
    await noah.evaluate((id) => window.__client.acceptInvite(id), await invited);
    await noah.waitForFunction((id) => window.__chat.current === id, convId, { timeout: 20_000 });
  });
  afterAll(async () => {
    await noahBrowser?.close();
    await env?.close();
  });

  it("sends a place once, shares it live, shows distance, stops for both, and never fetches a map", async () => {
    await openShare(mia);
    await mia.screenshot({ path: artifactPath("location-live-dialog-en.png") });
    expect(await seriousViolations(mia)).toEqual([]);
    await mia.keyboard.press("Enter"); // "Send your current location"
    await poll(() => noah.locator("parley-location article").count(), 20_000).toBe(1);
    const once = await cardText(noah);
    expect(once).toContain("Shared by Mia");
    expect(once).toContain("48.13715° N, 11.57612° E");
    expect(once).toContain("±9 m");

    await shareLive(mia);
    await poll(() => noah.locator("parley-location article[data-live=on]").count(), 20_000).toBe(1);
    const live = await cardText(noah);
    expect(live).toMatch(/updated (\d+ s ago|just now)/);
    expect(live).toMatch(/until \d\d?:\d\d/);
    expect(await mia.locator("parley-location article[data-live=on] [data-action=stop]").count()).toBe(1);
    // Mia moves; Noah's card follows (at most one update every 5 s).
    await env.browser.context.setGeolocation(MOVED);
    await poll(async () => cardText(noah), 30_000).toContain("48.14000° N, 11.58000° E");

    // Noah shares live too: each sees the distance and direction to the other's place.
    await shareLive(noah);
    await poll(async () => cardText(noah, 1), 20_000).toContain("From you 1.2 km north-east");
    await poll(
      async () => (await mia.locator("parley-location article").allInnerTexts()).map(flat).join("|"),
      20_000,
    ).toContain("From you 1.2 km south-west");
    await mia.screenshot({ path: artifactPath("location-live-mia.png") });
    await noah.screenshot({ path: artifactPath("location-live-noah.png") });
    expect(await seriousViolations(noah)).toEqual([]);

    // Mia stops: both cards end, both timelines say so.
    await mia.locator("parley-location article[data-live=on] [data-action=stop]").click();
    await poll(() => mia.locator("parley-location-note p").allInnerTexts(), 20_000).toEqual([
      "You stopped sharing your location",
    ]);
    await poll(() => noah.locator("parley-location-note p").allInnerTexts(), 20_000).toEqual([
      "Mia stopped sharing their location",
    ]);
    expect(await cardText(noah, 1)).toContain("Live location ended");
    // Noah ends his too.
    await noah.locator("parley-location article[data-live=on] [data-action=stop]").click();
    await poll(() => noah.locator("parley-location article[data-live=on]").count(), 20_000).toBe(0);

    expect([...origins].sort()).toEqual([env.site.url, env.stack.url].map((u) => new URL(u).origin).sort());
  });

  it("ends a live share for the viewer when its time is up, with the sharer's page closed", async () => {
    const before = await noah.locator("parley-location article").count();
    await shareLive(mia);
    await poll(() => noah.locator("parley-location article[data-live=on]").count(), 20_000).toBe(1);
    await mia.close();
    // Her device is gone; the share is still live until its end.
    await noah.waitForTimeout(1_500);
    expect(await noah.locator("parley-location article[data-live=on]").count()).toBe(1);
    // 15 minutes and a few seconds later on Noah's clock.
    await noah.clock.setSystemTime(Date.now() + 15 * 60_000 + 5_000);
    await poll(() => noah.locator("parley-location article[data-live=on]").count(), 20_000).toBe(0);
    expect(await noah.locator("parley-location article").count()).toBe(before + 1);
    expect(await cardText(noah)).toContain("Live location ended");
    await noah.screenshot({ path: artifactPath("location-live-expired.png") });
  });

  it("says so when the browser refuses the location, in German too", async () => {
    const denied = await launchChromium({ locale: "de-DE" });
    try {
      const page = await openChat(env, {
        encryption: true,
        customer: "Lea",
        locale: "de",
        page: await denied.newPage(),
      });
      await say(page, "Hallo");
      await page.locator("parley-message [data-state=sent]").waitFor();
      await page.locator("parley-composer [part=attach-button]").click();
      await page.locator("parley-composer [data-action=location]").click();
      await page.locator("parley-location-share [data-action=once]").click();
      await poll(() => page.locator("parley-location-share [role=alert]").count()).toBe(1);
      expect(await page.locator("parley-location-share [role=alert]").innerText()).toContain(
        "Der Zugriff auf Ihren Standort ist blockiert.",
      );
      await page.screenshot({ path: artifactPath("location-live-denied-de.png") });
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await denied.close();
    }
  });
});
