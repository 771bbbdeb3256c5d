/**
 * An example shop bot on `@parley/sdk`: a member of the shop's team that reads
 * customers' messages (end to end encrypted: it holds the team key like an
 * agent's device) and answers what it understands, in English or German:
 * opening hours, an order as its order card, and the lunch menu as a menu
 * card (in the language of the line that asked for it), from which a group in the chat fills one cart; the kitchen
 * (`kitchen.ts`) confirms submitted carts with an order card whose status it
 * moves on, and confirms shares paid to the shop by payment link.
 *
 * It behaves like a polite colleague:
 * - a line it does not understand gets one clarifying question; if the next
 *   one is no clearer, it hands over to the human team instead of asking again;
 * - asked for a person, it says so and hands over (`client.handover`: the
 *   conversation is unassigned and flagged, and bots stay out of it);
 * - lines meant for someone else (an @mention or invite, "Welcome Noah") are
 *   not its business, and a plain "thanks" or "bye" needs no answer;
 * - once a person from the team writes in the conversation, it steps back:
 *   the conversation is handed over and, if the bot had it, assigned to that
 *   person, so the inbox no longer says the bot is answering;
 * - it never answers a conversation an agent took (assigned), a closed one,
 *   or anyone but the conversation's customers.
 *
 * Every decision is announced on `decision` (answered, handed over, stepped
 * back or skipped, and why), so a test or a log can follow the bot without
 * guessing from timing.
 */

import type { ChatMessage } from "@parley/sdk";
import { createClient, type KeyValueStorage, type ParleyClient } from "@parley/sdk";
import type { ConversationInfo, MemberInfo } from "@parley/sdk/protocol";
import { Kitchen, type KitchenEvent } from "./kitchen.js";
import { lunchMenu } from "./menu.js";
import { OrderBook, orderCard } from "./orders.js";
import { CLARIFY_TEXTS, TEXTS } from "./texts.js";
import { addressedElsewhere, languageOf, understand } from "./understand.js";

export type { KitchenEvent } from "./kitchen.js";

/** How the example bot connects and behaves. */
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
  /**
   * Time between two status steps of a confirmed group order (confirmed, preparing,
   * out for delivery, delivered), ms.
   * @default 20000
   */
  statusStepMs?: number;
  /**
   * VAT added to a group order's subtotal, in basis points (700 = 7 %), rounded half up to the cent.
   * @default 700
   */
  taxBasisPoints?: number;
  /**
   * Delivery charge of a group order, in euro cents.
   * @default 250
   */
  deliveryCents?: number;
}

/** The defaults of the optional {@link BotOptions}. */
export const BOT_DEFAULTS = { statusStepMs: 20_000, taxBasisPoints: 700, deliveryCents: 250 } as const;

function checkedCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  return value;
}

/** What the bot did about one message, and why. */
export type Decision =
  | { action: "answered"; convId: string; seq: number; intent: Intent }
  | { action: "handed-over"; convId: string; seq: number; reason: "asked" | "unclear" }
  /** A person from the team wrote: the bot handed the conversation over and, if it had it, assigned it to them. */
  | { action: "stepped-back"; convId: string; seq: number; assignee: string | null }
  | { action: "skipped"; convId: string; seq: number; reason: SkipReason };

/** What an answered line asked for. */
export type Intent = "hours" | "order" | "order-number" | "menu" | "clarify";
/** Why the bot left a message unanswered. */
export type SkipReason =
  | "own"
  | "team"
  | "not-customer"
  | "not-text"
  | "closed"
  | "assigned"
  | "handover"
  | "addressed-elsewhere"
  | "small-talk"
  | "error";

type Listener = (decision: Decision) => void;
type Base = { convId: string; seq: number };

