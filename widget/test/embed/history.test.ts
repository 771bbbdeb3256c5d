// A customer's history on a second browser, through the real embed: the shop
// backend hands the storefront a key backup secret with the customer token,
// the storefront passes it to the widget (Parley('identify', {token,
// keyBackupSecret})), and the chat frame backs up its epoch keys sealed under
// it. A second browser profile of the same customer reads every earlier
// message; a profile on a storefront that gives no secret shows one
// explanation instead of a "could not be decrypted" bubble per message.
// Real Chromium (a fresh profile each), real gateway, nats-server and store.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
// @ts-expect-error: the example is plain JavaScript (no declarations)
import { startShopBackend } from "@parley/examples/shop-backend";
import { SHOP_ID, SHOP_SECRET, startStack, type TestStack, waitFor } from "@parley/gateway/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { chatFrame, ensureWidgetBuilt, exposeLauncherRoot, logIn } from "./fixtures.js";

type Backend = { url: string; close(): Promise<void> };
const MASTER = "demo-key-backup-master-secret-0123456789";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

describe("a customer's history on a second browser", () => {
  let stack: TestStack;
  /** The shop backend that hands out key backup secrets, and one that does not. */
  let withBackup: Backend;
  let withoutBackup: Backend;
  const browsers: BrowserSession[] = [];
  const sent = ["Hello, my order 1042 has not arrived", "It was a blue teapot", "Can you check the tracking?"];

  beforeAll(async () => {
    ensureWidgetBuilt();
    stack = await startStack({ servesFrame: true });
    const key = { alg: "HS256", secret: SHOP_SECRET };
    withBackup = await startShopBackend({ gatewayUrl: stack.url, shopId: SHOP_ID, key, keyBackupSecret: MASTER });
    withoutBackup = await startShopBackend({ gatewayUrl: stack.url, shopId: SHOP_ID, key });
    await stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: [withBackup.url, withoutBackup.url],
      allowGuests: true,
    });
    // The admin agent's device makes the team key customers' epochs are also sealed to.
    const agent = stack.agent({ encryption: true });
    await agent.connect();
    await agent.close();
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await withBackup?.close();
    await withoutBackup?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  /** A fresh browser profile, logged in on `storefront` as `name`, with the chat open. */
  async function openChat(storefront: string, name: string): Promise<{ page: Page; frame: Frame }> {
    const browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
    browsers.push(browser);
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await logIn(page, storefront, name);
    await page.hover("parley-launcher");
    const frame = await chatFrame(page);
    await page.click("parley-launcher");
    await frame.waitForSelector("#parley-root[data-state=connected]");
    return { page, frame };
  }

  it("shows every earlier message on the customer's second browser profile", async () => {
    const first = await openChat(withBackup.url, "Lena");
    const composer = first.frame.getByRole("textbox").first();
    for (const text of sent) {
      await composer.fill(text);
      await composer.press("Enter");
      await first.frame.getByText(text).waitFor();
    }
    // The first profile's frame has put its epoch key in the customer's backup.
    const conv = await waitFor(async () => {
      const [c] = await stack.gateway.store.listConversationsOfShop(SHOP_ID, 5);
      if (!c) return undefined;
      const rows = await stack.gateway.store.listKeyBackups(c.createdBy, c.id, 0, 10);
      return rows.length > 0 ? c : undefined;
    }, "the first profile's key backup");

    const second = await openChat(withBackup.url, "Lena");
    for (const text of sent) await second.frame.getByText(text).waitFor();
    expect(await second.frame.getByText("could not be decrypted").count()).toBe(0);
    expect(await second.frame.locator("parley-history-notice").count()).toBe(0);
    await second.page.screenshot({ path: artifactPath("history-second-profile.png") });

    // The second profile writes on; the first reads it (it joined the conversation's keys).
    const reply = "Sent from my other browser";
    const composer2 = second.frame.getByRole("textbox").first();
    await composer2.fill(reply);
    await composer2.press("Enter");
    await first.frame.getByText(reply).waitFor();
    expect((await stack.gateway.store.since(conv.id, 0, 10)).length).toBe(4);
  });

  it("explains once, in words a customer understands, where no key backup secret is given", async () => {
    const third = await openChat(withoutBackup.url, "Lena");
    const notice = third.frame.locator("parley-history-notice");
    await notice.waitFor();
    await third.frame.getByText("Earlier messages were sent to another device and can't be shown here.").waitFor();
    // One notice for all earlier messages; none of them as a bubble, none "could not be decrypted".
    expect(await notice.count()).toBe(1);
    expect(await third.frame.getByText("could not be decrypted").count()).toBe(0);
    for (const text of sent) expect(await third.frame.getByText(text).count()).toBe(0);
    expect(await third.frame.getByRole("note").count()).toBeGreaterThanOrEqual(1);
    await third.page.screenshot({ path: artifactPath("history-no-secret-en.png") });
    // The notice is accessible (axe inside the frame: no serious or critical violation).
    await third.frame.evaluate(AXE);
    const violations = (await third.frame.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> } }
      ).axe;
      return (await axe.run(document, { resultTypes: ["violations"] })).violations;
    })) as Array<{ id: string; impact: string }>;
    console.log(`axe with the history notice: ${violations.map((v) => `${v.id} (${v.impact})`).join(", ") || "none"}`);
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);

    await third.page.evaluate(() =>
      (window as unknown as { Parley: (c: string, a: string) => void }).Parley("locale", "de"),
    );
    await third.frame
      .getByText("Frühere Nachrichten wurden an ein anderes Gerät gesendet und können hier nicht angezeigt werden.")
      .waitFor();
    await third.page.screenshot({ path: artifactPath("history-no-secret-de.png") });

    // What this profile writes now, it reads (and the notice stays single).
    const composer = third.frame.getByRole("textbox").first();
    await composer.fill("Hello from a new browser");
    await composer.press("Enter");
    await third.frame.getByText("Hello from a new browser").waitFor();
    expect(await notice.count()).toBe(1);
  });
});
