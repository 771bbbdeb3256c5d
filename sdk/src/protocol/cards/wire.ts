/**
 * Cards on the wire (version 1): what a `card` body and a `card-event` body
 * carry inside the encrypted envelope. The gateway never sees any of it.
 *
 * - A card is posted once, as a `{type: "card", card}` message; its id is that
 *   message's `msgId` (random, unique per conversation, bound by the sender's
 *   signature), so no one can post a second card under an existing id.
 * - Everything that happens to a card later (a status change, a cart edit, a
 *   payment) is a `{type: "card-event", event}` message naming the card's id.
 *   A card's state is the fold of its events in `seq` order (`@parley/sdk/cards`).
 * - Money is an integer count of the currency's minor units (cents for EUR)
 *   with an ISO 4217 code once per card: no floats anywhere.
 *
 * These are the types only; the zod schemas that check them (`schemas.ts`)
 * load with the card renderers, not with the chat.
 */

/** The card format version every card and event carries as `v`. */
export const CARD_VERSION = 1;

/** Largest amount in minor units (10^11: a billion euros in cents), so sums of 200 lines stay safe integers. */
export const MAX_AMOUNT = 100_000_000_000;
/** Line items on an order card. */
export const MAX_ORDER_ITEMS = 100;
/** Sections on a menu. */
export const MAX_MENU_SECTIONS = 20;
/** Items on a menu, all sections together. */
export const MAX_MENU_ITEMS = 200;
/** Options (extras) on one menu item, and options chosen on one cart line. */
export const MAX_ITEM_OPTIONS = 20;
/** Lines in one cart. */
export const MAX_CART_LINES = 200;
/** Quantity of one line. */
export const MAX_QUANTITY = 99;
/** People in one bill split. */
export const MAX_SPLIT_PEOPLE = 50;
/** Weight of one person in a split by shares. */
export const MAX_SHARE_WEIGHT = 1000;
/** Names and titles, in UTF-16 code units. */
export const MAX_NAME_CHARS = 120;
/** Descriptions and notes, in UTF-16 code units. */
export const MAX_TEXT_CHARS = 500;
/** Links (tracking, images, payment pages): `https:` only. */
export const MAX_URL_CHARS = 2048;
/** Ids that a card chooses itself (menu sections, items, options, cart lines): 1-40 of `A-Za-z0-9_-`. */
export const CARD_LOCAL_ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
/** An ISO 4217 alphabetic code. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** An amount: a safe integer count of minor units, 0..{@link MAX_AMOUNT}. */
export type MinorUnits = number;

/** An order's status, in the order it normally moves; `cancelled` ends it from any earlier status. */
export const OrderStatuses = [
  "placed",
  "confirmed",
  "preparing",
  "out_for_delivery",
  "delivered",
  "cancelled",
] as const;
/** One of {@link OrderStatuses}. */
export type OrderStatus = (typeof OrderStatuses)[number];

/** What a shop offers on an order card. */
export const OrderActions = ["reorder", "contact"] as const;
/** One of {@link OrderActions}. */
export type OrderAction = (typeof OrderActions)[number];

/** One line of an order. */
export interface OrderItem {
  /** What it is. */
  name: string;
  /** How many, 1..{@link MAX_QUANTITY}. */
  quantity: number;
  /** Price of one, options included. */
  unitPrice: MinorUnits;
  /** A picture of it (`https:`). */
  image?: string;
  /** Chosen options, by name, for display. */
  options?: string[];
  /** The customer's note on this line ("no onions"), up to {@link MAX_TEXT_CHARS}. */
  note?: string;
  /** From a group cart: the principal who ordered this line (for a split by who ordered what). */
  by?: string;
}

