// An admin agent reads the webhook delivery log in the Team panel, by keyboard, in English and
// German: a real receiver answers 500 once and then 200, and the panel shows the retry and the
// delivery of the same event.
import {
  ADMIN_TOKEN,
  AGENT_LOGIN,
  AGENT_PASSWORD,
  SHOP_ID,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from "@parley/gateway/testing";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { signIn } from "./group-helpers.js";

const WORDS = {
  en: { title: "Webhook deliveries", retry: "Will retry", delivered: "Delivered" },
  de: { title: "Webhook-Zustellungen", retry: "Wird wiederholt", delivered: "Zugestellt" },
} as const;

describe.each(["en", "de"] as const)("the webhook delivery log (%s)", (lang) => {
  const w = WORDS[lang];
  let shop: DashboardShop;
  let receiver: WebhookReceiver;
  let browser: BrowserSession;
  let ada: Page;

  beforeAll(async () => {
    shop = await startDashboardShop({
      env: { PARLEY_WEBHOOK_ALLOW_LOOPBACK: "true", PARLEY_WEBHOOK_BACKOFF: "100", PARLEY_WEBHOOK_POLL: "50" },
    });
    receiver = await startWebhookReceiver();
    receiver.script([500]);
    const res = await fetch(`${shop.stack.url}/v1/admin/shops/${SHOP_ID}/webhook`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(res.status).toBe(200);
    const customer = shop.stack.customer(`webhook-log-${lang}`);
    await customer.connect();
    await customer.openConversation();
    await customer.close();
    await waitFor(() => receiver.delivered().length > 0, "the delivery");
    browser = await launchChromium({
      viewport: { width: 1300, height: 900 },
      locale: lang === "de" ? "de-DE" : "en-US",
    });
    ada = await signIn(browser, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.[Symbol.asyncDispose]();
    await shop?.[Symbol.asyncDispose]();
  });

  it("shows the retried and the delivered attempt of one event, and refreshes by keyboard", async () => {
    await ada.focus('dashboard-app button[data-action="team"]');
    await ada.keyboard.press("Enter");
    const rows = ada.locator("dashboard-webhooks tbody tr");
    await rows.first().waitFor();
    expect(await ada.locator("dashboard-webhooks h3").textContent()).toBe(w.title);
    expect(await ada.locator("dashboard-webhooks p code").textContent()).toBe(receiver.url);
    const texts = await rows.allTextContents();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("conversation.opened");
    expect(texts[0]).toContain("200");
    expect(texts[0]).toContain(w.delivered);
    expect(texts[1]).toContain("500");
    expect(texts[1]).toContain(w.retry);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-event")));
    expect(new Set(ids).size).toBe(1);

    // A new event, then Refresh pressed by keyboard shows it.
    const customer = shop.stack.customer(`webhook-log-${lang}-2`);
    await customer.connect();
    await customer.openConversation();
    await customer.close();
    await waitFor(() => receiver.delivered().length > 1, "the second delivery");
    await ada.focus('dashboard-webhooks button[data-action="refresh-webhooks"]');
    await ada.keyboard.press("Enter");
    await waitFor(async () => (await rows.count()) === 3, "three rows");
    await ada.screenshot({ path: artifactPath(`webhook-log-${lang}.png`) });
  });
});
