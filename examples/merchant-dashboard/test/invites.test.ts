// Invites on the merchant dashboard, against the real gateway and nats-server
// in Chromium: the agent's invite form says why an invite was refused (a
// handle nobody holds), a colleague invited by handle shows as "You invited
// @bob" in the conversation's message list, and "Bob joined (invited by you)" follows once the
// colleague accepts (through the SDK: the dashboard's accept UI is issue 13).

import {
  AGENT_LOGIN,
  AGENT_PASSWORD,
  freePorts,
  SHOP_ID,
  startStack,
  type TestStack,
  waitFor,
} from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { artifactPath, type BrowserSession, ensureWidgetBuilt, launchChromium } from "@parley/widget/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: the build script is plain JavaScript (no declarations)
import { buildDashboard } from "../build.mjs";
import { type DashboardServer, startDashboard } from "../serve.js";

const BOB = { login: "bob@shop.test", password: "bob's long password" };

describe("invites on the dashboard", () => {
  let stack: TestStack;
  let dashboard: DashboardServer;
  let browser: BrowserSession;
  const clients: ParleyClient[] = [];

  beforeAll(async () => {
    ensureWidgetBuilt();
    await buildDashboard();
    const [port] = await freePorts(1);
    const dashOrigin = `http://127.0.0.1:${port}`;
    stack = await startStack({ browserOrigins: [dashOrigin] });
    await stack.gateway.admin.addAgent(SHOP_ID, {
      ...BOB,
      displayName: "Bob",
      handle: "bob",
      role: "agent",
      kind: "agent",
    });
    dashboard = await startDashboard({
      port: port as number,
      gatewayUrl: stack.url,
      shopId: SHOP_ID,
      natsWsUrl: stack.nats.wsUrl,
    });
    browser = await launchChromium({ viewport: { width: 1400, height: 860 } });
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await browser?.close();
    await dashboard?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  async function signIn(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${dashboard.url}/`);
    await page.fill("dashboard-login input[name=login]", AGENT_LOGIN);
    await page.fill("dashboard-login input[name=password]", AGENT_PASSWORD);
    await page.click("dashboard-login button[type=submit]");
    await page.waitForSelector("dashboard-inbox");
    return page;
  }

  it("says why an invite was refused, and shows invited and joined in the conversation", async () => {
    const agent = await signIn();
    const customer = stack.customer("Mia", { encryption: true });
    clients.push(customer);
    await customer.connect();
    const conv = await customer.openConversation();
    await customer.send(conv.id, "My order never arrived");

    const row = `dashboard-inbox li[data-conv-id="${conv.id}"]`;
    await agent.click(row);
    await agent.locator("dashboard-conversation parley-message").getByText("My order never arrived").waitFor();

    const invite = async (handle: string) => {
      await agent.fill("dashboard-customer input[name=handle]", handle);
      await agent.click("dashboard-customer form button[type=submit]");
    };
    await invite("@nobody_here");
    await agent.waitForSelector("dashboard-customer [role=alert]");
    expect(await agent.textContent("dashboard-customer [role=alert]")).toBe(
      "Could not invite @nobody_here: no one has that handle.",
    );

    await invite("@bob");
    await agent.waitForSelector("dashboard-customer [role=status]");
    expect(await agent.textContent("dashboard-customer [role=status]")).toBe("Invited @bob.");
    const notices = () => agent.locator("dashboard-conversation parley-message-list [data-notice]").allTextContents();
    await waitFor(async () => (await notices()).join("|") === "You invited @bob", "the invited line");

    const bob = stack.agent({ auth: { kind: "agent", shopId: SHOP_ID, ...BOB } });
    clients.push(bob);
    await bob.connect();
    const pending = await waitFor(
      async () => (await bob.pendingInvites()).find((i) => i.convId === conv.id),
      "Bob's invite",
    );
    await bob.acceptInvite(pending.id);
    await waitFor(
      async () => (await notices()).join("|") === "You invited @bob|Bob joined (invited by you)",
      "the joined line",
    );
    await agent.screenshot({ path: artifactPath("dashboard-invites.png") });
    await agent.close();
  });
});
