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
  /** From a group cart: the principal who ordered this line (for a split by who ordered what). */
  by?: string;
}

/** An order: posted by the shop's team, its status changed in place by `status` events. */
export interface OrderCard {
  kind: "order";
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
  id: string;
  name: string;
  price: MinorUnits;
}

/** One dish or product on a menu. */
export interface MenuItem {
  id: string;
  name: string;
  description?: string;
  price: MinorUnits;
  image?: string;
  /** Up to {@link MAX_ITEM_OPTIONS}. */
  options?: MenuOption[];
}

/** A part of a menu ("Pizza", "Drinks"). */
export interface MenuSection {
  id: string;
  name: string;
  items: MenuItem[];
}

/** A catalog the team posts; members start group carts from it. Section and item ids are unique within the menu, option ids within their item. */
export interface MenuCard {
  kind: "menu";
  v: 1;
  title: string;
  currency: string;
  /** 1..{@link MAX_MENU_SECTIONS} sections, {@link MAX_MENU_ITEMS} items in all. */
  sections: MenuSection[];
}

/** A shared cart started from a menu by any member; its sender is the cart's starter. */
export interface CartCard {
  kind: "cart";
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
  kind: "split";
  v: 1;
  currency: string;
  total: MinorUnits;
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
  | { op: "status"; status: OrderStatus }
  | { op: "tracking"; url: string }
  | { op: "add"; line: string; item: string; quantity: number; options?: string[]; note?: string }
  | { op: "set"; line: string; quantity: number; options?: string[]; note?: string }
  | { op: "remove"; line: string }
  | { op: "lock" }
  | { op: "unlock" }
  | { op: "submit" }
  | { op: "cancel" }
  | { op: "paid"; person: string; via: (typeof PaidVia)[number] }
  | { op: "received"; person: string }
  | { op: "link"; person: string; url: string };

/** A card event on the wire: the version, the card it is about, and what happens. */
export type CardEvent = { v: 1; card: string } & CardEventOp;
