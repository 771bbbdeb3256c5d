/**
 * The shop's side of cards, for a backend or bot signed in as a team device:
 * posting menus and orders, moving an order's status, payment links and
 * confirmations, and submitted carts and paid shares as typed events. The
 * events come from the team client's own fold of the conversations it
 * decrypts (`client.cards.board`), never from a plaintext webhook.
 */
import { cartOrderItems } from "../cards/card-states.js";
import type { CardBoard, CartState, MenuState, SplitShare, SplitState } from "../cards/state.js";
import type { ParleyClient } from "../client.js";
import { Emitter } from "../emitter.js";
import type { MenuCard, MinorUnits, OrderCard, OrderStatus } from "../protocol/cards/wire.js";

/** A group cart its starter submitted, with the menu it was ordered from. */
export interface CartSubmittedEvent {
  /** The conversation the cart is in. */
  convId: string;
  /** The cart as submitted: its lines, people and total. */
  cart: CartState;
  /** The menu the cart was filled from. */
  menu: MenuState;
}

/** A payer marked their share of a split paid. */
export interface SharePaidEvent {
  /** The conversation the split is in. */
  convId: string;
  /** The split, with every share. */
  split: SplitState;
  /** The share now marked paid (`status: "paid"`, with `via`). */
  share: SplitShare;
}

/** The events of {@link ShopCards}, by name. */
export interface ShopCardEvents {
  /** A group cart was submitted by its starter. */
  "cart-submitted": CartSubmittedEvent;
  /** A payer marked their share paid. */
  "share-paid": SharePaidEvent;
}

/** Cards for a shop's backend or bot (see {@link shopCards}). */
export interface ShopCards {
  /** Posts a menu; resolves with the card id. */
  postMenu(convId: string, menu: Omit<MenuCard, "kind" | "v">): Promise<string>;
  /** Posts an order card; resolves with the card id. */
  postOrder(convId: string, order: Omit<OrderCard, "kind" | "v">): Promise<string>;
  /** Moves an order to `status` (the card changes in place). */
  setStatus(convId: string, orderId: string, status: OrderStatus): Promise<void>;
  /** Sets an order's tracking link (`https:`). */
  setTracking(convId: string, orderId: string, url: string): Promise<void>;
  /** Attaches the shop's payment page (`https:`) to one person's share of a split. */
  attachPaymentLink(convId: string, splitId: string, person: string, url: string): Promise<void>;
  /** Confirms a share was received, for a split whose payee is the shop. */
  confirmReceived(convId: string, splitId: string, person: string): Promise<void>;
  /** A group cart was submitted: once per cart (live, and when caught up after a reconnect). */
  on(event: "cart-submitted", handler: (e: CartSubmittedEvent) => void): () => void;
  /** A payer marked their share paid: once per share. */
  on(event: "share-paid", handler: (e: SharePaidEvent) => void): () => void;
  /** Stops following. */
  close(): void;
}

/** Cards for a shop's backend or bot, through a connected team client (a bot or agent client with end-to-end encryption: a team device). */
export function shopCards(client: ParleyClient): ShopCards {
  return new TeamCards(client);
}

/**
 * The order card answering a submitted cart: its lines (with who ordered each) and totals; `cart` set to
 * the cart's id.
 */
export function orderFromCart(
  cart: CartState,
  order: { number: string; tax: MinorUnits; delivery: MinorUnits; status?: OrderStatus; trackingUrl?: string },
): Omit<OrderCard, "kind" | "v"> {
  return {
    number: order.number,
    currency: cart.currency,
    items: cartOrderItems(cart),
    tax: order.tax,
    delivery: order.delivery,
    status: order.status ?? "placed",
    ...(order.trackingUrl !== undefined ? { trackingUrl: order.trackingUrl } : {}),
    cart: cart.id,
  };
}

/** Follows the conversations a team client sees and turns their boards into {@link ShopCardEvents}. */
class TeamCards implements ShopCards {
  readonly #client: ParleyClient;
  readonly #events = new Emitter<ShopCardEvents>();
  /** Conversation id -> stops following its board. */
  readonly #followed = new Map<string, () => void>();
  /** `convId card` of carts announced, `convId card person` of shares announced. */
  readonly #announced = new Set<string>();
  readonly #stop: () => void;

  constructor(client: ParleyClient) {
    this.#client = client;
    this.#stop = client.on("message", ({ conversationId }) => this.#follow(conversationId));
  }

  async postMenu(convId: string, menu: Omit<MenuCard, "kind" | "v">): Promise<string> {
    return (await this.#client.cards.post(convId, { ...menu, kind: "menu", v: 1 })).msgId;
  }

  async postOrder(convId: string, order: Omit<OrderCard, "kind" | "v">): Promise<string> {
    return (await this.#client.cards.post(convId, { ...order, kind: "order", v: 1 })).msgId;
  }

  async setStatus(convId: string, orderId: string, status: OrderStatus): Promise<void> {
    await this.#client.cards.act(convId, { v: 1, card: orderId, op: "status", status });
  }

  async setTracking(convId: string, orderId: string, url: string): Promise<void> {
    await this.#client.cards.act(convId, { v: 1, card: orderId, op: "tracking", url });
  }

  async attachPaymentLink(convId: string, splitId: string, person: string, url: string): Promise<void> {
    await this.#client.cards.act(convId, { v: 1, card: splitId, op: "link", person, url });
  }

  async confirmReceived(convId: string, splitId: string, person: string): Promise<void> {
    await this.#client.cards.act(convId, { v: 1, card: splitId, op: "received", person });
  }

  on<K extends keyof ShopCardEvents>(event: K, handler: (e: ShopCardEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  close(): void {
    this.#stop();
    for (const unsubscribe of this.#followed.values()) unsubscribe();
    this.#followed.clear();
    this.#events.clear();
  }

  /** Starts following a conversation: its board, after loading its newest page so the fold sees its carts and menus. */
  #follow(convId: string): void {
    if (this.#followed.has(convId)) return;
    const unsubscribe = this.#client.cards.board(convId).subscribe((board) => this.#scan(convId, board));
    this.#followed.set(convId, unsubscribe);
    this.#client.loadConversation(convId).catch(() => {
      // Try again with the conversation's next message.
      unsubscribe();
      this.#followed.delete(convId);
    });
  }

  /** Announces carts now submitted and shares now marked paid, each once. */
  #scan(convId: string, board: CardBoard): void {
    for (const card of board.cards.values()) {
      if (card.kind === "cart" && card.status === "submitted") {
        const menu = board.cards.get(card.menu);
        const key = `${convId} ${card.id}`;
        if (menu?.kind !== "menu" || this.#announced.has(key)) continue;
        this.#announced.add(key);
        this.#events.emit("cart-submitted", { convId, cart: card, menu });
      } else if (card.kind === "split") {
        for (const share of card.shares) {
          const key = `${convId} ${card.id} ${share.person}`;
          if (share.status !== "paid" || this.#announced.has(key)) continue;
          this.#announced.add(key);
          this.#events.emit("share-paid", { convId, split: card, share });
        }
      }
    }
  }
}
