// The snippet's queueing stub on a real storefront, in Chromium, against a real
// gateway: a storefront script that kept a reference to the stub
// (`const Parley = window.Parley`, as examples/storefront/app.js does) and calls
// it after parley.js has booted must still reach the launcher. Here the shop
// backend's customer token is held back until the launcher has booted, so the
// late `identify` goes through the kept stub; the chat must open as the
// logged-in customer, not as a guest.

import { waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserSession } from "../harness/browser.js";
import { chatFrame, type Embed, type EmbedSession, exposeLauncherRoot, logIn, startEmbedSession } from "./fixtures.js";

describe("the snippet's stub", () => {
  let session: EmbedSession | undefined;
  let embed: Embed;
  let browser: BrowserSession;
  let agent: ParleyClient;

  beforeAll(async () => {
    const started = await startEmbedSession();
    session = started;
    ({ embed, browser, agent } = started);
  });
  afterAll(() => session?.[Symbol.asyncDispose]());

  it("forwards calls made through a kept reference after parley.js booted: a late identify signs the customer in", async () => {
    const name = `Kept Stub ${crypto.randomUUID().slice(0, 6)}`;
    const page = await browser.newPage();
    await logIn(page, embed.storefront, name);

    // The token answer waits until the launcher has replaced the stub.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route("**/parley-token", async (route) => {
      await held;
      await route.continue();
    });
    await exposeLauncherRoot(page);
    await page.goto(`${embed.storefront}/`);
    await page.waitForFunction(() => (window as unknown as { Parley?: { loaded?: boolean } }).Parley?.loaded === true);
    const answered = page.waitForResponse("**/parley-token");
    release();
    await answered;

    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
    const text = `hello from ${name}`;
    const composer = frame.getByRole("textbox").first();
    await composer.fill(text);
    await composer.press("Enter");
    await frame.getByText(text).waitFor();

    // The agent sees the conversation under the customer's name: the token reached the frame.
    const mine = await waitFor(async () => {
      const list = await agent.listConversations();
      return list.find((c) => c.ownerName === name);
    }, `the agent to list ${name}'s conversation`);
    expect(mine.ownerName).toBe(name);
    await page.close();
  });
});
