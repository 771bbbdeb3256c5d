/**
 * An example shop bot on `@parley/sdk`: a member of the shop's team that reads
 * customers' messages (end to end encrypted: it holds the team key like an
 * agent's device) and answers two kinds of question, opening hours and order
 * status, in English or German. Asked for a person, it hands the conversation
 * over to the human team and stays out of it from then on. It never answers a
 * conversation a human agent is assigned to, a closed one, or anyone but the
 * conversation's customers.
 *
 * Every decision is announced on `decision` (answered or skipped, and why), so
 * a test or a log can follow the bot without guessing from timing.
 */

import type { ChatMessage } from "@parley/sdk";
import { createClient, type KeyValueStorage, type ParleyClient } from "@parley/sdk";
import type { MemberInfo } from "@parley/sdk/protocol";
import { OrderBook } from "./orders.js";

export interface BotOptions {
  gatewayUrl: string;
  shopId: string;
  login: string;
  password: string;
  /** Keeps the bot's device keys and team key across restarts (use `fileStorage`). */
  storage?: KeyValueStorage;
  /** The WebSocket constructor (Node 20: the `ws` package). */
  WebSocket: typeof globalThis.WebSocket;
  orders?: OrderBook;
  /** Sent as the Origin of the NATS WebSocket, when nats-server checks origins. */
  origin?: string;
}

export type Decision =
  | { action: "answered"; convId: string; seq: number; intent: Intent }
  | { action: "handed-over"; convId: string; seq: number }
  | { action: "skipped"; convId: string; seq: number; reason: SkipReason };

export type Intent = "hours" | "order" | "order-number" | "help";
export type SkipReason = "own" | "not-customer" | "not-text" | "closed" | "assigned" | "handover" | "error";

type Listener = (decision: Decision) => void;

const HUMAN = /\b(human|person|agent|someone|real|mensch|mitarbeiter(in)?|jemand)\b/i;
const HOURS = /\b(open|opening|hours|close|closing|öffnungszeit(en)?|geöffnet|offen)\b/i;
const ORDER = /\b(order|bestellung|package|paket|parcel|delivery|lieferung|tracking)\b/i;
const ORDER_ID = /\bPX-?\s?(\d{4})\b/i;
const GERMAN = /\b(wann|wo|ist|meine|bestellung|hallo|bitte|danke|öffnungszeiten|mensch|habt|ihr)\b/i;

/** The answers, in the two languages the bot speaks. */
const TEXT = {
  en: {
    hours: "We're open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Berlin time).",
    askNumber: "Happy to check. What's your order number? It looks like PX-1234.",
    unknownOrder: (id: string) => `I can't find order ${id} on your account. Could you check the number?`,
    order: (id: string, status: string, extra: string) => `Order ${id} is ${status}.${extra}`,
    status: { processing: "being packed", shipped: "on its way", delivered: "delivered", cancelled: "cancelled" },
    tracking: (t: string) => ` Tracking: ${t}.`,
    eta: (d: string) => ` Expected: ${d}.`,
    delivered: (d: string) => ` Delivered on ${d}.`,
    help: "I'm the shop's assistant. I can tell you our opening hours or where your order is. Type “human” to talk to a person.",
    handover: "I'm passing you to a colleague from the team; they'll reply here as soon as they can.",
  },
  de: {
    hours: "Wir sind Montag bis Freitag 9:00–18:00 und Samstag 10:00–14:00 Uhr für dich da.",
    askNumber: "Gerne. Wie lautet deine Bestellnummer? Sie sieht aus wie PX-1234.",
    unknownOrder: (id: string) => `Ich finde die Bestellung ${id} in deinem Konto nicht. Stimmt die Nummer?`,
    order: (id: string, status: string, extra: string) => `Bestellung ${id}: ${status}.${extra}`,
    status: { processing: "wird gepackt", shipped: "ist unterwegs", delivered: "zugestellt", cancelled: "storniert" },
    tracking: (t: string) => ` Sendungsnummer: ${t}.`,
    eta: (d: string) => ` Voraussichtlich: ${d}.`,
    delivered: (d: string) => ` Zugestellt am ${d}.`,
    help: "Ich bin der Assistent des Shops. Ich kenne unsere Öffnungszeiten und weiß, wo deine Bestellung ist. Schreib „Mensch“, um mit jemandem aus dem Team zu sprechen.",
    handover:
      "Ich gebe dich an eine Kollegin oder einen Kollegen weiter; du bekommst hier so bald wie möglich eine Antwort.",
  },
} as const;

