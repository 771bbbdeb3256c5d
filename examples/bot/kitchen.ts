/**
 * The bot's kitchen: what the shop does with group orders, through the typed
 * card helpers of `@parley/sdk/server` (`shopCards`), end to end encrypted
 * like everything else the bot says.
 *
 * - A submitted group cart is confirmed with an order card: the next number
 *   (`PZ-2001`, `PZ-2002`...), 7 % VAT on the subtotal and a flat delivery
 *   charge; the order's status then moves on a timer, confirmed -> preparing
 *   -> out for delivery -> delivered (a real shop would follow its kitchen
 *   and its couriers instead). While an order is out for delivery, the
 *   courier's live location is shared into its conversation (courier.ts) and
 *   stopped once it is delivered. Its title is in the language of the menu
 *   the cart was started from (the bot posts the menu in the language it was
 *   asked in), so a German group order gets "Kurier · PZ-2001".
 * - A share of a split paid to the shop through a payment link is confirmed as
 *   received (a real shop would first check its payment provider). Cash is
 *   left to people: whoever took the cash confirms it.
 *
 * Every step is announced as a {@link KitchenEvent}.
 */

import type { KeyValueStorage, ParleyClient } from "@parley/sdk";
import {
  type CartState,
  foldCards,
  type MinorUnits,
  type OrderStatus,
  type SplitShare,
  type SplitState,
} from "@parley/sdk/cards";
import { orderFromCart, type ShopCards, shopCards } from "@parley/sdk/server";
import { Courier, type CourierOptions } from "./courier.js";
import { menuLanguage } from "./menu.js";
import { TEXTS } from "./texts.js";
import type { Lang } from "./understand.js";

/** What the kitchen did. */
export type KitchenEvent =
  /** A submitted cart was answered with an order card. */
  | { action: "order-placed"; convId: string; cart: string; order: string; number: string }
  /** An order's status moved on. */
  | { action: "order-status"; convId: string; order: string; number: string; status: OrderStatus }
  /** The courier's live location for an order started (`share` is its id) or stopped. */
  | { action: "courier"; convId: string; order: string; number: string; share: string; riding: boolean }
  /** A share paid to the shop by link was confirmed as received. */
  | { action: "payment-confirmed"; convId: string; split: string; person: string }
  /** A paid share the shop does not confirm: paid in cash, or to someone else than the shop. */
  | { action: "payment-left"; convId: string; split: string; person: string; reason: "cash" | "not-shop" }
  /** A submitted cart whose messages this device could not all read in time: left for a person. */
  | { action: "cart-unread"; convId: string; cart: string }
  /** Something failed (logged; the kitchen carries on). */
  | { action: "failed"; convId: string; what: string; error: string };

/** What {@link Kitchen} needs. */
export interface KitchenOptions {
  /** Time between two status steps of an order, ms. */
  statusStepMs: number;
  /** VAT on the subtotal, in basis points (700 = 7 %). */
  taxBasisPoints: number;
  /** Delivery charge, in minor units. */
  delivery: MinorUnits;
  /** The order number's prefix and first number: `PZ-` and 2001 give PZ-2001. */
  numberPrefix: string;
  firstNumber: number;
  /** Keeps the last order number across restarts. */
  storage?: KeyValueStorage;
  /** How the courier rides (its pace defaults to reaching the customer when the order is delivered). */
  courier?: CourierOptions;
}

/** An order the kitchen confirmed, and the language its conversation ordered in. */
interface Placed {
  convId: string;
  /** The order card's id. */
  order: string;
  /** The order number (`PZ-2001`). */
  number: string;
  lang: Lang;
}

/** The statuses an order steps through after it is confirmed. */
const STEPS: readonly OrderStatus[] = ["preparing", "out_for_delivery", "delivered"];
const NUMBER_KEY = "example-bot.kitchen.last-order-number";
/** How long a submitted cart may wait for its messages to arrive here before a person is left to answer it. */
const SETTLE_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tax on `subtotal` at `basisPoints` / 10 000, rounded half up, in exact integer
 * arithmetic (BigInt, so even the largest subtotal cannot lose a cent).
 * 7 % of 1 234 cents is 86.38, so 86; of 1 250 cents it is 87.5, so 88.
 */
export function taxOn(subtotal: MinorUnits, basisPoints: number): MinorUnits {
  return Number((BigInt(subtotal) * BigInt(basisPoints) + 5000n) / 10000n);
}

/** Confirms group orders and link payments for one bot client. */
export class Kitchen {
  readonly #cards: ShopCards;
  readonly #client: ParleyClient;
  readonly #options: KitchenOptions;
  readonly #emit: (event: KitchenEvent) => void;
  readonly #courier: Courier;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Carts already answered (or being answered) by this run. */
  readonly #handled = new Set<string>();
  readonly #off: Array<() => void> = [];
  /** Numbers are handed out one at a time. */
  #numbering: Promise<unknown> = Promise.resolve();
  #stopped = false;
  /** The last number handed out, when there is no storage. */
  #last: number | undefined;

