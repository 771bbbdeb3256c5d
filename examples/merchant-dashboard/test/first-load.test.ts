// What a new user's browser reports on a first visit, against the real stack
// (nats-server, the gateway serving the widget, the example shop backend and
// the dashboard on their own origins, Chromium): the storefront and the
// dashboard load, the chat opens and a photo goes up with no console error,
// no failed request and a single upload request; and the dashboard's sign-in
// page passes axe with every rule, best practices included.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type TestStack, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { artifactPath, type BrowserSession, chatFrame, launchChromium } from "@parley/widget/testing";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardServer } from "../serve.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/**
 * Whether a request Chromium reports as aborted had in fact received its whole body. When a
 * page reads a response body to the end before the network stack's own completion signal
 * arrives, Chromium tears the finished loader down and DevTools lists it as canceled: a race
 * inside Chromium (the widget reads the file to the end, then uses it), not a failed request.
 */
async function completeBeforeAbort(r: Request): Promise<boolean> {
  if (r.failure()?.errorText !== "net::ERR_ABORTED") return false;
  const response = await r.response().catch(() => null);
  const length = Number(response?.headers()["content-length"] ?? Number.NaN);
  if (response?.status() !== 200 || !Number.isInteger(length)) return false;
  const sizes = await r.sizes().catch(() => undefined);
  console.log(`${r.url()}: aborted after ${sizes?.responseBodySize} of ${length} body bytes`);
  return sizes?.responseBodySize === length;
}

/** Everything a page reports that a developer would see as a problem in DevTools. */
function watch(page: Page) {
  const problems: string[] = [];
  const started = new Map<object, string>();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const checks: Array<Promise<void>> = [];
  page.on("requestfailed", (r) => {
    checks.push(
      completeBeforeAbort(r).then((complete) => {
        if (!complete) problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
      }),
    );
  });
  page.on("request", (r) => started.set(r, `${r.method()} ${r.url()}`));
  page.on("requestfinished", (r) => started.delete(r));
  page.on("requestfailed", (r) => started.delete(r));
  return {
    /** Waits for the checks of failed requests, then lists the problems. */
    problems: async () => {
      await Promise.all(checks);
      return problems;
    },
    /** Requests that neither finished nor failed (WebSockets are not requests here). */
    unfinished: () => [...started.values()],
  };
}

describe("a first visit: the storefront and the dashboard", () => {
  let shop: DashboardShop;
  let stack: TestStack;
  let backend: DashboardShop["backend"];
  let dashboard: DashboardServer;
  let browser: BrowserSession;
  let agent: ParleyClient;
  const files: string[] = [];

  beforeAll(async () => {
    shop = await startDashboardShop();
    ({ stack, backend, dashboard } = shop);
    // The admin agent's device makes the shop's team key, so the customer's first epoch can wrap to it.
    agent = stack.agent({ encryption: true });
    agent.on("message", ({ message }) => {
      if (message.body?.type === "file") files.push(message.body.file.name);
    });
    await agent.connect();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("a guest opens the chat and sends a photo: no console error, no failed or unfinished request, one upload request", async () => {
    const page = await browser.newPage();
    const seen = watch(page);
    const uploads: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${stack.url}/v1/files`) && r.method() === "POST")
        uploads.push(`${r.method()} ${r.url()}`);
    });
    await page.goto(`${backend.url}/`);
    // Signed out: the storefront asked /me (nobody) and shows the login form.
    await page.waitForSelector("#login:not([hidden])");
    await page.waitForFunction(() => (window as unknown as { Parley?: { loaded?: boolean } }).Parley?.loaded === true);
    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    await frame
      .locator("parley-composer input[type=file]")
      .setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from(PNG_1X1, "base64") });
    await frame.locator("parley-composer [part=send-button]").click();
    await waitFor(() => files.includes("photo.png"), "the agent to receive the photo");
    await frame.locator("parley-message[own]", { hasText: "photo.png" }).locator("img").waitFor();
    await waitFor(() => seen.unfinished().length === 0, "every request to finish").catch(() => {});

    expect(await seen.problems()).toEqual([]);
    expect(seen.unfinished()).toEqual([]);
    expect(uploads).toEqual([expect.stringMatching(/^POST .*\/v1\/files\?convId=/)]);
    // No request for /favicon.ico: the page declares its icon.
    expect(await page.evaluate(() => document.querySelector("link[rel~=icon]")?.getAttribute("href"))).toBe("data:,");
    await page.screenshot({ path: artifactPath("first-load-storefront-photo.png") });
    await page.close();
  });

  it("the dashboard's sign-in page loads cleanly and axe (every rule, best practices included) finds nothing", async () => {
    const page = await browser.newPage();
    const seen = watch(page);
    await page.goto(`${dashboard.url}/`);
    await page.waitForSelector("dashboard-login input[name=login]");
    // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected inline script.
    await page.evaluate(AXE);
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } })
        .axe;
      return (await axe.run(document, { resultTypes: ["violations"] })).violations;
    })) as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>;
    expect(violations.map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`)).toEqual([]);
    expect(await page.evaluate(() => document.querySelector("link[rel~=icon]")?.getAttribute("href"))).toBe("data:,");
    await page.screenshot({ path: artifactPath("first-load-dashboard-login.png") });
    expect(await seen.problems()).toEqual([]);
    expect(seen.unfinished()).toEqual([]);
    await page.close();
  });
});