export class ShopBot {
  readonly client: ParleyClient;
  readonly #orders: OrderBook;
  readonly #listeners = new Set<Listener>();
  /** One message at a time per conversation, in arrival order. */
  readonly #queues = new Map<string, Promise<void>>();
  readonly #members = new Map<string, MemberInfo[]>();

  constructor(options: BotOptions) {
    this.#orders = options.orders ?? new OrderBook();
    this.client = createClient({
      gatewayUrl: options.gatewayUrl,
      auth: { kind: "bot", shopId: options.shopId, login: options.login, password: options.password },
      WebSocket: options.WebSocket,
      encryption: true,
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
    });
  }

  /** Connects and starts answering. */
  async start(): Promise<void> {
    this.client.on("message", ({ conversationId, message }) => {
      const queue = this.#queues.get(conversationId) ?? Promise.resolve();
      const next = queue.then(() => this.#handle(conversationId, message));
      this.#queues.set(
        conversationId,
        next.catch(() => undefined),
      );
    });
    // Someone joined or left: the member list is fetched again on the next message.
    this.client.on("membership", ({ convId }) => this.#members.delete(convId));
    await this.client.connect();
  }

  async stop(): Promise<void> {
    await this.client.close();
  }

  onDecision(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #decide(decision: Decision): void {
    for (const listener of this.#listeners) listener(decision);
  }

  async #handle(convId: string, message: ChatMessage): Promise<void> {
    const base = { convId, seq: message.seq };
    try {
      const me = this.client.principal.id;
      if (message.sender === me) return this.#decide({ ...base, action: "skipped", reason: "own" });
      const body = message.body;
      if (body?.type !== "text") return this.#decide({ ...base, action: "skipped", reason: "not-text" });
      const { conversation, members } = await this.client.request("conv.get", { convId });
      this.#members.set(convId, members);
      const sender = members.find((m) => m.principalId === message.sender);
      if (!sender || (sender.role !== "owner" && sender.role !== "member")) {
        return this.#decide({ ...base, action: "skipped", reason: "not-customer" });
      }
      if (conversation.status === "closed") return this.#decide({ ...base, action: "skipped", reason: "closed" });
      if (conversation.handover) return this.#decide({ ...base, action: "skipped", reason: "handover" });
      if (conversation.assignee !== undefined && conversation.assignee !== me) {
        return this.#decide({ ...base, action: "skipped", reason: "assigned" });
      }

      const lang = GERMAN.test(body.text) ? "de" : "en";
      const t = TEXT[lang];
      this.client.typing(convId, true);
      if (HUMAN.test(body.text)) {
        await this.client.send(convId, t.handover);
        await this.client.handover(convId);
        return this.#decide({ ...base, action: "handed-over" });
      }
      // The bot takes unassigned conversations, so the inbox shows who is answering.
      if (conversation.assignee === undefined) await this.client.assign(convId, me);
      const { intent, reply } = this.#answer(body.text, sender, lang);
      await this.client.send(convId, reply);
      this.#decide({ ...base, action: "answered", intent });
    } catch (err) {
      this.client.typing(convId, false);
      this.#decide({ ...base, action: "skipped", reason: "error" });
      throw err;
    }
  }

  #answer(text: string, sender: MemberInfo, lang: "en" | "de"): { intent: Intent; reply: string } {
    const t = TEXT[lang];
    const orderId = ORDER_ID.exec(text);
    if (orderId) {
      const id = `PX-${orderId[1]}`;
      const order = this.#orders.find(id);
      // Only the customer's own orders: anything else reads as unknown, so order numbers cannot be probed.
      if (!order || order.customer !== sender.externalId) return { intent: "order", reply: t.unknownOrder(id) };
      let extra = "";
      if (order.status === "shipped") {
        extra = `${order.tracking ? t.tracking(order.tracking) : ""}${order.eta ? t.eta(order.eta) : ""}`;
      } else if (order.status === "delivered" && order.eta) {
        extra = t.delivered(order.eta);
      }
      return { intent: "order", reply: t.order(id, t.status[order.status], extra) };
    }
    if (ORDER.test(text)) return { intent: "order-number", reply: t.askNumber };
    if (HOURS.test(text)) return { intent: "hours", reply: t.hours };
    return { intent: "help", reply: t.help };
  }
}