/** An order: posted by the shop's team, its status changed in place by `status` events. */
export interface OrderCard {
  /** The card kind. */
  kind: "order";
  /** The card format version ({@link CARD_VERSION}). */
  v: 1;
  /** The shop's order number, e.g. `PX-1001`. */
  number: string;
  /** ISO 4217 code of every amount on the card. */
  currency: string;
  /** 1..{@link MAX_ORDER_ITEMS} lines. */
  items: OrderItem[];
  /** Tax on top of the items (0 when prices include it). */
  tax: MinorUnits;
  /** Delivery charge. */
  delivery: MinorUnits;
  /** The status when posted. */
  status: OrderStatus;
  /** Where to follow the delivery (`https:`). */
  trackingUrl?: string;
  /** What the shop offers on this card. */
  actions?: OrderAction[];
  /** The card id of the group cart this order fulfils (the cart then reads as ordered). */
  cart?: string;
}

/** An extra that can be added to a menu item, at a price (0 for free choices). */
export interface MenuOption {
  /** Its id, unique within its item ({@link CARD_LOCAL_ID_PATTERN}). */
  id: string;
  /** What it is ("Extra cheese"). */
  name: string;
  /** What it adds to the item's price. */
  price: MinorUnits;
}

/** One dish or product on a menu. */
export interface MenuItem {
  /** Its id, unique within the menu ({@link CARD_LOCAL_ID_PATTERN}). */
  id: string;
  /** What it is. */
  name: string;
  /** A few words about it, up to {@link MAX_TEXT_CHARS}. */
  description?: string;
  /** The price of one, without options. */
  price: MinorUnits;
  /** A picture of it (`https:`). */
  image?: string;
  /** Up to {@link MAX_ITEM_OPTIONS}. */
  options?: MenuOption[];
}

/** A part of a menu ("Pizza", "Drinks"). */
export interface MenuSection {
  /** Its id, unique within the menu ({@link CARD_LOCAL_ID_PATTERN}). */
  id: string;
  /** Its heading. */
  name: string;
  /** Its items (possibly none). */
  items: MenuItem[];
}

/** A catalog the team posts; members start group carts from it. Section and item ids are unique within the menu, option ids within their item. */
export interface MenuCard {
  /** The card kind. */
  kind: "menu";
  /** The card format version ({@link CARD_VERSION}). */
  v: 1;
  /** The menu's name ("Pizza Place"). */
  title: string;
  /** ISO 4217 code of every price on the menu. */
  currency: string;
  /** 1..{@link MAX_MENU_SECTIONS} sections, {@link MAX_MENU_ITEMS} items in all. */
  sections: MenuSection[];
}

/** A shared cart started from a menu by any member; its sender is the cart's starter. */
export interface CartCard {
  /** The card kind. */
  kind: "cart";
  /** The card format version ({@link CARD_VERSION}). */
  v: 1;
  /** The card id of the menu (a menu card the team posted in this conversation). */
  menu: string;
  /** A name for the order ("Friday pizza"). */
  title?: string;
}

/** How a bill is divided. */
export const SplitMethods = ["equal", "items", "custom", "shares"] as const;
/** One of {@link SplitMethods}. */
export type SplitMethod = (typeof SplitMethods)[number];

/**
 * A bill split, posted by any member, from an order card (`order`) or a free amount.
 * - `equal`: `total` in equal shares; the remainder cents go one each to `people` in the listed order.
 * - `items`: from an order card: each person's share is proportional to the lines they ordered
 *   (`OrderItem.by`), tax and delivery included; `total` must equal the order's total.
 * - `custom`: `amounts[i]` for `people[i]`; they must add up to `total`.
 * - `shares`: `total` by integer weights `shares[i]`; the remainder as for `equal`.
 */
