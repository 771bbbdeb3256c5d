/**
 * `client.cards`: cards in a conversation, as the app uses them. The fold and
 * the schemas load on first use (a dynamic import), so a chat that shows no
 * card never downloads them.
 */
import type { ChatMessage } from "../conversation-tracker.js";
import type { Card, CardEvent } from "../protocol/cards/wire.js";
import type { StateStore } from "../state-store.js";
import type { CardBoard } from "./state.js";

/** What `addToCart` puts in a cart. */
export interface CartAddition {
  /** The menu item's id. */
  item: string;
  /** 1..99. */
  quantity: number;
  /** Option ids of that item. */
  options?: string[];
  /** A note for the shop ("no onions"), up to 500 characters. */
  note?: string;
}

/** The cards of a client's conversations. */
export interface CardsApi {
  /**
   * Every card of a conversation, folded from its loaded messages (load older
   * messages to see older cards). Empty until the fold has loaded; then live.
   */
  board(convId: string): StateStore<CardBoard>;
  /**
   * Posts a card; resolves with its message (the card id is its `msgId`). Refused before anything is
   * queued: `card_invalid` when it breaks its schema, `forbidden` when this principal may not post
   * its kind (orders and menus are the team's, and with end-to-end encryption only from a device holding
   * the shop's team key, whose messages readers can verify as the team's).
   */
  post(convId: string, card: Card): Promise<ChatMessage>;
  /**
   * Sends an event about a card. Refused before anything is queued: `card_invalid` when it breaks
   * its schema, `card_rejected` when the fold of what this client holds would ignore it (not this
   * principal's to do, or not now: a closed cart, someone else's line).
   */
  act(convId: string, event: CardEvent): Promise<ChatMessage>;
  /** Adds a line to an open cart under a new line id; resolves with the line id once stored. */
  addToCart(convId: string, cart: string, addition: CartAddition): Promise<string>;
}
