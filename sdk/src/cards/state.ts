/**
 * What a conversation's cards add up to: the output of `foldCards`, the one
 * deterministic fold every client runs over a conversation's confirmed
 * messages in `seq` order (duplicates by `seq` count once). Events a rule
 * does not allow are kept as ignored, so every client shows the same thing.
 */
import type { CardEventOp, MenuCard, MinorUnits, OrderCard, OrderStatus, SplitMethod } from "../protocol/cards/wire.js";

/** A message as the fold reads it (a `ChatMessage` fits). */
export interface CardMessage {
  seq: number;
  msgId: string;
  /** The sender's principal id. */
  sender: string;
  /** Server time, ms. */
  ts: number;
  /** Whether the shop's team sent it, verified (see `ChatMessage.fromTeam`). */
  fromTeam?: boolean;
  /** The decoded body; messages of other kinds (or unreadable ones) are skipped. */
  body: { type: string } | undefined;
}

/** What every card's state carries. */
export interface CardStateBase {
  /** The card id: the `msgId` of the message that posted it. */
  id: string;
  /** Its message's seq. */
  seq: number;
  /** Who posted it. */
  by: string;
  /** Whether the shop's team posted it (verified): the widget's "from the shop" mark. */
  fromTeam: boolean;
  /** When it was posted, ms. */
  ts: number;
  /** The seq of the last event that changed it (its own seq before any). */
  updatedSeq: number;
}

/** One step of an order's status timeline. */
export interface OrderStep {
  status: OrderStatus;
  /** The message that set it (the card's own for the first step). */
  seq: number;
  ts: number;
}

/** An order card with its current status. */
export interface OrderState extends CardStateBase {
  kind: "order";
  /** The card as posted. */
  card: OrderCard;
  status: OrderStatus;
  /** Every status it has had, oldest first. */
  steps: OrderStep[];
  /** The latest tracking link (from the card or a `tracking` event). */
  trackingUrl?: string;
  /** Sum of quantity x unit price. */
  subtotal: MinorUnits;
  /** Subtotal, tax and delivery. */
  total: MinorUnits;
}

/** A menu as posted. */
export interface MenuState extends CardStateBase {
  kind: "menu";
  card: MenuCard;
}

/** One line of a group cart. */
export interface CartLine {
  /** The line id the `add` chose. */
  line: string;
  /** Who added it (its owner). */
  by: string;
  /** The menu item's id and name. */
  item: { id: string; name: string };
  quantity: number;
  /** The chosen options, from the menu. */
  options: Array<{ id: string; name: string; price: MinorUnits }>;
  note?: string;
  /** Item price plus options. */
  unitPrice: MinorUnits;
  /** quantity x unitPrice. */
  total: MinorUnits;
}

/** Where a group cart is. */
export type CartStatus = "open" | "locked" | "submitted" | "ordered" | "cancelled";

/** A group cart. */
export interface CartState extends CardStateBase {
  kind: "cart";
  /** The menu's card id, and its title. */
  menu: string;
  menuTitle: string;
  title?: string;
  currency: string;
  status: CartStatus;
  /** Lines in the order they were added. */
  lines: CartLine[];
  /** Per person, in the order each first added a line: their subtotal. */
  people: Array<{ principal: string; subtotal: MinorUnits }>;
  total: MinorUnits;
  /** Once the team answered with an order card for it: that card's id. */
  order?: string;
}

/** Where one share of a split is. */
export type ShareStatus = "open" | "paid" | "confirmed";

/** One person's share of a split. */
export interface SplitShare {
  person: string;
  amount: MinorUnits;
  status: ShareStatus;
  /** How the payer said they paid. */
  via?: "cash" | "link";
  /** The shop's payment page for this share. */
  link?: string;
}

/** A bill split with its shares. */
export interface SplitState extends CardStateBase {
  kind: "split";
  currency: string;
  total: MinorUnits;
  method: SplitMethod;
  payee: string;
  order?: string;
  /** In the card's `people` order; the amounts add up to `total` exactly. */
  shares: SplitShare[];
  /** What is not yet confirmed by the payee. */
  open: MinorUnits;
}

/** A card of a kind this version does not know, or one that breaks its schema or rules: shown as a summary. */
export interface UnknownCardState extends CardStateBase {
  kind: "unknown";
  /** The `kind` it named (for the summary), when a string. */
  named?: string;
  /** Why it cannot be shown: a kind from a newer version, or a card that failed its checks. */
  reason: "unknown_kind" | "invalid";
}

/** Any card's state. */
export type CardState = OrderState | MenuState | CartState | SplitState | UnknownCardState;

/** What one `card-event` message did, for the timeline's short notice. */
export interface CardEventNote {
  /** The card it names. */
  card: string;
  /** That card's kind (`unknown` when the card is not loaded or not known). */
  kind: CardState["kind"];
  /** The event as sent, when it passed its schema. */
  event?: CardEventOp;
  /** Who sent it. */
  by: string;
  /** Whether it changed the card; ignored events change nothing on any client. */
  applied: boolean;
}

/** Every card of a conversation and what each card-event message did. */
export interface CardBoard {
  /** By card id. */
  cards: ReadonlyMap<string, CardState>;
  /** By the msgId of each `card-event` message. */
  events: ReadonlyMap<string, CardEventNote>;
}
