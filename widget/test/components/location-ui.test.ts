// The location UI in real Chromium from fixture pins (location-page.ts; the page's stand-in client
// is explained in fixtures/components/location-fixture.ts), with the browser's real geolocation set
// through Playwright (`setGeolocation`, `grantPermissions`): the card once, live, ended and the
// viewer's own, in English and German; the attach menu and the share dialog by keyboard alone; a
// refused permission in words; going on with the own share after a reload (or offering to); no
// request beyond the page without a tile server, and with one, tiles from exactly that origin
// under `style-src 'self'`; axe-core; screenshots. The card tests fix the page's clock with
// Playwright's `page.clock` so ages and times are exact; it holds for the whole browser context, so
// they run last.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { poll } from "./fixture.js";
import { type FixturePin, locationPage, MIA, NOAH, pin } from "./location-page.js";

const lp = locationPage();
const { mount, card, text } = lp;

const T = Date.parse("2026-12-06T14:20:00Z");
const hhmm = (ts: number, locale: string) =>
  new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(ts);
const at = (t: number) => async (page: Page) => page.clock.setFixedTime(t);

/** Noah's place once, his live share, an ended one, and Mia's own live share about 1.2 km south-west of his. */
const pins: FixturePin[] = [
  pin("once", NOAH, { lat: 52.520008, lon: 13.404954, accuracy: 12, at: T - 60_000, label: "Main entrance" }),
  pin("live", NOAH, { lat: 52.53, lon: 13.42, accuracy: 8, at: T - 8_000, until: T + 15 * 60_000 }),
  pin("ended", NOAH, { lat: 52.5, lon: 13.4, accuracy: 20, at: T - 20 * 60_000, until: T - 5 * 60_000 }),
  pin("own", MIA, { lat: 52.5223, lon: 13.4074, accuracy: 5, at: T - 3_000, until: T + 60 * 60_000 }),
];

