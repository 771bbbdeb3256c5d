// The demo storefront's `?lang=de` in real Chromium against a real stack: the
// widget speaks German before the customer logs in and still after the shop's
// login redirect (and after logging out again), launcher and chat frame alike.

import { waitFor } from "@parley/gateway/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession } from "../harness/browser.js";
import {
  chatFrame,
  type Embed,
  type EmbedSession,
  exposeLauncherRoot,
  launcherState,
  startEmbedSession,
} from "./fixtures.js";

const isLoaded = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { Parley?: { loaded?: boolean } }).Parley?.loaded === true);

/** Opens the chat and reads the frame's language and its composer's placeholder; closes it again. */
async function chatLanguage(page: Page): Promise<{ label: string; lang: string; placeholder: string | null }> {
  const label = await waitFor(async () => (await launcherState(page)).label || undefined, "the launcher's label");
  await page.click("parley-launcher");
  const frame = await chatFrame(page);
  const textbox = frame.getByRole("textbox").first();
  await textbox.waitFor();
  const lang = await waitFor(
    async () => (await frame.evaluate(() => document.documentElement.lang)) || undefined,
    "the frame's language",
  );
  const placeholder = await textbox.getAttribute("placeholder");
  return { label, lang, placeholder };
}

describe("the storefront's ?lang=de", () => {
  let session: EmbedSession | undefined;
  let embed: Embed;
  let browser: BrowserSession;

  beforeAll(async () => {
    const started = await startEmbedSession();
    session = started;
    ({ embed, browser } = started);
  });
  afterAll(() => session?.[Symbol.asyncDispose]());

  it("keeps the widget German across the login and logout redirects", async () => {
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await page.goto(`${embed.storefront}/?lang=de`);
    await isLoaded(page);
    expect(await chatLanguage(page)).toEqual({ label: "Chat öffnen", lang: "de", placeholder: "Nachricht schreiben…" });
    await page.screenshot({ path: artifactPath("storefront-de-before-login.png") });

    await page.fill("#name", "Jonas");
    await Promise.all([page.waitForNavigation(), page.click("#login button")]);
    await page.waitForSelector("#logout:not([hidden])");
    await isLoaded(page);
    expect(await chatLanguage(page)).toEqual({ label: "Chat öffnen", lang: "de", placeholder: "Nachricht schreiben…" });
    await page.screenshot({ path: artifactPath("storefront-de-after-login.png") });

    // Logging out (the widget shuts down first, then the form posts) lands back in German too.
    await Promise.all([page.waitForNavigation(), page.click("#logout button")]);
    await page.waitForSelector("#login:not([hidden])");
    await isLoaded(page);
    expect((await launcherState(page)).label).toBe("Chat öffnen");
    await page.close();
  });

  it("the shop backend keeps only well-formed display options in its redirect", async () => {
    const post = (query: string) =>
      fetch(`${embed.storefront}/login${query}`, {
        method: "POST",
        body: new URLSearchParams({ name: "Jonas" }),
        redirect: "manual",
      });
    expect((await post("?lang=de&mode=dark")).headers.get("location")).toBe("/?lang=de&mode=dark");
    expect((await post("?lang=//evil.example&position=left&next=https://evil.example")).headers.get("location")).toBe(
      "/?position=left",
    );
    expect((await post("")).headers.get("location")).toBe("/");
  });
});
