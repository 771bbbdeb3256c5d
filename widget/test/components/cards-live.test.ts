// Cards against the real stack (gateway, nats-server, end-to-end encryption) in real Chromium:
// the shop's agent posts a menu into Mia's conversation, Mia starts a group order from it in her
// widget, Noah (invited by @handle) adds an item in his, and Mia's cart shows Noah's line and
// subtotal live. The cart edit itself leaves no line in either timeline. The agent watches in the
// agent view of the same components (the dashboard reuses <parley-message-list>).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

async function say(page: Page, line: string): Promise<void> {
  const input = page.locator("parley-composer textarea");
  await input.fill(line);
  await input.press("Enter");
}

const cardText = async (page: Page, kind: string) =>
  (await page.locator(`parley-card article[data-kind=${kind}]`).innerText()).replace(/[ \t\n]+/g, " ");

describe("cards between customers, live", () => {
  let env: FixtureEnv;

  beforeAll(async () => {
    env = await startFixtureEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it("two customers build one cart and each sees the other's line live", async () => {
    // The agent's device comes first: it makes the team key the customers' conversations include.
    const agent = await openChat(env, { encryption: true, agent: true, mode: "agent" });
    const mia = await openChat(env, { encryption: true, customer: "Mia" });
    await say(mia, "We would like to order together");
    const convId = await mia.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
    await mia.locator("parley-message [data-state=sent]").waitFor();

    const noah = await openChat(env, { encryption: true, customer: "Noah" });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "cards_live_noah" }));
    const invited = noah.evaluate(
      () => new Promise<string>((resolve) => window.__client.on("invite", (i) => resolve(i.id))),
    );
    await mia.evaluate((id) => window.__client.invite(id, "@cards_live_noah"), convId);
    await noah.evaluate((id) => window.__client.acceptInvite(id), await invited);
    await poll(() => noah.evaluate(() => window.__chat.current)).toBe(convId);

    await agent.evaluate((id) => {
      window.__chat.conversationId = id;
    }, convId);
    await agent.getByText("We would like to order together").waitFor({ timeout: 20_000 });
    const menu = {
      kind: "menu",
      v: 1,
      title: "Pizza Place",
      currency: "EUR",
      sections: [
        { id: "pizza", name: "Pizza", items: [{ id: "marg", name: "Margherita", price: 850 }] },
        { id: "drinks", name: "Drinks", items: [{ id: "lemo", name: "Lemonade", price: 350 }] },
      ],
    } as const;
    await agent.evaluate(([id, card]) => window.__client.cards.post(id, card as never), [convId, menu] as const);
    await poll(() => mia.locator("parley-card article[data-kind=menu]").count(), 20_000).toBe(1);
    expect(await cardText(mia, "menu")).toContain("From the shop");

    await mia.locator("parley-card [data-action=start]").click();
    await poll(() => noah.locator("parley-card article[data-kind=cart]").count(), 20_000).toBe(1);
    await poll(() => mia.locator("parley-card article[data-kind=cart]").count(), 20_000).toBe(1);

    // Noah adds a lemonade; Mia sees it without doing anything.
    const noahCart = noah.locator("parley-card:has(article[data-kind=cart])");
    await noahCart.locator("select[name=item]").selectOption("lemo");
    await noahCart.locator("[data-action=add]").click();
    await poll(async () => (await cardText(mia, "cart")).includes("Subtotal Noah €3.50"), 20_000).toBe(true);
    // Mia adds hers; Noah sees it, and the total covers both.
    const miaCart = mia.locator("parley-card:has(article[data-kind=cart])");
    await miaCart.locator("[data-action=add]").click();
    await poll(async () => (await cardText(noah, "cart")).includes("Subtotal Mia €8.50"), 20_000).toBe(true);
    expect(await cardText(noah, "cart")).toContain("Total €12.00");
    // The agent's view shows the same cart, live.
    await poll(async () => (await cardText(agent, "cart")).includes("Total €12.00"), 20_000).toBe(true);
    // Cart edits leave no line or bubble in the timeline.
    expect(await mia.locator("parley-card-note p").count()).toBe(0);

    // The shop answers with an order card and moves its status: Mia's timeline gets one short line,
    // the card changes in place; "Ask about this order" puts the order in her composer, focused.
    const orderId = await agent.evaluate(
      ([id]) =>
        window.__client.cards
          .post(id, {
            kind: "order",
            v: 1,
            number: "PX-2001",
            currency: "EUR",
            items: [{ name: "Margherita", quantity: 1, unitPrice: 850 }],
            tax: 0,
            delivery: 0,
            status: "placed",
            actions: ["contact", "reorder"],
          })
          .then((m) => m.msgId),
      [convId] as const,
    );
    await poll(() => mia.locator("parley-card article[data-kind=order]").count(), 20_000).toBe(1);
    await agent.evaluate(
      ([id, card]) => window.__client.cards.act(id, { v: 1, card, op: "status", status: "confirmed" }),
      [convId, orderId] as const,
    );
    await poll(() => mia.locator("parley-card-note p").allInnerTexts(), 20_000).toEqual(["Order PX-2001: Confirmed"]);
    expect(await mia.locator("parley-card article[data-kind=order] [aria-current=step]").innerText()).toBe("Confirmed");
    await mia.locator("parley-card article[data-kind=order] button", { hasText: "Ask about this order" }).click();
    const input = mia.locator("parley-composer textarea");
    await poll(() => input.inputValue()).toBe("About order PX-2001: ");
    await poll(() => input.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await mia.screenshot({ path: artifactPath("cards-live-mia.png") });
    await noah.screenshot({ path: artifactPath("cards-live-noah.png") });
    await agent.screenshot({ path: artifactPath("cards-live-agent.png") });
  });
});