describe("sharing from the attach menu", () => {
  const here = { latitude: 48.137154, longitude: 11.576124, accuracy: 9 };

  const openDialogByKeyboard = async (page: Page) => {
    await page.locator("parley-composer [part=attach-button]").focus();
    await page.keyboard.press("Enter");
    const menu = page.locator("parley-composer [role=menu]");
    await menu.waitFor();
    expect(await menu.locator("[role=menuitem]").allInnerTexts()).toEqual(["Photo or file", "Share location"]);
    const focused = () =>
      page.evaluate(() =>
        document.querySelector("parley-composer")?.shadowRoot?.activeElement?.getAttribute("data-action"),
      );
    expect(await focused()).toBe("file");
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe("location");
    await page.keyboard.press("ArrowDown"); // wraps
    expect(await focused()).toBe("file");
    await page.keyboard.press("Escape");
    await poll(() => menu.count()).toBe(0);
    expect(
      await page.evaluate(() =>
        document.querySelector("parley-composer")?.shadowRoot?.activeElement?.getAttribute("part"),
      ),
    ).toBe("attach-button");
    await page.keyboard.press("Space");
    await menu.waitFor();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.locator("parley-location-share dialog[open]").waitFor();
  };

  it("sends the current location and shares live by keyboard alone", async () => {
    await lp.browser.context.grantPermissions(["geolocation"], { origin: lp.origin });
    await lp.browser.context.setGeolocation(here);
    const page = await mount();
    await openDialogByKeyboard(page);
    const dialog = page.locator("parley-location-share dialog");
    expect(
      await page.evaluate(() =>
        document
          .querySelector("parley-composer")
          ?.shadowRoot?.querySelector("parley-location-share")
          ?.shadowRoot?.activeElement?.getAttribute("data-action"),
      ),
    ).toBe("once");
    await page.screenshot({ path: artifactPath("location-dialog-en.png") });
    expect(await lp.axe(page)).toEqual([]);
    await page.keyboard.press("Enter");
    await poll(() => dialog.count()).toBe(0);
    const calls = await page.evaluate(() => window.__locationCalls);
    expect(calls).toEqual([
      { what: "share", arg: { convId: "conv-1", fix: { lat: 48.137154, lon: 11.576124, accuracy: 9 } } },
    ]);
    // Focus is back on the attach button.
    expect(
      await page.evaluate(() =>
        document.querySelector("parley-composer")?.shadowRoot?.activeElement?.getAttribute("part"),
      ),
    ).toBe("attach-button");

    // Live for 1 hour: Enter opens the menu, End + Enter the dialog, Tab to the durations, → to 1 hour, Tab, Enter.
    await page.keyboard.press("Enter");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await poll(() => dialog.count()).toBe(0);
    const live = await page.evaluate(() => window.__locationCalls.find((c) => c.what === "startLive")?.arg);
    expect(live).toEqual({
      convId: "conv-1",
      fix: { lat: 48.137154, lon: 11.576124, accuracy: 9 },
      options: { durationMs: 3_600_000 },
    });
    // The device moves: the watch feeds the share.
    await lp.browser.context.setGeolocation({ latitude: 48.14, longitude: 11.58, accuracy: 7 });
    await poll(() =>
      page.evaluate(() =>
        window.__locationCalls.filter((c) => c.what === "update").map((c) => (c.arg as { lat: number }).lat),
      ),
    ).toContain(48.14);
    const own = page.locator("parley-location", { has: page.locator("[data-live=on]") });
    await poll(async () => (await own.locator("article").innerText()).replace(/\s+/g, " ")).toContain(
      "48.14000° N, 11.58000° E",
    );
    await own.locator("[data-action=stop]").click();
    await poll(() => page.evaluate(() => window.__locationCalls.at(-1)?.what)).toBe("handle.stop");
    await page.close();
  });

  it("says in words, in German too, that the browser refused the location", async () => {
    await lp.browser.context.clearPermissions();
    for (const [locale, words] of [
      ["en", "Location access is blocked."],
      ["de", "Der Zugriff auf Ihren Standort ist blockiert."],
    ] as const) {
      const page = await mount({ locale });
      await page.locator("parley-composer [part=attach-button]").click();
      await page.locator("parley-composer [data-action=location]").click();
      await page.locator("parley-location-share [data-action=once]").click();
      const alert = page.locator("parley-location-share [role=alert]");
      await poll(() => alert.count()).toBe(1);
      expect(await alert.innerText()).toContain(words);
      expect(await page.locator("parley-location-share dialog[open]").count()).toBe(1);
      if (locale === "de") {
        await page.screenshot({ path: artifactPath("location-dialog-de-denied.png") });
        expect(await lp.axe(page)).toEqual([]);
      }
      expect(await page.evaluate(() => window.__locationCalls)).toEqual([]);
      await page.close();
    }
  });

  it("goes on with its own live share after a reload, or offers to when the browser would ask", async () => {
    const own = pin("mine", MIA, { lat: 48.1, lon: 11.5, accuracy: 5, at: T, until: Date.now() + 3_600_000 });
    const remember = async (page: Page) => {
      await page.addInitScript(
        (id) => localStorage.setItem("parley.location.live", JSON.stringify({ [id]: 1 })),
        "mine",
      );
    };
    await lp.browser.context.clearPermissions();
    const asked = await mount({ pins: [own], before: remember });
    await card(asked, "mine").locator("[data-action=resume]").waitFor();
    expect(await asked.evaluate(() => window.__locationCalls)).toEqual([]);
    await asked.close();

    await lp.browser.context.grantPermissions(["geolocation"], { origin: lp.origin });
    await lp.browser.context.setGeolocation(here);
    const page = await mount({ pins: [own], before: remember });
    await poll(() => page.evaluate(() => window.__locationCalls.map((c) => c.what))).toEqual(["resume", "update"]);
    expect(await card(page, "mine").locator("[data-action=resume]").count()).toBe(0);
    await page.close();
  });
});

describe("maps", () => {
  const onScreen = [pin("once", NOAH, { lat: 52.520008, lon: 13.404954, accuracy: 30, at: T, label: "Main entrance" })];

  it("fetches nothing beyond the page without a tile server", async () => {
    const origins = new Set<string>();
    const p = await mount({
      pins: onScreen,
      before: async (pg) => void pg.on("request", (r) => origins.add(new URL(r.url()).origin)),
    });
    expect(await card(p, "once").locator(".map").count()).toBe(0);
    await p.waitForTimeout(300);
    expect([...origins]).toEqual([lp.origin]);
    await p.close();
  });

  it("draws the shop's tiles from exactly their origin, under style-src 'self'", async () => {
    const origins = new Set<string>();
    const csp: string[] = [];
    const page = await mount({
      pins: onScreen,
      tiles: true,
      before: async (pg) => {
        pg.on("request", (r) => origins.add(new URL(r.url()).origin));
        pg.on("console", (m) => {
          if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
        });
      },
    });
    const map = card(page, "once").locator(".map");
    await poll(() => map.getAttribute("data-map")).toBe("ready");
    expect([...origins].sort()).toEqual([lp.origin, lp.tileServer.origin].sort());
    expect(lp.tileServer.requests.every((p) => /^\/tiles\/17\/\d+\/\d+\.png$/.test(p))).toBe(true);
    expect(await text(page, "once")).toContain("Map: © Test tiles");
    // The tiles are laid out by the adopted rules (absolute, visible once loaded).
    expect(
      await map
        .locator("img.leaflet-tile-loaded")
        .first()
        .evaluate((img) => getComputedStyle(img).position),
    ).toBe("absolute");
    expect(csp).toEqual([]);
    await page.screenshot({ path: artifactPath("location-map-en.png") });
    expect(await lp.axe(page)).toEqual([]);
    await page.close();
  });
});

