/**
 * Issue 16's "done when", on `npm run demo` itself: a shopper opens the demo
 * storefront's chat, starts a video call from its header, and the demo's
 * agent (the login the demo prints) answers it in the demo's dashboard; both
 * see the other's video (a decoded frame), the agent hangs up, and both
 * timelines keep the call's line with its duration. Real processes (the demo
 * script, its nats-server, gateway, storefront, bot and dashboard), real
 * Chromium with its fake camera and microphone. Screenshots:
 * widget/test-artifacts/demo-call-*.png.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactPath, type BrowserSession, chatFrame, launchChromium, logIn } from "@parley/widget/testing";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoRun, requireBuild, startDemo } from "./harness/demo.js";
import { waitFor } from "./helpers.js";

/** The width of the first remote video's decoded frames in a call view (0 until one is decoded). */
const remoteWidth = (call: Locator) =>
  call
    .locator("figure[data-peer] video")
    .first()
    .evaluate((v) => (v as HTMLVideoElement).videoWidth)
    .catch(() => 0);

/** Signs in to the dashboard and waits until its device holds the team key. */
async function signIn(session: BrowserSession, url: string, login: string, password: string): Promise<Page> {
  const page = await session.newPage();
  await page.goto(`${url}/`);
  await page.fill("dashboard-login input[name=login]", login);
  await page.fill("dashboard-login input[name=password]", password);
  await page.click("dashboard-login button[type=submit]");
  await page.waitForSelector("dashboard-inbox");
  await waitFor(
    () =>
      page.evaluate(() => {
        const app = document.querySelector("dashboard-app") as unknown as {
          dash?: { team: { state: { value: { key: string } } } };
        };
        return app.dash?.team.state.value.key === "ready";
      }),
    "the agent's device to hold the team key",
    30_000,
  );
  return page;
}

describe("a video call on npm run demo", () => {
  let dir: string;
  let demo: DemoRun | undefined;
  const browsers: BrowserSession[] = [];

  beforeAll(async () => {
    requireBuild();
    dir = await mkdtemp(join(tmpdir(), "parley-demo-call-"));
    demo = await startDemo(dir);
  }, 90_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    demo?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a shopper calls from the storefront widget and the demo's agent answers in the dashboard", async () => {
    const info = (demo as DemoRun).info;
    const shopper = await launchChromium({ media: true, viewport: { width: 1000, height: 900 } });
    browsers.push(shopper);
    const page = await shopper.newPage();
    await logIn(page, info.storefrontUrl, "Zoe");
    await page.hover("parley-launcher");
    const frame = await chatFrame(page);
    await page.click("parley-launcher");
    await frame.waitForSelector("#parley-root[data-state=connected]");
    const composer = frame.locator("parley-composer textarea");
    await composer.fill("Could you show me the grinder on video?");
    await composer.press("Enter");

    const agent = await launchChromium({ media: true, viewport: { width: 1400, height: 1000 } });
    browsers.push(agent);
    const dash = await signIn(agent, info.dashboardUrl, info.agentLogin, info.agentPassword);

    await frame.locator("parley-chat [part=call-button][data-call=video]").click();
    const shopperCall = frame.locator("parley-call");
    await shopperCall.locator("section[data-view=in-call]").waitFor({ timeout: 30_000 });

    const agentCall = dash.locator("dashboard-app parley-call");
    await agentCall.locator("section[data-view=incoming]").waitFor({ timeout: 30_000 });
    await dash.screenshot({ path: artifactPath("demo-call-1-dashboard-rings.png") });
    await agentCall.locator("[data-action=accept-video]").click();

    for (const call of [agentCall, shopperCall]) {
      await waitFor(async () => (await remoteWidth(call)) > 0, "a decoded remote frame", 30_000);
      expect(await call.locator("section[data-view=in-call]").getAttribute("data-phase")).toBe("connected");
    }
    await page.screenshot({ path: artifactPath("demo-call-2-storefront-in-call.png") });
    await dash.screenshot({ path: artifactPath("demo-call-2-dashboard-in-call.png") });

    await agentCall.locator("[data-action=hang-up]").click();
    await shopperCall.locator("section[data-view=ended]").waitFor({ timeout: 30_000 });
    // Both timelines keep one line for the call, with its duration.
    const line = /^Video call · \d+:\d\d$/;
    const lines = async (scope: Locator | typeof frame) =>
      (await scope.locator("parley-call-note p").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    await waitFor(async () => (await lines(frame)).some((t) => line.test(t)), "the call's line in the widget", 30_000);
    const conv = dash.locator("dashboard-conversation");
    await waitFor(
      async () => (await lines(conv)).some((t) => line.test(t)),
      "the call's line in the dashboard",
      30_000,
    );
    await page.screenshot({ path: artifactPath("demo-call-3-storefront-ended.png") });
  }, 150_000);
});
