/**
 * What a conversation's cards add up to: the output of `foldCards`, the one
 * deterministic fold every client runs over a conversation's confirmed
 * messages in `seq` order (duplicates by `seq` count once). Events a rule
 * does not allow are kept as ignored, so every client shows the same thing.
 */
import type { FoldMessage } from "../gapless.js";
import type { CardEventOp, MenuCard, MinorUnits, OrderCard, OrderStatus, SplitMethod } from "../protocol/cards/wire.js";

/** A message as the cards fold reads it (a `ChatMessage` fits): `card` and `card-event` bodies are folded. */
export type CardMessage = FoldMessage;

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
  /** The status reached. */
  status: OrderStatus;
  /** The message that set it (the card's own for the first step). */
  seq: number;
  /** That message's server time, ms. */
  ts: number;
}

/** An order card with its current status. */
export interface OrderState extends CardStateBase {
  /** An order card. */
  kind: "order";
  /** The card as posted. */
  card: OrderCard;
  /** The current status: the card's, or the last `status` event applied. */
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
  /** A menu card. */
  kind: "menu";
  /** The menu as posted (menus never change). */
  card: MenuCard;
}

/** One line of a group cart. */
export interface CartLine {
  /** The line id the `add` chose. */
  line: string;
  /** Who added it (its owner). */
  by: string;
  /** The menu item's id and name. */
  item: {
    /** The item's id on the menu. */
    id: string;
    /** The item's name, from the menu. */
    name: string;
  };
  /** How many, 1..99. */
  quantity: number;
  /** The chosen options, from the menu. */
  options: Array<{
    /** The option's id on the menu item. */
    id: string;
    /** Its name, from the menu. */
    name: string;
    /** Its price, from the menu. */
    price: MinorUnits;
  }>;
  /** The owner's note, when the last `add` or `set` gave one. */
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
  /** A group cart. */
  kind: "cart";
  /** The menu's card id. */
  menu: string;
  /** The menu's title. */
  menuTitle: string;
  /** The name the starter gave the order, if any. */
  title?: string;
  /** The menu's ISO 4217 code: the currency of every amount in the cart. */
  currency: string;
  /** Where the cart is. */
  status: CartStatus;
  /** Lines in the order they were added. */
  lines: CartLine[];
  /** Per person with a line, in the order of their first line among the current `lines`: their subtotal. */
  people: Array<{
    /** The person's principal id. */
    principal: string;
    /** The sum of their lines' totals. */
    subtotal: MinorUnits;
  }>;
  /** The sum of every line's total. */
  total: MinorUnits;
  /** Once the team answered with an order card for it: that card's id. */
  order?: string;
}

/** Where one share of a split is. */
export type ShareStatus = "open" | "paid" | "confirmed";

/** One person's share of a split. */
export interface SplitShare {
  /** Whose share it is: a principal id. */
  person: string;
  /** What they owe, in minor units. */
  amount: MinorUnits;
  /** Open, marked paid by the person, or confirmed by the payee. */
  status: ShareStatus;
  /** How the payer said they paid. */
  via?: "cash" | "link";
  /** The shop's payment page for this share. */
  link?: string;
}

/** A bill split with its shares. */
export interface SplitState extends CardStateBase {
  /** A bill split. */
  kind: "split";
  /** The ISO 4217 code of every amount. */
  currency: string;
  /** The amount divided. */
  total: MinorUnits;
  /** How it was divided. */
  method: SplitMethod;
  /** Who is paid: a principal id, or `"shop"`. */
  payee: string;
  /** The order card it divides, when it names one. */
  order?: string;
  /** In the card's `people` order; the amounts add up to `total` exactly. */
  shares: SplitShare[];
  /** What is not yet confirmed by the payee. */
  open: MinorUnits;
}

/** A card of a kind this version does not know, or one that breaks its schema or rules: shown as a summary. */
export interface UnknownCardState extends CardStateBase {
  /** Shown as a summary only. */
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
