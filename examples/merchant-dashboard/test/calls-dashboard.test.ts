// Issue 16, calls between the storefront widget and the merchant dashboard: Mia (the chat frame on the
// example storefront, served by the gateway under its CSP) starts a video call from the chat header;
// Ada's dashboard rings (the incoming dialog, focus on Accept); Ada accepts by keyboard, both show
// the call with the other's video playing (a decoded frame: videoWidth > 0) and a connection quality
// from getStats; Ada hangs up by keyboard and both timelines keep one line with the duration. Then
// Ada calls Mia (voice) while Mia's chat is closed: the launcher's ring bubble shows it on the
// storefront, Mia declines there, and both lines say "Declined". Real gateway on a real port,
// nats-server, the embedded store, end-to-end encryption, real Chromium with its fake camera and
// microphone. axe-core on the incoming, in-call and ended views. In English and German (German
// with the widget dark). Screenshots: widget/test-artifacts/calls-*.png. The time from Accept to
// the first decoded remote frame is printed (a figure for people, not asserted).

import { AGENT_LOGIN, AGENT_PASSWORD } from "@parley/gateway/testing";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Frame, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flat, openChat, texts, until } from "./cards-helpers.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { type AxeViolation, axeViolations, signIn } from "./group-helpers.js";

const WORDS = {
  en: {
    incoming: "Mia is calling you (video call)",
    hungUp: "You hung up.",
    othersLeft: "The others left the call.",
    declined: "The call was declined.",
    line: /^Video call · 0:\d\d$/,
    declinedLine: "Voice call · Declined",
    incomingFromAda: "Ada is calling you (video call)",
    ring: "Incoming voice call",
    ringFrom: "Ada from the shop is calling",
  },
  de: {
    incoming: "Mia ruft Sie an (Videoanruf)",
    hungUp: "Sie haben aufgelegt.",
    othersLeft: "Die anderen haben den Anruf verlassen.",
    declined: "Der Anruf wurde abgelehnt.",
    line: /^Videoanruf · 0:\d\d$/,
    declinedLine: "Sprachanruf · Abgelehnt",
    incomingFromAda: "Ada ruft Sie an (Videoanruf)",
    ring: "Eingehender Sprachanruf",
    ringFrom: "Ada vom Shop ruft an",
  },
} as const;

/** The width of the first remote video's decoded frames (0 until one is decoded). */
const remoteWidth = (scope: Locator) =>
  scope
    .locator("figure[data-peer] video")
    .first()
    .evaluate((v) => (v as HTMLVideoElement).videoWidth)
    .catch(() => 0);

/** The launcher's ring bubble (in its closed shadow root, exposed by the test), or null while hidden. */
const ringOf = (page: Page) =>
  page.evaluate(() => {
    const ring = (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot.querySelector<HTMLElement>(".r");
    return ring && !ring.hidden ? { text: ring.textContent ?? "", role: ring.getAttribute("role") } : null;
  });

/** Serious and critical axe findings inside `<parley-call>` (the rest of the page is not this test's). */
async function axeCall(target: Page | Frame): Promise<AxeViolation[]> {
  return (await axeViolations(target)).filter(
    (v) => (v.impact === "serious" || v.impact === "critical") && v.targets.some((t) => t.includes("parley-call")),
  );
}

/** The focused element through shadow roots, as `tag`, `tag[data-action=…]` or `tag[data-call=…]`. */
const focusOf = (target: Page | Frame) =>
  target.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return "none";
    const action = el.getAttribute("data-action");
    const call = el.getAttribute("data-call");
    return el.localName + (action ? `[data-action=${action}]` : call ? `[data-call=${call}]` : "");
  });

/** Presses Tab until the focused element (through shadow roots) matches `selector`, at most 12 times. */
async function tabTo(page: Page, target: Page | Frame, selector: string): Promise<void> {
  const focused = () =>
    target.evaluate((sel) => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return !!el?.matches(sel);
    }, selector);
  for (let i = 0; i < 12 && !(await focused()); i++) await page.keyboard.press("Tab");
  expect(await focused()).toBe(true);
}

