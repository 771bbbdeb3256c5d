/**
 * The example bot's tests share this setup: a real gateway and nats-server
 * (`startStack`), the shop's admin device (it makes the team key and wraps it
 * to the bot's device), the bot with its state in a temporary file, and
 * encrypted customers who open a conversation and talk to it. Every decision
 * and kitchen event of the bot is recorded, so tests wait on them instead of
 * on time.
 */
import { mkdtemp, rm } from "node:fs/promises";
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
import type { ChatMessage, ParleyClient } from "@parley/sdk";
import type { Card } from "@parley/sdk/cards";
import { fileStorage } from "@parley/sdk/server";
import WebSocket from "ws";
import { type Decision, type KitchenEvent, ShopBot } from "./bot.js";

const BOT = { login: "shop-bot", password: "bot password of some length" };

/** A customer in a conversation of their own with the shop. */
export interface TestCustomer {
  client: ParleyClient;
  conv: { id: string };
  /** Sends `text` and resolves the bot's decision about it. */
  say(text: string): Promise<Decision>;
  /** Resolves once a text containing `fragment` arrived. */
  heard(fragment: string): Promise<string>;
  /** Texts received, by conversation. */
  texts: Map<string, string[]>;
}

/** What {@link startBotStack} starts. */
export interface BotStack {
  stack: TestStack;
  admin: ParleyClient;
  bot: ShopBot;
  stateDir: string;
  decisions: Decision[];
  kitchen: KitchenEvent[];
  /** An encrypted customer with an open conversation. */
  customer(id: string): Promise<TestCustomer>;
  /** A connected encrypted customer without a conversation (closed with the stack). */
  connected(id: string): Promise<ParleyClient>;
  /** The cards the bot posted in a conversation, as `client` decrypts them, in order. */
  botCards(client: ParleyClient, convId: string): Promise<Card[]>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the stack and the bot; `statusStepMs` is the bot's time between two order status steps. */
export async function startBotStack(options: { statusStepMs: number }): Promise<BotStack> {
  const stack = await startStack();
  const clients: ParleyClient[] = [];
  const decisions: Decision[] = [];
  const kitchen: KitchenEvent[] = [];
  await stack.gateway.admin.addAgent(SHOP_ID, { ...BOT, displayName: "Shop Bot", role: "agent", kind: "bot" });
  const admin = stack.agent({ encryption: true });
  clients.push(admin);
  await admin.connect();
  const stateDir = await mkdtemp(join(tmpdir(), "parley-bot-"));
  const bot = new ShopBot({
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    ...BOT,
    storage: fileStorage(join(stateDir, "state.json")),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    origin: DEFAULT_TEST_ORIGIN,
    statusStepMs: options.statusStepMs,
  });
  bot.onDecision((d) => decisions.push(d));
  bot.onKitchen((e) => kitchen.push(e));
  await bot.start();
  installDualTransport();

  const connected = async (id: string): Promise<ParleyClient> => {
    const client = stack.customer(id, { encryption: true });
    clients.push(client);
    await client.connect();
    return client;
  };

  const customer = async (id: string): Promise<TestCustomer> => {
    const client = await connected(id);
    const texts = collectTexts(client);
    const conv = await client.openConversation();
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
  };

  const botCards = async (client: ParleyClient, convId: string): Promise<Card[]> => {
    const { messages } = await client.loadConversation(convId);
    return messages
      .filter((m: ChatMessage) => m.sender === bot.client.principal.id && m.body?.type === "card")
      .map((m) => (m.body as unknown as { card: Card }).card);
  };

  return {
    stack,
    admin,
    bot,
    stateDir,
    decisions,
    kitchen,
    customer,
    connected,
    botCards,
    async [Symbol.asyncDispose]() {
      await bot.stop().catch(() => undefined);
      await Promise.allSettled(clients.map((c) => c.close()));
      await stack[Symbol.asyncDispose]();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
