/**
 * The example bot against a real gateway and nats-server, everything end to
 * end encrypted: it answers opening hours and order status (only the asking
 * customer's orders), asks once when it does not understand and then hands
 * over, hands over when asked for a person, leaves lines meant for someone
 * else alone, steps back once an agent writes, and stays silent in a
 * conversation an agent took or one it handed over. The bot announces each
 * decision, so silence is asserted from its decisions, never from a timeout.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  collectTexts,
  DEFAULT_TEST_ORIGIN,
  installDualTransport,
  SHOP_ID,
  startStack,
  type TestStack,
  waitFor,
} from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { fileStorage } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Decision, ShopBot } from "./bot.js";
import { demoCustomerId } from "./orders.js";
import { TEXTS } from "./texts.js";

const BOT = { login: "shop-bot", password: "bot password of some length" };

let stack: TestStack;
let admin: ParleyClient;
let bot: ShopBot;
let stateDir: string;
const decisions: Decision[] = [];
const clients: ParleyClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  await stack.gateway.admin.addAgent(SHOP_ID, { ...BOT, displayName: "Shop Bot", role: "agent", kind: "bot" });
  // The admin agent's device makes the team key and wraps it to the bot's device when it asks.
  admin = stack.agent({ encryption: true });
  clients.push(admin);
  await admin.connect();
  stateDir = await mkdtemp(join(tmpdir(), "parley-bot-"));
  bot = new ShopBot({
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    ...BOT,
    storage: fileStorage(join(stateDir, "state.json")),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    origin: DEFAULT_TEST_ORIGIN,
  });
  bot.onDecision((d) => decisions.push(d));
  await bot.start();
  installDualTransport();
});

afterAll(async () => {
  await bot?.stop().catch(() => undefined);
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function customer(id: string) {
  const client = stack.customer(id, { encryption: true });
  clients.push(client);
  await client.connect();
  const texts = collectTexts(client);
  const conv = await client.openConversation();
  /** Sends `text` and resolves the bot's decision about it. */
  const say = async (text: string): Promise<Decision> => {
    const sent = await client.send(conv.id, text);
    return waitFor(
      () => decisions.find((d) => d.convId === conv.id && d.seq === sent.seq),
      `the bot's decision on "${text}"`,
    );
  };
  const heard = (fragment: string) =>
    waitFor(() => texts.get(conv.id)?.find((t) => t.includes(fragment)), `a reply containing "${fragment}"`);
  return { client, conv, say, heard, texts };
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
    expect(conversation.assignee).toBe(bot.client.principal.id);
  });

  it("tells a customer about their own orders and nobody else's", async () => {
    const mia = await customer(demoCustomerId("mia"));
    expect(await mia.say("Where is my order?")).toMatchObject({ intent: "order-number" });
    await mia.heard("What's your order number?");
    expect(await mia.say("It's PX-1001")).toMatchObject({ action: "answered", intent: "order" });
    await mia.heard("Order PX-1001 is on its way. Tracking: DHL 00340434161094");
    // PX-1003 is Noah's: Mia gets the same answer as for a number that does not exist.
    await mia.say("and PX-1003?");
    await mia.heard("I can't find order PX-1003");
    const noah = await customer(demoCustomerId("noah"));
    await noah.say("status of px 1003 please");
    await noah.heard("Order PX-1003 is delivered. Delivered on 2026-11-20.");
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
      .filter((m) => m.sender === bot.client.principal.id)
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
    const noah = stack.customer("noah-friend", { encryption: true });
    clients.push(noah);
    await noah.connect();
    await noah.updateProfile({ handle: "noah", displayName: "Noah" });
    // The widget's invite rule: a leading @handle invites, and the line is sent as typed.
    const invite = await mia.client.invite(mia.conv.id, "noah");
    expect(await mia.say("@noah come help me")).toMatchObject({ action: "skipped", reason: "addressed-elsewhere" });
    await noah.acceptInvite(invite.id);
    expect(await mia.say("Welcome Noah")).toMatchObject({ action: "skipped", reason: "addressed-elsewhere" });
    // Still there for what it understands.
    expect(await mia.say("When are you open on Saturday?")).toMatchObject({ action: "answered", intent: "hours" });
    expect(await botLines(mia.client, mia.conv.id)).toEqual([TEXTS.en.hours]);
  });

  it("steps back once an agent replies: says nothing more and is no longer assigned", async () => {
    const jo = await customer("jo");
    expect(await jo.say("When are you open?")).toMatchObject({ action: "answered", intent: "hours" });
    const before = await admin.request("conv.get", { convId: jo.conv.id });
    expect(before.conversation.assignee).toBe(bot.client.principal.id);
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
