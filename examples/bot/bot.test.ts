/**
 * The example bot against a real gateway and nats-server, everything end to
 * end encrypted: it answers opening hours and order status (only the asking
 * customer's orders), asks once when it does not understand and then hands
 * over, hands over when asked for a person, leaves lines meant for someone
 * else alone, steps back once an agent writes, and stays silent in a
 * conversation an agent took or one it handed over. The bot announces each
 * decision, so silence is asserted from its decisions, never from a timeout.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { type MenuCard, type OrderCard, orderTotals } from "@parley/sdk/cards";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Decision } from "./bot.js";
import { demoCustomerId } from "./orders.js";
import { type BotStack, startBotStack } from "./test-stack.js";
import { TEXTS } from "./texts.js";

let env: BotStack;
let admin: ParleyClient;
let decisions: Decision[];
let stateDir: string;

beforeAll(async () => {
  env = await startBotStack({ statusStepMs: 200 });
  ({ admin, decisions, stateDir } = env);
});

afterAll(async () => {
  await env?.[Symbol.asyncDispose]();
});

const customer = (id: string) => env.customer(id);

/** The order card the bot posted with this number, as `client` decrypts it. */
function orderCard(client: ParleyClient, convId: string, number: string): Promise<OrderCard> {
  return waitFor(async () => {
    const cards = await env.botCards(client, convId);
    return cards.find((c): c is OrderCard => c.kind === "order" && c.number === number);
  }, `order card ${number}`);
}

