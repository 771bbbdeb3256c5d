// Issue 14, the shop's side: Ada, the shop's agent, acts on an order card from the merchant dashboard.
// Mia (English widget on the example storefront) asks the example bot about her order PX-1002; the bot
// answers with its order card (Preparing). Ada opens the conversation on the dashboard, moves the order
// to "Out for delivery" with the card's "Update status" control and adds a tracking link; Mia's widget
// shows the new status in place, the short timeline lines and "Track the delivery". Real gateway on a
// real port, nats-server, the embedded store, end-to-end encryption: Ada's dashboard is a team device
// (it holds the team key), so her events are vouched and apply on Mia's side too. Screenshot:
// widget/test-artifacts/cards-agent-dashboard-order.png.

import { AGENT_LOGIN, AGENT_PASSWORD } from "@parley/gateway/testing";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeCards, card, openChat, type StoryBot, startBot, texts, until } from "./cards-helpers.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { axeSerious, signIn } from "./group-helpers.js";

const TRACKING = "https://tracking.example.com/dhl/PX-1002";

describe("the agent acts on an order card from the dashboard; the customer sees it", () => {
  let shop: DashboardShop;
  let shopBot: StoryBot;
  const browsers: BrowserSession[] = [];
  let ada: Page;
  let mia: { page: Page; frame: Frame };

  beforeAll(async () => {
    shop = await startDashboardShop();
    const dash = await launchChromium({ viewport: { width: 1400, height: 1000 } });
    browsers.push(dash);
    // Ada signs in first: her dashboard device makes the team key and wraps it to the bot's device.
    ada = await signIn(dash, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    // Status steps are for group orders; this order card is the bot's answer about an existing order.
    shopBot = await startBot(shop.stack, 60_000);
    const browser = await launchChromium({ viewport: { width: 1000, height: 900 } });
    browsers.push(browser);
    const page = await browser.newPage();
    mia = await openChat(page, shop.backend.url, "Mia", "en");
  });
  afterAll(async () => {
    await shopBot?.bot.stop().catch(() => undefined);
    for (const b of browsers) await b.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("Ada moves Mia's order to Out for delivery and adds a tracking link; Mia's widget follows", async () => {
    const input = mia.frame.locator("parley-composer textarea");
    await input.fill("Where is my order PX-1002?");
    await input.press("Enter");
    const miaOrder = card(mia.frame, "order");
    await miaOrder.waitFor({ timeout: 20_000 });
    expect(await miaOrder.locator("[aria-current=step]").innerText()).toBe("Preparing");
    // The customer has no team controls.
    expect(await miaOrder.locator("[data-team], select[name=status], input[name=url]").count()).toBe(0);

    await ada.bringToFront();
    await ada.locator("dashboard-inbox li[data-conv-id]").first().click();
    const order = card(ada.locator("dashboard-conversation"), "order");
    await order.locator("select[name=status]").waitFor({ timeout: 20_000 });
    expect(await order.locator("select[name=status] option").allInnerTexts()).toEqual([
      "Out for delivery",
      "Delivered",
      "Cancelled",
    ]);
    expect(await order.locator("[data-action=split]").count()).toBe(0);
    await order.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await ada.screenshot({ path: artifactPath("cards-agent-dashboard-order.png") });
    expect(await axeSerious(ada)).toEqual([]);

    // A plain http: link is refused in words before anything is sent.
    const url = order.locator("form[data-form=tracking] input[name=url]");
    await url.fill("http://tracking.example.com/PX-1002");
    await url.press("Enter");
    expect(await order.locator("form[data-form=tracking] [role=alert]").innerText()).toBe(
      "Enter a full link that starts with https://, for example https://example.com/track/123.",
    );

    await order.locator("select[name=status]").selectOption("out_for_delivery");
    await order.locator("[data-action=status]").click();
    // On Ada's card the status moved and only the later steps remain.
    await until(
      () => order.locator("select[name=status] option").allInnerTexts(),
      (o) => o.join() === "Delivered,Cancelled",
      "Ada's remaining statuses",
    );
    await url.fill(TRACKING);
    await url.press("Enter");
    await until(
      () => order.locator("a", { hasText: "Track the delivery" }).count(),
      (n) => n === 1,
      "the tracking link on Ada's card",
    );
    await ada.screenshot({ path: artifactPath("cards-agent-dashboard-order-updated.png") });

    // Mia's widget: the new current step, the lines, and the link, with no refusal anywhere.
    await until(
      () => texts(mia.frame, "parley-card-note p"),
      (n) => n.includes("Order PX-1002: Out for delivery") && n.includes("Order PX-1002: tracking link added"),
      "Mia's status and tracking lines",
    );
    expect(await miaOrder.locator("[aria-current=step]").innerText()).toBe("Out for delivery");
    expect(await miaOrder.locator("a", { hasText: "Track the delivery" }).getAttribute("href")).toBe(TRACKING);
    expect(await order.locator("[role=alert]").count()).toBe(0);
    const { serious } = await axeCards(mia.frame);
    expect(serious).toEqual([]);
  });
});