/** The example shop bot: answers customers, posts cards, confirms group orders. */
export class ShopBot {
  readonly client: ParleyClient;
  readonly #orders: OrderBook;
  readonly #kitchen: Kitchen;
  readonly #listeners = new Set<Listener>();
  readonly #kitchenListeners = new Set<(event: KitchenEvent) => void>();
  /** One message at a time per conversation, in arrival order. */
  readonly #queues = new Map<string, Promise<void>>();
  /** Conversations where the bot asked its clarifying question (also found in the history after a restart). */
  readonly #asked = new Set<string>();

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
    this.#kitchen = new Kitchen(
      this.client,
      {
        statusStepMs: checkedCount("statusStepMs", options.statusStepMs ?? BOT_DEFAULTS.statusStepMs),
        taxBasisPoints: checkedCount("taxBasisPoints", options.taxBasisPoints ?? BOT_DEFAULTS.taxBasisPoints),
        delivery: checkedCount("deliveryCents", options.deliveryCents ?? BOT_DEFAULTS.deliveryCents),
        numberPrefix: "PZ-",
        firstNumber: 2001,
        ...(options.storage ? { storage: options.storage } : {}),
      },
      (event) => {
        for (const listener of this.#kitchenListeners) listener(event);
      },
    );
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
    await this.client.connect();
  }

  /** Stops answering and stepping orders, and disconnects. */
  async stop(): Promise<void> {
    this.#kitchen.stop();
    await this.client.close();
  }

  /** Follows every decision about a message; returns the unsubscribe. */
  onDecision(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Follows what the kitchen does with group orders and payments; returns the unsubscribe. */
  onKitchen(listener: (event: KitchenEvent) => void): () => void {
    this.#kitchenListeners.add(listener);
    return () => this.#kitchenListeners.delete(listener);
  }

  #decide(decision: Decision): void {
    for (const listener of this.#listeners) listener(decision);
  }

  async #handle(convId: string, message: ChatMessage): Promise<void> {
    const base = { convId, seq: message.seq };
    try {
      const me = this.client.principal.id;
      if (message.sender === me) return this.#decide({ ...base, action: "skipped", reason: "own" });
      const { conversation, members } = await this.client.request("conv.get", { convId });
      const sender = members.find((m) => m.principalId === message.sender);
      // Team members answer without being members; a history grant or a card is no one writing.
      if (!sender || sender.role === "agent" || sender.role === "bot") {
        return await this.#fromTeam(base, conversation, message);
      }
      const body = message.body;
      if (body?.type !== "text") return this.#decide({ ...base, action: "skipped", reason: "not-text" });
      if (conversation.status === "closed") return this.#decide({ ...base, action: "skipped", reason: "closed" });
      if (conversation.handover) return this.#decide({ ...base, action: "skipped", reason: "handover" });
      if (conversation.assignee !== undefined && conversation.assignee !== me) {
        return this.#decide({ ...base, action: "skipped", reason: "assigned" });
      }
      const others = members.filter((m) => m.principalId !== sender.principalId && m.principalId !== me);
      if (addressedElsewhere(body.text, { self: this.client.principal, others })) {
        return this.#decide({ ...base, action: "skipped", reason: "addressed-elsewhere" });
      }
      await this.#reply(base, conversation, sender, body.text);
    } catch (err) {
      this.client.typing(convId, false);
      this.#decide({ ...base, action: "skipped", reason: "error" });
      throw err;
    }
  }

  async #reply(base: Base, conversation: ConversationInfo, sender: MemberInfo, text: string): Promise<void> {
    const { convId } = base;
    const lang = languageOf(text);
    const t = TEXTS[lang];
    const understood = understand(text);
    if (understood.kind === "human") return this.#handOver(base, t.handover, "asked");
    if (understood.kind === "thanks") return this.#decide({ ...base, action: "skipped", reason: "small-talk" });
    if (understood.kind === "unknown" && (await this.#askedBefore(convId))) {
      return this.#handOver(base, t.handoverUnclear, "unclear");
    }
    this.client.typing(convId, true);
    // The bot takes unassigned conversations, so the inbox shows who is answering.
    if (conversation.assignee === undefined) await this.client.assign(convId, this.client.principal.id);
    if (understood.kind === "unknown") {
      await this.client.send(convId, t.clarify);
      this.#asked.add(convId);
      return this.#decide({ ...base, action: "answered", intent: "clarify" });
    }
    if (understood.kind === "order") {
      const order = this.#orders.find(understood.orderId);
      // Only the customer's own orders: anything else reads as unknown, so order numbers cannot be probed.
      if (order && order.customer === sender.externalId) {
        await this.#kitchen.cards.postOrder(convId, orderCard(order));
      } else {
        await this.client.send(convId, t.unknownOrder(understood.orderId));
      }
      return this.#decide({ ...base, action: "answered", intent: "order" });
    }
    if (understood.kind === "menu") {
      await this.client.send(convId, t.menu);
      await this.#kitchen.cards.postMenu(convId, lunchMenu(lang));
      return this.#decide({ ...base, action: "answered", intent: "menu" });
    }
    await this.client.send(convId, understood.kind === "hours" ? t.hours : t.askNumber);
    this.#decide({ ...base, action: "answered", intent: understood.kind });
  }

  /** Says so, then hands the conversation to the human team: unassigned, flagged, bots out of it. */
  async #handOver(base: Base, line: string, reason: "asked" | "unclear"): Promise<void> {
    this.client.typing(base.convId, true);
    await this.client.send(base.convId, line);
    await this.client.handover(base.convId);
    this.#decide({ ...base, action: "handed-over", reason });
  }

  /**
   * A message from the shop's team. When a person (not a bot) writes, they
   * have taken over: the conversation is handed over (bots stay out for good)
   * and, if it was the bot's, assigned to them; someone else's assignment stays.
   */
  async #fromTeam(base: Base, conversation: ConversationInfo, message: ChatMessage): Promise<void> {
    const written = message.body?.type === "text" || message.body?.type === "file";
    if (!written || conversation.handover || (await this.#isBot(message.sender))) {
      return this.#decide({ ...base, action: "skipped", reason: "team" });
    }
    const me = this.client.principal.id;
    const assignee = conversation.assignee === me ? message.sender : (conversation.assignee ?? null);
    await this.client.handover(base.convId);
    if (assignee) await this.client.assign(base.convId, assignee);
    this.#decide({ ...base, action: "stepped-back", assignee });
  }

  /** Whether a team member is a bot: bots are online to write, so the team's presence lists them. */
  async #isBot(principalId: string): Promise<boolean> {
    const { presence } = await this.client.request("presence.get", {});
    return presence.online.some((p) => p.principalId === principalId && p.kind === "bot");
  }

  /** Whether the bot already asked its clarifying question in this conversation (this run, or before a restart). */
  async #askedBefore(convId: string): Promise<boolean> {
    if (this.#asked.has(convId)) return true;
    const me = this.client.principal.id;
    const { messages } = await this.client.loadConversation(convId);
    const asked = messages.some((m) => m.sender === me && m.body?.type === "text" && CLARIFY_TEXTS.has(m.body.text));
    if (asked) this.#asked.add(convId);
    return asked;
  }
}