describe.each(["en", "de"] as const)("calls between the widget and the dashboard (%s)", (lang) => {
  const w = WORDS[lang];
  let shop: DashboardShop;
  const browsers: BrowserSession[] = [];
  let ada: Page;
  let mia: { page: Page; frame: Frame };

  beforeAll(async () => {
    shop = await startDashboardShop();
    const dash = await launchChromium({
      media: true,
      viewport: { width: 1400, height: 1000 },
      locale: lang === "de" ? "de-DE" : "en-US",
    });
    browsers.push(dash);
    ada = await signIn(dash, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    const browser = await launchChromium({
      media: true,
      viewport: { width: 1000, height: 900 },
      colorScheme: lang === "de" ? "dark" : "light",
    });
    browsers.push(browser);
    mia = await openChat(await browser.newPage(), shop.backend.url, "Mia", lang);
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("Mia calls from the widget, Ada answers by keyboard in the dashboard, both see and hang up", async () => {
    const input = mia.frame.locator("parley-composer textarea");
    await input.fill("Can we talk?");
    await input.press("Enter");
    await ada.bringToFront();
    await ada.locator("dashboard-inbox li[data-conv-id]").first().click();
    const conv = ada.locator("dashboard-conversation");
    await conv.locator("parley-message").first().waitFor({ timeout: 20_000 });
    // The dashboard's header offers both calls.
    expect(await conv.locator("[part=call-button]").count()).toBe(2);

    // Keyboard only: Enter on the header's video call button; focus moves into the call (Mute), not to body.
    await mia.frame.locator("parley-chat [part=call-button][data-call=video]").focus();
    await mia.page.keyboard.press("Enter");
    const miaCall = mia.frame.locator("parley-call");
    await miaCall.locator("section[data-view=in-call]").waitFor({ timeout: 20_000 });
    await until(
      () => focusOf(mia.frame),
      (f) => f === "button[data-action=mute]",
      "Mia's focus on Mute",
    );

    const adaCall = ada.locator("dashboard-app parley-call");
    const ringing = adaCall.locator("section[data-view=incoming]");
    await ringing.waitFor({ timeout: 20_000 });
    expect(await ringing.getAttribute("role")).toBe("alertdialog");
    expect(flat(await ringing.locator("#call-desc").textContent())).toContain(w.incoming);
    // Focus moved to the dialog's first button: Accept with video.
    expect(await adaCall.evaluate((el) => el.shadowRoot?.activeElement?.getAttribute("data-action") ?? null)).toBe(
      "accept-video",
    );
    await ada.screenshot({ path: artifactPath(`calls-incoming-dashboard-${lang}.png`) });
    expect(await axeCall(ada)).toEqual([]);

    // Keyboard only: Enter on the focused Accept.
    const t0 = Date.now();
    await ada.keyboard.press("Enter");
    await adaCall.locator("section[data-view=in-call]").waitFor({ timeout: 20_000 });
    await until(
      () => focusOf(ada),
      (f) => f === "button[data-action=mute]",
      "Ada's focus on Mute after Accept",
    );
    await until(
      () => remoteWidth(adaCall),
      (px) => px > 0,
      "Ada's first remote frame",
    );
    const firstFrameMs = Date.now() - t0;
    console.info(`calls (${lang}): Accept to the first decoded remote frame at the agent: ${firstFrameMs} ms`);
    await until(
      () => remoteWidth(miaCall),
      (px) => px > 0,
      "Mia's first remote frame",
    );
    for (const scope of [adaCall, miaCall]) {
      await until(
        () => scope.locator("figure[data-peer] .q").first().getAttribute("data-quality"),
        (q) => q === "good" || q === "fair" || q === "poor",
        "a measured connection quality",
      );
      expect(await scope.locator("section[data-view=in-call]").getAttribute("data-phase")).toBe("connected");
      expect(flat(await scope.locator("[data-duration]").textContent())).toMatch(/\d:\d\d/);
    }
    // The customer is not offered screen sharing; the agent is.
    expect(await miaCall.locator("[data-action=share]").count()).toBe(0);
    expect(await adaCall.locator("[data-action=share]").count()).toBe(1);
    await ada.screenshot({ path: artifactPath(`calls-in-call-dashboard-${lang}.png`) });
    await mia.page.screenshot({ path: artifactPath(`calls-in-call-widget-${lang}.png`) });
    expect(await axeCall(ada)).toEqual([]);
    expect(await axeCall(mia.frame)).toEqual([]);

    // The device menu lists the fake devices; Escape closes it.
    await adaCall.locator("[data-action=devices]").click();
    await adaCall.locator("[role=menuitemradio]").first().waitFor();
    expect(await adaCall.locator("[role=menuitemradio][aria-checked=true]").count()).toBeGreaterThan(0);
    await ada.screenshot({ path: artifactPath(`calls-devices-dashboard-${lang}.png`) });
    await ada.keyboard.press("Escape");
    expect(await adaCall.locator("[role=menu]").count()).toBe(0);

    // Mia mutes and turns her camera off: Ada's tile of her says so.
    await miaCall.locator("[data-action=mute]").click();
    await miaCall.locator("[data-action=camera]").click();
    await adaCall.locator("figure[data-peer] [data-muted]").waitFor({ timeout: 20_000 });
    await adaCall.locator("figure[data-peer] [data-camera-off]").waitFor({ timeout: 20_000 });
    expect(await miaCall.locator("[data-action=mute]").getAttribute("aria-pressed")).toBe("true");
    await ada.screenshot({ path: artifactPath(`calls-muted-dashboard-${lang}.png`) });

    // Keyboard only: Tab to Hang up, Enter.
    await tabTo(ada, ada, "[data-action=hang-up]");
    await ada.keyboard.press("Enter");
    const adaEnded = adaCall.locator("section[data-view=ended]");
    await adaEnded.waitFor({ timeout: 20_000 });
    expect(flat(await adaEnded.locator("[data-reason-text]").textContent())).toBe(w.hungUp);
    const miaEnded = miaCall.locator("section[data-view=ended]");
    await miaEnded.waitFor({ timeout: 20_000 });
    expect(flat(await miaEnded.locator("[data-reason-text]").textContent())).toBe(w.othersLeft);
    await mia.page.screenshot({ path: artifactPath(`calls-ended-widget-${lang}.png`) });
    // Focus went back: Mia's to the button that started the call, Ada's to the inbox row the ring took it from.
    await until(
      () => focusOf(mia.frame),
      (f) => f === "button[data-call=video]",
      "Mia's focus back on the video call button",
    );
    await until(
      () => focusOf(ada),
      (f) => f === "li",
      "Ada's focus back on the inbox row",
    );
    expect(await axeCall(ada)).toEqual([]);
    expect(await axeCall(mia.frame)).toEqual([]);

    // One line per call in both timelines, with the duration.
    for (const scope of [conv, mia.frame]) {
      await until(
        () => texts(scope, "parley-call-note p"),
        (lines) => lines.length === 1 && w.line.test(lines[0] ?? ""),
        "the call's line with its duration",
      );
    }
    await adaEnded.locator("[data-action=dismiss]").click();
    await adaCall.locator("section").waitFor({ state: "detached" });
    await miaEnded.locator("[data-action=dismiss]").click();
    await miaCall.locator("section").waitFor({ state: "detached" });
  });

  it("Ada calls Mia with her chat closed: the launcher rings, Mia declines there", async () => {
    await mia.page.bringToFront();
    await mia.page.click("parley-launcher"); // closes the chat; the frame stays connected
    await mia.frame.locator("parley-chat").waitFor({ state: "attached" });
    const conv = ada.locator("dashboard-conversation");
    await conv.locator("[part=call-button][data-call=audio]").click();
    const ring = await until(
      () => ringOf(mia.page),
      (r) => r !== null,
      "the ring bubble on the launcher",
    );
    expect(ring?.text).toContain(w.ring);
    expect(ring?.text).toContain(w.ringFrom);
    expect(ring?.role).toBe("alertdialog");
    await mia.page.screenshot({ path: artifactPath(`calls-launcher-ring-${lang}.png`) });
    await mia.page.evaluate(() =>
      (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot
        .querySelector<HTMLElement>(".r [data-answer=decline]")
        ?.click(),
    );
    await until(
      () => ringOf(mia.page),
      (r) => r === null,
      "the ring bubble to go",
    );

    const adaEnded = ada.locator("dashboard-app parley-call section[data-view=ended]");
    await adaEnded.waitFor({ timeout: 20_000 });
    expect(flat(await adaEnded.locator("[data-reason-text]").textContent())).toBe(w.declined);
    await ada.screenshot({ path: artifactPath(`calls-ended-dashboard-${lang}.png`) });
    await until(
      () => texts(conv, "parley-call-note p"),
      (lines) => lines.length === 2 && lines[1] === w.declinedLine,
      "Ada's line for the declined call",
    );
    await until(
      () => texts(mia.frame, "parley-call-note p"),
      (lines) => lines.length === 2 && lines[1] === w.declinedLine,
      "Mia's line for the declined call",
    );
  });

  it("Ada calls with the chat open: Mia silences it with Escape, joins from its line and hangs up, by keyboard", async () => {
    await mia.page.bringToFront();
    await mia.page.click("parley-launcher"); // opens the chat again
    const miaCall = mia.frame.locator("parley-call");
    await miaCall
      .locator("section")
      .waitFor({ state: "detached" })
      .catch(() => undefined);
    const ended = miaCall.locator("[data-action=dismiss]");
    if (await ended.count()) await ended.click();
    await mia.frame.locator("parley-composer textarea").click(); // the frame has focus
    const conv = ada.locator("dashboard-conversation");
    await conv.locator("[part=call-button][data-call=video]").click();
    const adaCall = ada.locator("dashboard-app parley-call");

    const ringing = miaCall.locator("section[data-view=incoming]");
    await ringing.waitFor({ timeout: 20_000 });
    expect(flat(await ringing.locator("#call-desc").textContent())).toContain(w.incomingFromAda);
    expect(await ringing.locator("[data-team]").count()).toBe(1); // the verified team badge
    // Mia was typing: the ring (an alertdialog, announced) leaves her focus in the composer.
    expect(await focusOf(mia.frame)).toBe("textarea");
    await mia.page.screenshot({ path: artifactPath(`calls-incoming-widget-${lang}.png`) });
    await miaCall.locator("[data-action=accept-video]").focus();
    expect(await axeCall(mia.frame)).toEqual([]);

    // Escape silences it (the chat stays open); the call's line offers Join, which Enter takes.
    await mia.page.keyboard.press("Escape");
    await ringing.waitFor({ state: "detached" });
    expect(await mia.frame.locator("parley-chat").isVisible()).toBe(true);
    const join = mia.frame.locator("parley-call-note [data-action=join]");
    await join.waitFor();
    await join.focus();
    await mia.page.keyboard.press("Enter");
    await until(
      () => remoteWidth(miaCall),
      (px) => px > 0,
      "Mia's first remote frame",
    );
    await until(
      () => remoteWidth(adaCall),
      (px) => px > 0,
      "Ada's first remote frame",
    );
    expect(await join.count()).toBe(0);
    expect(await focusOf(mia.frame)).toBe("button[data-action=mute]"); // Join took focus into the call

    await tabTo(mia.page, mia.frame, "[data-action=hang-up]");
    await mia.page.keyboard.press("Enter");
    const miaEnded = miaCall.locator("section[data-view=ended]");
    await miaEnded.waitFor({ timeout: 20_000 });
    expect(flat(await miaEnded.locator("[data-reason-text]").textContent())).toBe(w.hungUp);
    const adaEnded = adaCall.locator("section[data-view=ended]");
    await adaEnded.waitFor({ timeout: 20_000 });
    expect(flat(await adaEnded.locator("[data-reason-text]").textContent())).toBe(w.othersLeft);
    for (const scope of [conv, mia.frame]) {
      await until(
        () => texts(scope, "parley-call-note p"),
        (lines) => lines.length === 3 && w.line.test(lines[2] ?? ""),
        "the third call's line with its duration",
      );
    }
    // Mia hung up by keyboard: focus is back in her composer (nothing before the ring had it).
    expect(await focusOf(mia.frame)).toBe("textarea");
    await mia.page.screenshot({ path: artifactPath(`calls-focus-back-widget-${lang}.png`) });
  });

  it("Ada calls Mia with her chat closed again: Accept on the ring bubble opens the chat on the call", async () => {
    const adaCall = ada.locator("dashboard-app parley-call");
    const dismiss = adaCall.locator("[data-action=dismiss]");
    if (await dismiss.count()) await dismiss.click();
    const miaCall = mia.frame.locator("parley-call");
    const miaDismiss = miaCall.locator("[data-action=dismiss]");
    if (await miaDismiss.count()) await miaDismiss.click();
    await mia.page.bringToFront();
    await mia.page.click("parley-launcher"); // closes the chat
    await ada.locator("dashboard-conversation [part=call-button][data-call=video]").click();
    await until(
      () => ringOf(mia.page),
      (r) => r !== null,
      "the ring bubble on the launcher",
    );
    await mia.page.evaluate(() =>
      (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot
        .querySelector<HTMLElement>(".r [data-answer=video]")
        ?.click(),
    );
    await until(
      () => ringOf(mia.page),
      (r) => r === null,
      "the ring bubble to go",
    );
    await until(
      () => remoteWidth(miaCall),
      (px) => px > 0,
      "Mia's first remote frame",
    ).catch(async (e) => {
      const state = await mia.frame.evaluate(() => {
        const chat = document.querySelector("parley-chat") as unknown as {
          client: import("@parley/sdk").ParleyClient;
          shadowRoot: ShadowRoot;
        };
        const c = chat.client.calls.current.value;
        return JSON.stringify({
          c: c && { ...c, peers: [...c.peers.values()].map((p) => ({ ...p, stream: !!p.stream })) },
          inc: chat.client.calls.incoming.value,
          view: chat.shadowRoot.querySelector("parley-call")?.shadowRoot?.textContent,
        });
      });
      // Kept for whoever reads a failure: the call as Mia's client holds it, and the browsers' errors.
      (await import("node:fs")).writeFileSync(
        artifactPath("calls-failure-mia.json"),
        `${state}\n${JSON.stringify(browsers.map((b) => b.errors))}`,
      );
      await mia.page.screenshot({ path: artifactPath("calls-failure-mia.png") });
      throw e;
    });
    expect(await mia.frame.locator("parley-chat").isVisible()).toBe(true);
    await adaCall.locator("[data-action=hang-up]").click();
    await miaCall.locator("section[data-view=ended]").waitFor({ timeout: 20_000 });
  });
});