describe("location card", () => {
  it("shows a place once, live, ended and the viewer's own, in English", async () => {
    const page = await mount({ pins, before: at(T) });
    const once = await text(page, "once");
    expect(once).toContain("Main entrance");
    expect(once).toContain("Shared by Noah");
    expect(once).toContain("52.52001° N, 13.40495° E");
    expect(once).toContain("±12 m");
    expect(once).toContain(hhmm(T - 60_000, "en"));
    expect(once).not.toContain("Live");
    const live = await text(page, "live");
    expect(live).toContain("Live location");
    expect(await card(page, "live").locator(".badge").innerText()).toBe("Live");
    expect(live).toContain("updated 8 s ago");
    expect(live).toContain(`until ${hhmm(T + 15 * 60_000, "en")}`);
    expect(live).toContain("From you 1.2 km north-east");
    expect(await card(page, "live").locator("[data-action=stop]").count()).toBe(0);
    const ended = await text(page, "ended");
    expect(ended).toContain("Live location ended");
    expect(await card(page, "ended").locator(".badge").count()).toBe(0);
    const own = await text(page, "own");
    expect(own).toContain("Shared by you");
    expect(own).toContain("updated just now");
    expect(own).not.toContain("From you");
    expect(await card(page, "own").locator("[data-action=stop]").innerText()).toBe("Stop sharing");
    // Links open only when followed: no prefetch, no referrer, no opener.
    const osm = card(page, "once").locator("a[data-link=osm]");
    expect(await osm.getAttribute("href")).toBe(
      "https://www.openstreetmap.org/?mlat=52.52001&mlon=13.40495#map=17/52.52001/13.40495",
    );
    expect(await osm.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await card(page, "once").locator("a[data-link=geo]").getAttribute("href")).toBe(
      "geo:52.52001,13.40495;u=12",
    );
    await page.screenshot({ path: artifactPath("location-cards-en.png"), fullPage: true });
    expect(await lp.axe(page)).toEqual([]);
    await page.close();
  });

  it("shows the same in German", async () => {
    const page = await mount({ pins, locale: "de", before: at(T) });
    const live = await text(page, "live");
    expect(live).toContain("Live-Standort");
    expect(live).toContain("vor 8 s aktualisiert");
    expect(live).toContain(`bis ${hhmm(T + 15 * 60_000, "de")}`);
    expect(live).toContain("Von Ihnen 1,2 km Richtung Nordosten");
    expect(await text(page, "once")).toContain("52,52001° N, 13,40495° O");
    expect(await text(page, "once")).toContain("Geteilt von Noah");
    expect(await text(page, "ended")).toContain("Live-Standort beendet");
    expect(await text(page, "own")).toContain("Von Ihnen geteilt");
    expect(await card(page, "own").locator("[data-action=stop]").innerText()).toBe("Teilen beenden");
    await page.screenshot({ path: artifactPath("location-cards-de.png"), fullPage: true });
    expect(await lp.axe(page)).toEqual([]);
    await page.close();
  });

  it("reads well in the dark theme too", async () => {
    const page = await mount({ pins, theme: "dark", before: at(T) });
    await page.screenshot({ path: artifactPath("location-cards-dark.png"), fullPage: true });
    expect(await lp.axe(page)).toEqual([]);
    await page.close();
  });

  it("ticks the age and ends a live share when its time is up, on the page's clock", async () => {
    const p = await mount({
      pins: [pin("live", NOAH, { lat: 52.53, lon: 13.42, accuracy: 8, at: T - 8_000, until: T + 15 * 60_000 })],
      before: (pg) => pg.clock.install({ time: T }),
    });
    expect(await text(p, "live")).toContain("updated 8 s ago");
    await p.clock.runFor(5_000);
    await poll(() => text(p, "live")).toContain("updated 13 s ago");
    await p.clock.runFor(15 * 60_000);
    await poll(() => text(p, "live")).toContain("Live location ended");
    expect(await card(p, "live").locator(".badge").count()).toBe(0);
    await p.close();
  });

  it("stops the own share from the card", async () => {
    const page = await mount({ pins, before: at(T) });
    await card(page, "own").locator("[data-action=stop]").click();
    await poll(() => text(page, "own")).toContain("Live location ended");
    expect(await page.evaluate(() => window.__locationCalls.map((c) => c.what))).toEqual(["stop"]);
    await page.close();
  });
});
