// Listening together between the storefront's widget and the merchant dashboard, in English and in
// German, against the real stack (gateway serving the real frame with its CSP, nats-server, end-to-
// end encryption) in real Chromium, with real audio: WAV tracks from a real HTTP server on 127.0.0.1
// that the shop lists as its media (origin and catalog). Mia opens "Listen together" in the chat
// frame and plays the catalog; Ada, the shop's agent, joins from the card in her dashboard with a
// tap: the player bar appears above the messages and plays the same track at the same position as
// Mia's; Ada's pause pauses Mia's player. axe-core: no serious or critical violation in the frame or
// the dashboard with the picker, the card and the bar on screen. Screenshots:
// widget/test-artifacts/listen-{widget-picker,widget,dashboard,dashboard-picker}-{en,de}.png.

import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, SHOP_SECRET } from "@parley/gateway/testing";
import {
  artifactPath,
  type BrowserSession,
  launchChromium,
  type MediaServer,
  startMediaServer,
} from "@parley/widget/testing";
import type { Frame, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openChat } from "./cards-helpers.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { axeSerious, axeViolations, signIn, until } from "./group-helpers.js";

const WORDS = {
  en: { join: "Join", play: "Play", started: "Mia started listening together", picker: "Listen together" },
  de: {
    join: "Mithören",
    play: "Abspielen",
    started: "Mia hat das gemeinsame Hören gestartet",
    picker: "Gemeinsam hören",
  },
} as const;

/** The audio element of the player bar under `root`: its position (ms), track and whether it plays. */
const player = (root: Locator) =>
  root.locator("parley-listen-bar").evaluate((el) => {
    const audio = (el as unknown as { audio: HTMLAudioElement }).audio;
    return { ms: audio.currentTime * 1000, src: audio.src, paused: audio.paused };
  });

describe.each(["en", "de"] as const)("listening together, widget and dashboard (%s)", (lang) => {
  const w = WORDS[lang];
  let shop: DashboardShop;
  let media: MediaServer;
  const browsers: BrowserSession[] = [];
  let ada: Page;
  let mia: { page: Page; frame: Frame };

  beforeAll(async () => {
    shop = await startDashboardShop();
    media = await startMediaServer();
    await shop.stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: [shop.backend.url, shop.dashboard.url],
      allowGuests: true,
      media: media.media,
    });
    const dash = await launchChromium({
      viewport: { width: 1400, height: 1000 },
      locale: lang === "de" ? "de-DE" : "en-US",
    });
    browsers.push(dash);
    ada = await signIn(dash, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    const browser = await launchChromium({ viewport: { width: 1000, height: 900 } });
    browsers.push(browser);
    const page = await browser.newPage();
    mia = await openChat(page, shop.backend.url, "Mia", lang);
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await media?.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("Mia plays the shop's catalog from the widget; Ada joins from the dashboard and both play in step", async () => {
    const input = mia.frame.locator("parley-composer textarea");
    await input.fill(lang === "de" ? "Hören wir etwas?" : "Shall we listen to something?");
    await input.press("Enter");

    // The picker in the real frame (its CSP allows the shop's media origin only).
    await mia.frame.locator("parley-composer [part=attach-button]").click();
    await mia.frame.locator("parley-composer [role=menuitem][data-action=listen]").click();
    const picker = mia.frame.locator("parley-listen-picker dialog[open]");
    await picker.waitFor();
    expect(await picker.locator("h2").innerText()).toBe(w.picker);
    expect((await axeViolations(mia.frame)).filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual(
      [],
    );
    await mia.page.screenshot({ path: artifactPath(`listen-widget-picker-${lang}.png`) });
    await picker.locator("[data-action=play-all]").click();
    const miaBar = mia.frame.locator("parley-listen-bar [data-listen-bar]");
    await miaBar.waitFor({ timeout: 20_000 });
    await until(
      () => player(mia.frame.locator("parley-chat")),
      (p) => !p.paused && p.ms > 500,
      "Mia's player",
    );

    // Ada opens the conversation: the card offers Join; a tap starts her player in step with Mia's.
    await ada.bringToFront();
    await ada.locator("dashboard-inbox li[data-conv-id]").first().click();
    const conv = ada.locator("dashboard-conversation");
    const card = conv.locator("parley-listen-card article[data-kind=listen]");
    await card.waitFor({ timeout: 20_000 });
    expect((await card.innerText()).replace(/\s+/g, " ")).toContain(w.started);
    await card.locator("[data-action=join]", { hasText: w.join }).click();
    const adaBar = conv.locator("parley-listen-bar [data-listen-bar]");
    await adaBar.waitFor({ timeout: 20_000 });
    const [a, m] = await until(
      () => Promise.all([player(conv), player(mia.frame.locator("parley-chat"))]),
      ([x, y]) => !x.paused && x.src === y.src && Math.abs(x.ms - y.ms) < 500,
      "Ada's player in step with Mia's",
    );
    expect(a.src).toBe(media.media.catalog[0]?.url);
    expect(m.paused).toBe(false);
    expect(await axeSerious(ada)).toEqual([]);
    await ada.screenshot({ path: artifactPath(`listen-dashboard-${lang}.png`) });
    await mia.page.screenshot({ path: artifactPath(`listen-widget-${lang}.png`) });

    // Ada pauses: Mia's player stops too.
    await adaBar.locator("[data-action=pause]").click();
    await until(
      () => miaBar.getAttribute("data-playing"),
      (v) => v === "false",
      "Mia's bar paused",
    );
    await until(
      () => player(mia.frame.locator("parley-chat")),
      (p) => p.paused,
      "Mia's player paused",
    );
    expect((await axeViolations(mia.frame)).filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual(
      [],
    );

    // The dashboard's own picker (the agent can start a session too; one runs now, so it is only looked at).
    await conv.locator("parley-composer [part=attach-button]").click();
    await conv.locator("parley-composer [role=menuitem][data-action=listen]").click();
    const adaPicker = conv.locator("parley-listen-picker dialog[open]");
    await adaPicker.waitFor();
    expect(await axeSerious(ada)).toEqual([]);
    await ada.screenshot({ path: artifactPath(`listen-dashboard-picker-${lang}.png`) });
    await adaPicker.locator("[data-action=cancel]").click();
    await until(
      () => adaPicker.count(),
      (n) => n === 0,
      "the dashboard's picker closed",
    );
    expect(await adaBar.locator("[data-action=play]").getAttribute("aria-label")).toBe(w.play);
  });
});