  constructor(client: ParleyClient, options: KitchenOptions, emit: (event: KitchenEvent) => void) {
    this.#client = client;
    this.#options = options;
    this.#emit = emit;
    this.#cards = shopCards(client);
    const stepMs = 5_000;
    this.#courier = new Courier(client, {
      stepMs,
      steps: Math.max(1, Math.floor(options.statusStepMs / stepMs)),
      ...options.courier,
    });
    this.#off.push(
      this.#cards.on("cart-submitted", ({ convId, cart }) => void this.#confirmCart(convId, cart)),
      this.#cards.on("share-paid", ({ convId, split, share }) => void this.#sharePaid(convId, split, share)),
    );
  }

  /** The card helpers, for the bot's own cards (menus, order cards). */
  get cards(): ShopCards {
    return this.#cards;
  }

  /** Stops stepping orders and listening; statuses already sent stay. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const off of this.#off) off();
    this.#cards.close();
    this.#courier.close();
  }

  async #confirmCart(convId: string, submitted: CartState): Promise<void> {
    if (this.#stopped || submitted.status !== "submitted" || submitted.order || this.#handled.has(submitted.id)) return;
    this.#handled.add(submitted.id);
    const cart = await this.#settled(convId, submitted);
    if (this.#stopped) return;
    if (!cart) return this.#emit({ action: "cart-unread", convId, cart: submitted.id });
    if (cart.status !== "submitted" || cart.order) return; // answered meanwhile (by a person, say)
    try {
      const number = await this.#nextNumber();
      const { taxBasisPoints, delivery } = this.#options;
      const order = orderFromCart(cart, {
        number,
        tax: taxOn(cart.total, taxBasisPoints),
        delivery,
        status: "confirmed",
      });
      const id = await this.#cards.postOrder(convId, order);
      this.#emit({ action: "order-placed", convId, cart: cart.id, order: id, number });
      // A menu the bot did not post (a person's, say) has no known language: English.
      this.#step({ convId, order: id, number, lang: menuLanguage(cart.menuTitle) ?? "en" }, 0);
    } catch (err) {
      this.#handled.delete(cart.id);
      this.#fail(convId, `confirming cart ${cart.id}`, err);
    }
  }

  /**
   * The cart as submitted, folded once every message from the cart's card to its submit is here and
   * readable: a line added just before the submit may still be on its way to this device (or waiting
   * for its sender's keys), and an order must not miss it. Undefined when that takes too long
   * (the kitchen then leaves the cart to a person).
   */
  async #settled(convId: string, cart: CartState): Promise<CartState | undefined> {
    const deadline = Date.now() + SETTLE_MS;
    let reloaded = false;
    while (!this.#stopped) {
      const messages = this.#client.conversation(convId).value.messages;
      const span = messages.filter((m) => m.seq >= cart.seq && m.seq <= cart.updatedSeq);
      const complete =
        new Set(span.map((m) => m.seq)).size === cart.updatedSeq - cart.seq + 1 && span.every((m) => m.body);
      if (complete) {
        const folded = foldCards(messages).cards.get(cart.id);
        return folded?.kind === "cart" ? folded : undefined;
      }
      if (Date.now() > deadline) return undefined;
      if (!reloaded && Date.now() > deadline - SETTLE_MS / 2) {
        reloaded = true;
        await this.#client.loadConversation(convId).catch(() => undefined);
      }
      await sleep(50);
    }
    return undefined;
  }

  /** Sets the order's next status after one step's time, then schedules the one after. */
  #step(placed: Placed, index: number): void {
    const { convId, order, number } = placed;
    const status = STEPS[index];
    if (this.#stopped || status === undefined) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped) return;
      this.#cards.setStatus(convId, order, status).then(
        () => {
          this.#emit({ action: "order-status", convId, order, number, status });
          void this.#ride(placed, status);
          this.#step(placed, index + 1);
        },
        (err: unknown) => this.#fail(convId, `setting ${number} to ${status}`, err),
      );
    }, this.#options.statusStepMs);
    this.#timers.add(timer);
  }

  /** Starts the courier's live location when the order goes out, and stops it when it is delivered. */
  async #ride(placed: Placed, status: OrderStatus): Promise<void> {
    const { convId, order, number, lang } = placed;
    try {
      if (status === "out_for_delivery") {
        const share = await this.#courier.start(convId, order, TEXTS[lang].courier(number));
        if (share) this.#emit({ action: "courier", convId, order, number, share, riding: true });
      } else if (status === "delivered") {
        const share = await this.#courier.finish(order);
        if (share) this.#emit({ action: "courier", convId, order, number, share, riding: false });
      }
    } catch (err) {
      this.#fail(convId, `sharing the courier's location for ${number}`, err);
    }
  }

  async #sharePaid(convId: string, split: SplitState, share: SplitShare): Promise<void> {
    if (this.#stopped) return;
    const base = { convId, split: split.id, person: share.person };
    if (split.payee !== "shop") return this.#emit({ ...base, action: "payment-left", reason: "not-shop" });
    if (share.via !== "link") return this.#emit({ ...base, action: "payment-left", reason: "cash" });
    try {
      await this.#cards.confirmReceived(convId, split.id, share.person);
      this.#emit({ ...base, action: "payment-confirmed" });
    } catch (err) {
      this.#fail(convId, `confirming ${share.person}'s share of ${split.id}`, err);
    }
  }

  /** The next order number; the last one is kept in storage, so a restart does not reuse numbers. */
  #nextNumber(): Promise<string> {
    const { storage, numberPrefix, firstNumber } = this.#options;
    const next = this.#numbering.then(async () => {
      const last = Number((await storage?.get(NUMBER_KEY)) ?? this.#last ?? firstNumber - 1);
      const n = Number.isSafeInteger(last) && last >= firstNumber - 1 ? last + 1 : firstNumber;
      this.#last = n;
      await storage?.set(NUMBER_KEY, String(n));
      return `${numberPrefix}${n}`;
    });
    this.#numbering = next.catch(() => undefined);
    return next;
  }

  #fail(convId: string, what: string, err: unknown): void {
    this.#emit({ action: "failed", convId, what, error: err instanceof Error ? err.message : String(err) });
  }
}