describe("example bot", () => {
  it("answers opening hours, in English and German", async () => {
    const mia = await customer(demoCustomerId("mia"));
    expect(await mia.say("Hi! When are you open on Saturday?")).toMatchObject({ action: "answered", intent: "hours" });
    await mia.heard("Saturday 10:00–14:00");
    expect(await mia.say("Wann habt ihr geöffnet?")).toMatchObject({ action: "answered", intent: "hours" });
    await mia.heard("Samstag 10:00–14:00");
    // Thanks needs no answer, and is no reason to ask what she needs.
    expect(await mia.say("Thanks!")).toMatchObject({ action: "skipped", reason: "small-talk" });
    // The bot took the conversation, so the inbox shows who answers it.
    const { conversation } = await admin.request("conv.get", { convId: mia.conv.id });
    expect(conversation.assignee).toBe(env.bot.client.principal.id);
  });

  it("shows a customer their own orders as order cards, and nobody else's", async () => {
    const mia = await customer(demoCustomerId("mia"));
    expect(await mia.say("Where is my order?")).toMatchObject({ intent: "order-number" });
    await mia.heard("What's your order number?");
    expect(await mia.say("where is PX-1001?")).toMatchObject({ action: "answered", intent: "order" });
    const card = await orderCard(mia.client, mia.conv.id, "PX-1001");
    expect(card).toMatchObject({
      kind: "order",
      v: 1,
      currency: "EUR",
      status: "out_for_delivery",
      trackingUrl: "https://tracking.example.com/dhl/00340434161094",
      items: [
        { name: "House blend, 250 g", quantity: 2, unitPrice: 950 },
        { name: "Ethiopia Guji, 250 g", quantity: 1, unitPrice: 1290 },
      ],
    });
    // 2 x 9,50 + 12,90 + 4,90 delivery, in cents.
    expect(orderTotals(card)).toEqual({ subtotal: 3190, total: 3680 });
    // PX-1003 is Noah's: Mia gets the same answer as for a number that does not exist.
    await mia.say("and PX-1003?");
    await mia.heard("I can't find order PX-1003");
    await mia.say("PX-9999?");
    await mia.heard("I can't find order PX-9999");

    const noah = await customer(demoCustomerId("noah"));
    expect(await noah.say("where is PX-1001?")).toMatchObject({ action: "answered", intent: "order" });
    await noah.heard("I can't find order PX-1001");
    await noah.say("status of px 1003 please");
    const delivered = await orderCard(noah.client, noah.conv.id, "PX-1003");
    // Delivered: no tracking link any more.
    expect(delivered).toMatchObject({ status: "delivered", items: [{ name: "Ethiopia Guji, 250 g", quantity: 2 }] });
    expect(delivered.trackingUrl).toBeUndefined();
    expect(orderTotals(delivered).total).toBe(2 * 1290 + 490);
    // Noah's conversation holds no card of Mia's.
    const cards = await env.botCards(noah.client, noah.conv.id);
    expect(cards.map((c) => (c as OrderCard).number)).toEqual(["PX-1003"]);
  });

  it("posts the lunch menu when asked, in English and German", async () => {
    const mia = await customer(demoCustomerId("mia"));
    expect(await mia.say("Can we see the menu?")).toMatchObject({ action: "answered", intent: "menu" });
    await mia.heard(TEXTS.en.menu);
    const menu = await waitFor(
      async () => (await env.botCards(mia.client, mia.conv.id)).find((c): c is MenuCard => c.kind === "menu"),
      "the menu card",
    );
    expect(menu.currency).toBe("EUR");
    expect(menu.sections.map((s) => s.name)).toEqual(["Pizza", "Salads", "Drinks", "Sweets"]);
    expect(menu.sections.flatMap((s) => s.items).length).toBeGreaterThanOrEqual(10);

    const lea = await customer("lea-de");
    expect(await lea.say("Habt ihr eine Speisekarte?")).toMatchObject({ action: "answered", intent: "menu" });
    await lea.heard(TEXTS.de.menu);
    expect(await lea.say("Wir wollen Essen bestellen")).toMatchObject({ action: "answered", intent: "menu" });
    expect(await lea.say("Wo ist meine Bestellung PX-1002?")).toMatchObject({ action: "answered", intent: "order" });
    // PX-1002 is Mia's, so Lea reads the German "unknown".
    await lea.heard("Ich finde die Bestellung PX-1002 in deinem Konto nicht.");
    const cards = await env.botCards(lea.client, lea.conv.id);
    expect(cards.map((c) => c.kind)).toEqual(["menu", "menu"]);
    // In a German conversation the card is German too; its ids and prices are the English card's.
    const german = cards[0] as MenuCard;
    expect(german.title).toBe("Acme Café Mittagskarte");
    expect(german.sections.map((s) => s.name)).toEqual(["Pizza", "Salate", "Getränke", "Süßes"]);
    expect(german.sections[1]?.items[0]).toMatchObject({ id: "caesar", name: "Caesar Salad", price: 850 });
    const ids = (m: MenuCard) => m.sections.flatMap((s) => s.items.map((i) => [i.id, i.price]));
    expect(ids(german)).toEqual(ids(menu));
  });

  it("hands over when asked for a person, then stays out", async () => {
    const lea = await customer("lea");
    expect(await lea.say("I want to talk to a human please")).toMatchObject({ action: "handed-over" });
    await lea.heard("passing you to a colleague");
    const { conversation } = await admin.request("conv.get", { convId: lea.conv.id });
    expect(conversation.handover).toBe(true);
    expect(conversation.assignee).toBeUndefined();
    expect(await lea.say("When are you open?")).toMatchObject({ action: "skipped", reason: "handover" });
  });

  it("never answers where an agent is assigned, nor the agent's own messages", async () => {
    const ben = await customer("ben");
    await admin.assign(ben.conv.id, admin.principal.id);
    expect(await ben.say("When are you open?")).toMatchObject({ action: "skipped", reason: "assigned" });
    const fromAgent = await admin.send(ben.conv.id, "Hi Ben, Ada here. How can I help?");
    const onAgent = await waitFor(
      () => decisions.find((d) => d.convId === ben.conv.id && d.seq === fromAgent.seq),
      "the bot's decision on the agent's message",
    );
    // A person wrote: the bot stays out for good, and Ada keeps the conversation she took.
    expect(onAgent).toMatchObject({ action: "stepped-back", assignee: admin.principal.id });
    const { conversation } = await admin.request("conv.get", { convId: ben.conv.id });
    expect(conversation).toMatchObject({ assignee: admin.principal.id, handover: true });
    // Nothing from the bot reached Ben: his conversation holds his question and Ada's message only.
    await waitFor(() => ben.texts.get(ben.conv.id)?.includes("Hi Ben, Ada here. How can I help?"), "Ada's message");
    const all = await ben.client.loadConversation(ben.conv.id);
    expect(all.messages.map((m) => m.sender)).toEqual([ben.client.principal.id, admin.principal.id]);
  });

  /** What the bot said in a conversation, in order, as the customer's device decrypts it. */
  async function botLines(client: ParleyClient, convId: string): Promise<string[]> {
    const { messages } = await client.loadConversation(convId);
    return messages
      .filter((m) => m.sender === env.bot.client.principal.id)
      .map((m) => (m.body?.type === "text" ? m.body.text : `<${m.body?.type}>`));
  }

  it("asks once what the customer needs, then hands over instead of asking again", async () => {
    const kim = await customer("kim");
    expect(await kim.say("Do you sell gift cards?")).toMatchObject({ action: "answered", intent: "clarify" });
    expect(await kim.say("The ones with the red ribbon")).toMatchObject({ action: "handed-over", reason: "unclear" });
    expect(await kim.say("For my sister's birthday")).toMatchObject({ action: "skipped", reason: "handover" });
    const lines = await botLines(kim.client, kim.conv.id);
    expect(lines).toEqual([TEXTS.en.clarify, TEXTS.en.handoverUnclear]);
    // Handed over visibly: the customer read why, and the inbox no longer shows the bot as answering.
    await kim.heard("passing you to a colleague");
    const { conversation } = await admin.request("conv.get", { convId: kim.conv.id });
    expect(conversation).toMatchObject({ handover: true });
    expect(conversation.assignee).toBeUndefined();
  });

  it("leaves invites, mentions and lines to someone else alone", async () => {
    const mia = await customer(demoCustomerId("mia"));
    const noah = await env.connected("noah-friend");
    await noah.updateProfile({ handle: "noah", displayName: "Noah" });
    // The widget's invite rule: a leading @handle invites, and the line is sent as typed.
    const invite = await mia.client.invite(mia.conv.id, "noah");
    expect(await mia.say("@noah come help me")).toMatchObject({ action: "skipped", reason: "addressed-elsewhere" });
    await noah.acceptInvite(invite.id);
    expect(await mia.say("Welcome Noah")).toMatchObject({ action: "skipped", reason: "addressed-elsewhere" });
    // Still there for what it understands.
    expect(await mia.say("When are you open on Saturday?")).toMatchObject({ action: "answered", intent: "hours" });
    // The decision comes once the gateway stored the answer; Mia's device may read it a moment later.
    await mia.heard(TEXTS.en.hours);
    expect(await botLines(mia.client, mia.conv.id)).toEqual([TEXTS.en.hours]);
  });

  it("steps back once an agent replies: says nothing more and is no longer assigned", async () => {
    const jo = await customer("jo");
    expect(await jo.say("When are you open?")).toMatchObject({ action: "answered", intent: "hours" });
    const before = await admin.request("conv.get", { convId: jo.conv.id });
    expect(before.conversation.assignee).toBe(env.bot.client.principal.id);
    const fromAgent = await admin.send(jo.conv.id, "Hi Jo, Ada here. Anything else I can do?");
    const onAgent = await waitFor(
      () => decisions.find((d) => d.convId === jo.conv.id && d.seq === fromAgent.seq),
      "the bot's decision on the agent's message",
    );
    expect(onAgent).toMatchObject({ action: "stepped-back", assignee: admin.principal.id });
    const { conversation } = await admin.request("conv.get", { convId: jo.conv.id });
    expect(conversation).toMatchObject({ assignee: admin.principal.id, handover: true });
    expect(await jo.say("And where is my order?")).toMatchObject({ action: "skipped", reason: "handover" });
    expect(await jo.say("Do you sell gift cards?")).toMatchObject({ action: "skipped", reason: "handover" });
    expect(await botLines(jo.client, jo.conv.id)).toEqual([TEXTS.en.hours]);
  });

  it("keeps its keys in its state file, readable by its owner only", async () => {
    const file = join(stateDir, "state.json");
    const stored = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
    expect(Object.keys(stored).length).toBeGreaterThan(0);
    const { mode } = await stat(file);
    expect(mode & 0o077).toBe(0);
  });
});