export interface SplitCard {
  /** The card kind. */
  kind: "split";
  /** The card format version ({@link CARD_VERSION}). */
  v: 1;
  /** ISO 4217 code of every amount (the order's, when it names one). */
  currency: string;
  /** The amount to divide. */
  total: MinorUnits;
  /** How it is divided. */
  method: SplitMethod;
  /** 1..{@link MAX_SPLIT_PEOPLE} distinct principal ids: who pays, and the order remainders go in. */
  people: string[];
  /** Who is paid: a principal id, or `"shop"` (the team confirms, e.g. through its payment links). */
  payee: string;
  /** The order card this split divides (required for `items`). */
  order?: string;
  /** `custom` only: one amount per person. */
  amounts?: MinorUnits[];
  /** `shares` only: one weight (1..{@link MAX_SHARE_WEIGHT}) per person. */
  shares?: number[];
}

/** Every card kind of this version. */
export type Card = OrderCard | MenuCard | CartCard | SplitCard;
/** The card kinds this version knows; others are shown as a summary. */
export const CardKinds = ["order", "menu", "cart", "split"] as const;
/** One of {@link CardKinds}. */
export type CardKind = Card["kind"];

/** How a payer says they paid. */
export const PaidVia = ["cash", "link"] as const;

/**
 * Something that happens to a card. Who may do it (anything else is ignored by every client alike):
 * - `status`, `tracking` (order), `link` (split): the shop's team.
 * - `add`: any member while the cart is open; the line then belongs to its sender.
 * - `set`, `remove`: the line's owner while the cart is open.
 * - `lock`, `unlock`, `submit`, `cancel`: the cart's starter (`submit` from open or locked with at
 *   least one line; `unlock` from locked; `cancel` before it is submitted).
 * - `paid`: the person whose share it is; `received`: the payee (the team when the payee is `"shop"`).
 */
export type CardEventOp =
  | {
      /** Moves an order to a later status, or cancels it. */
      op: "status";
      /** The new status. */
      status: OrderStatus;
    }
  | {
      /** Sets an order's tracking link. */
      op: "tracking";
      /** The link (`https:`). */
      url: string;
    }
  | {
      /** Adds a line to an open cart. */
      op: "add";
      /** The new line's id, chosen by the sender ({@link CARD_LOCAL_ID_PATTERN}). */
      line: string;
      /** The menu item's id. */
      item: string;
      /** How many, 1..{@link MAX_QUANTITY}. */
      quantity: number;
      /** Option ids of that item, distinct. */
      options?: string[];
      /** A note for the shop, up to {@link MAX_TEXT_CHARS}. */
      note?: string;
    }
  | {
      /** Replaces a line's quantity, options and note (what is left out is cleared). */
      op: "set";
      /** The line's id. */
      line: string;
      /** How many, 1..{@link MAX_QUANTITY}. */
      quantity: number;
      /** Option ids of the line's item, distinct. */
      options?: string[];
      /** A note for the shop, up to {@link MAX_TEXT_CHARS}. */
      note?: string;
    }
  | {
      /** Removes a line. */
      op: "remove";
      /** The line's id. */
      line: string;
    }
  | {
      /** Locks an open cart: no more edits until unlocked. */
      op: "lock";
    }
  | {
      /** Opens a locked cart again. */
      op: "unlock";
    }
  | {
      /** Sends the cart to the shop. */
      op: "submit";
    }
  | {
      /** Cancels a cart that was not submitted. */
      op: "cancel";
    }
  | {
      /** The payer says they paid their share. */
      op: "paid";
      /** Whose share: the sender's own principal id. */
      person: string;
      /** In cash, or through the shop's payment link. */
      via: (typeof PaidVia)[number];
    }
  | {
      /** The payee confirms a share was received. */
      op: "received";
      /** Whose share. */
      person: string;
    }
  | {
      /** The team attaches its payment page to a share. */
      op: "link";
      /** Whose share. */
      person: string;
      /** The payment page (`https:`). */
      url: string;
    };

/** A card event on the wire: the version, the card it is about, and what happens. */
export type CardEvent = {
  /** The card format version ({@link CARD_VERSION}). */
  v: 1;
  /** The card's id: the `msgId` of the message that posted it. */
  card: string;
} & CardEventOp;
