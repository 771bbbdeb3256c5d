// A live location share survives a reload of the storefront, in the real chat frame (its device
// and keys kept in IndexedDB) against the real stack: Mia shares live from the attach menu, the
// shop's agent (an SDK client in this process, a member through the team) sees the place; Mia
// reloads and her frame goes on with its share by itself (the browser granted the location
// already), so her next position reaches the agent. After another reload with the permission
// taken back, the card offers "Resume sharing" instead of prompting; once granted again and
// pressed, updates flow again. Real Chromium with a fake geolocation (Playwright's setGeolocation).
import { waitFor } from "@parley/gateway/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { chatFrame, type EmbedSession, exposeLauncherRoot, logIn, startEmbedSession } from "./fixtures.js";

/** Opens the chat on the page (after a load or reload) and waits until it is connected. */
async function openChat(page: Page): Promise<Frame> {
  await page.click("parley-launcher");
  const frame = await chatFrame(page);
  await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached", timeout: 20_000 });
  await frame.locator("parley-composer textarea").waitFor();
  return frame;
}

describe("a live share after a reload", () => {
  let session: EmbedSession;

  beforeAll(async () => {
    session = await startEmbedSession();
  });
  afterAll(async () => {
    await session?.[Symbol.asyncDispose]();
  });

  it("goes on by itself when allowed, and offers to resume when the browser would ask", async () => {
    const { embed, agent, browser } = session;
    const grant = () => browser.context.grantPermissions(["geolocation"], { origin: embed.storefront });
    await grant();
    await browser.context.setGeolocation({ latitude: 50.1109, longitude: 8.6821, accuracy: 10 });
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await logIn(page, embed.storefront, "Mia");
    let frame = await openChat(page);
    const input = frame.locator("parley-composer textarea");
    await input.fill("I'm on my way");
    await input.press("Enter");
    await frame.locator("parley-message [data-state=sent]").waitFor({ timeout: 20_000 });
    const convId = (await frame.evaluate(
      () => (document.querySelector("parley-chat") as unknown as { current?: string }).current,
    )) as string;

    await frame.locator("parley-composer [part=attach-button]").click();
    await frame.locator("parley-composer [data-action=location]").click();
    await frame.locator("parley-location-share [data-action=live]").click();
    await frame.locator("parley-location article[data-live=on]").waitFor({ timeout: 20_000 });
    const board = agent.location.board(convId);
    const latitude = (lat: number) =>
      waitFor(
        () => [...board.value.pins.values()].find((p) => p.live && p.fix.lat === lat),
        `the agent to see Mia at ${lat}`,
        20_000,
      );
    await latitude(50.1109);

    // Reload: the frame goes on with its share without a word.
    await page.reload();
    frame = await openChat(page);
    const own = frame.locator("parley-location article[data-live=on]");
    await own.locator("[data-action=stop]").waitFor({ timeout: 20_000 });
    expect(await own.locator("[data-action=resume]").count()).toBe(0);
    await browser.context.setGeolocation({ latitude: 50.112, longitude: 8.6821, accuracy: 10 });
    await latitude(50.112);

    // Reload with the permission taken back: "Resume sharing", and nothing sent until it is pressed.
    await browser.context.clearPermissions();
    await page.reload();
    frame = await openChat(page);
    const resume = frame.locator("parley-location article[data-live=on] [data-action=resume]");
    await resume.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifactPath("location-resume-offered.png") });
    await grant();
    await browser.context.setGeolocation({ latitude: 50.113, longitude: 8.6821, accuracy: 10 });
    await resume.click();
    await latitude(50.113);
    expect(await resume.count()).toBe(0);
    await page.close();
  });
});
