// `data-preload="returning"` on the script tag, on the example storefront in real Chromium against
// the real stack: a first visit loads nothing before intent, however long the page sits idle; once
// the visitor has opened the chat, the next page loads the frame by itself when the page is idle,
// so a call the shop's agent starts rings on the closed launcher without a hover; after `shutdown`
// (logout) the next page loads nothing again. Without the attribute nothing changes (embed.test.ts).
// The example storefront does not set the attribute: the test adds it to the script tag as it is parsed.
import { waitFor } from "@parley/gateway/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatFrame,
  type EmbedSession,
  exposeLauncherRoot,
  launcherState,
  logIn,
  startEmbedSession,
} from "./fixtures.js";

/** The launcher's ring bubble as the visitor sees it, or null while hidden. */
const ring = (page: Page) =>
  page.evaluate(() => {
    const el = (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot.querySelector<HTMLElement>(".r");
    return el && !el.hidden ? (el.textContent ?? "") : null;
  });

/** Waits until the real `Parley` function has replaced the stub. */
const launcherLoaded = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { Parley?: { loaded?: boolean } }).Parley?.loaded === true);

/** Long enough for the page's load and an idle callback (capped at 3 s) to have passed. */
const IDLE_PASSED_MS = 4_000;

describe('data-preload="returning"', () => {
  let session: EmbedSession;

  beforeAll(async () => {
    session = await startEmbedSession();
  });
  afterAll(async () => {
    await session?.[Symbol.asyncDispose]();
  });

  it("loads nothing on a first visit, the frame when idle for a returning chatter (a call rings at once), nothing after logout", async () => {
    const { storefront } = session.embed;
    const page = await session.browser.newPage();
    await exposeLauncherRoot(page);
    // The attribute is set on the script tag as the parser adds it, before the async script runs.
    await page.addInitScript(() => {
      new MutationObserver((records) => {
        for (const r of records)
          for (const node of r.addedNodes)
            if (node instanceof HTMLScriptElement && node.dataset.shop) node.dataset.preload = "returning";
      }).observe(document, { childList: true, subtree: true });
    });
    await logIn(page, storefront, "Pia");
    await launcherLoaded(page);
    await page.waitForTimeout(IDLE_PASSED_MS);
    expect((await launcherState(page)).frames).toBe(0);

    // Pia opens the chat once and writes; then closes it.
    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
    const composer = frame.locator("parley-composer textarea");
    await composer.fill("Is the grinder in stock?");
    await composer.press("Enter");
    await frame.getByText("Is the grinder in stock?").waitFor();
    await page.click("parley-launcher");

    // The next page: the frame loads by itself once the page is idle, the chat stays closed.
    await page.reload();
    await launcherLoaded(page);
    await page.mouse.move(0, 0);
    await waitFor(async () => (await launcherState(page)).frames === 1, "the frame to load when the page is idle");
    const again = await chatFrame(page);
    await again.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });

    // The shop's agent calls: the closed launcher rings without a hover.
    const agent = session.agent;
    const conv = await waitFor(
      async () => (await agent.listConversations()).find((c) => c.ownerName === "Pia"),
      "the agent to see Pia's conversation",
    );
    await agent.send(conv.id, { type: "call", call: { media: "video", at: Math.round(agent.clock.now()) } });
    await waitFor(async () => (await ring(page)) !== null, "the launcher to ring");
    expect(await ring(page)).toContain("Incoming video call");

    // Logout forgets it: the next page loads nothing before intent.
    await page.evaluate(() => (window as unknown as { Parley: (c: string) => Promise<void> }).Parley("shutdown"));
    await page.reload();
    await launcherLoaded(page);
    await page.waitForTimeout(IDLE_PASSED_MS);
    expect((await launcherState(page)).frames).toBe(0);
    await page.close();
  });
});
