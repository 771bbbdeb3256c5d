// Two tabs of one customer on the storefront (two pages of one Chromium
// profile, so one login cookie and one IndexedDB), against a real gateway and
// nats-server: tab B is open on the empty chat before anything was said; tab A
// sends the first message; B switches to that conversation and shows it live;
// B replies and A shows the reply. End-to-end encryption is on, as in every frame.

import { waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession } from "../harness/browser.js";
import { chatFrame, type Embed, type EmbedSession, exposeLauncherRoot, logIn, startEmbedSession } from "./fixtures.js";

/** Opens the storefront in a new tab of the profile, opens the chat, and waits until it is connected. */
async function openChat(browser: BrowserSession, storefront: string): Promise<{ page: Page; frame: Frame }> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await exposeLauncherRoot(page);
  await page.goto(`${storefront}/`);
  await page.waitForSelector("#logout:not([hidden])");
  await page.click("parley-launcher");
  const frame = await chatFrame(page);
  await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
  return { page, frame };
}

async function say(frame: Frame, text: string): Promise<void> {
  const composer = frame.getByRole("textbox").first();
  await composer.fill(text);
  await composer.press("Enter");
}

describe("one customer in two tabs", () => {
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

  it("a tab left on the empty chat picks up the conversation the other tab opens, live, both ways", async () => {
    const login = await browser.newPage();
    await logIn(login, embed.storefront, "Tabea");
    await login.close();

    const b = await openChat(browser, embed.storefront);
    await b.frame.getByText("Ask us anything").waitFor();
    const a = await openChat(browser, embed.storefront);
    await a.frame.getByText("Ask us anything").waitFor();

    const first = `first from tab A ${crypto.randomUUID().slice(0, 8)}`;
    await say(a.frame, first);
    await a.frame.getByText(first).waitFor();
    await b.frame.getByText(first).waitFor();
    expect(await b.frame.getByText("Ask us anything").count()).toBe(0);

    const reply = `reply from tab B ${crypto.randomUUID().slice(0, 8)}`;
    await say(b.frame, reply);
    await a.frame.getByText(reply).waitFor();
    await b.frame.getByText(reply).waitFor();
    // One conversation for the customer, not one per tab.
    const mine = await waitFor(async () => {
      const list = await agent.listConversations();
      return list.filter((c) => c.ownerName === "Tabea");
    }, "the agent to list the customer's conversation");
    expect(mine).toHaveLength(1);
    for (const frame of [a.frame, b.frame]) {
      expect(await frame.getByText("This message could not be decrypted").count()).toBe(0);
    }
    await a.page.screenshot({ path: artifactPath("tabs-a.png") });
    await b.page.screenshot({ path: artifactPath("tabs-b.png") });
    await a.page.close();
    await b.page.close();
  });
});
