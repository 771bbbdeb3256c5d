/**
 * The state a posted card starts with, and the sums the fold and its users
 * need (order totals, cart lines, split shares). Pure functions of their inputs.
 */
import { isKnownCardKind, orderSubtotal, parseCard } from "../protocol/cards/schemas.js";
import {
  type CartCard,
  MAX_AMOUNT,
  type MenuCard,
  type MenuItem,
  type OrderCard,
  type OrderItem,
  type SplitCard,
} from "../protocol/cards/wire.js";
import { allocate } from "./allocate.js";
import type {
  CardMessage,
  CardState,
  CardStateBase,
  CartLine,
  CartState,
  MenuState,
  OrderState,
  SplitState,
} from "./state.js";

/** The cards the fold holds so far, by id. */
export type CardMap = ReadonlyMap<string, CardState>;

/** An order card's sums, in minor units. */
export interface OrderTotals {
  /** Quantity x unit price over its lines. */
  subtotal: number;
  /** The subtotal with tax and delivery. */
  total: number;
}

/** An order card's sums (see {@link OrderTotals}). */
export function orderTotals(card: OrderCard): OrderTotals {
  const subtotal = orderSubtotal(card.items);
  return { subtotal, total: subtotal + card.tax + card.delivery };
}

/**
 * The order lines a team posts for a group cart: one per cart line, in the cart's order, with the
 * options' names and the line's owner as `by` (so a split by items can divide the order).
 */
export function cartOrderItems(cart: CartState): OrderItem[] {
  return cart.lines.map((line) => {
    const item: OrderItem = { name: line.item.name, quantity: line.quantity, unitPrice: line.unitPrice, by: line.by };
    if (line.options.length > 0) item.options = line.options.map((o) => o.name);
    if (line.note) item.note = line.note;
    return item;
  });
}

/** The menu item with id `id`, in any section. */
export function findMenuItem(menu: MenuCard, id: string): MenuItem | undefined {
  for (const section of menu.sections) {
    const item = section.items.find((i) => i.id === id);
    if (item) return item;
  }
  return undefined;
}

/** What a cart line is made of: an `add` or `set` event's fields. */
export interface LineRequest {
  line: string;
  quantity: number;
  options?: string[] | undefined;
  note?: string | undefined;
}

/**
 * A cart line for `item` of `menu`, or `undefined` when the item or one of the options is not on
 * the menu, or the line's total would pass {@link MAX_AMOUNT}.
 */
export function buildCartLine(menu: MenuCard, itemId: string, by: string, req: LineRequest): CartLine | undefined {
  const item = findMenuItem(menu, itemId);
  if (!item) return undefined;
  const options: CartLine["options"] = [];
  let unitPrice = item.price;
  for (const id of req.options ?? []) {
    const option = item.options?.find((o) => o.id === id);
    if (!option) return undefined;
    options.push({ id: option.id, name: option.name, price: option.price });
    unitPrice += option.price;
  }
  const total = unitPrice * req.quantity;
  if (total > MAX_AMOUNT) return undefined;
  const line: CartLine = {
    line: req.line,
    by,
    item: { id: item.id, name: item.name },
    quantity: req.quantity,
    options,
    unitPrice,
    total,
  };
  if (req.note !== undefined) line.note = req.note;
  return line;
}

/**
 * `cart` with `lines` in place of its lines, its people and total recomputed, changed at `seq`; or
 * `undefined` when the cart's total would pass {@link MAX_AMOUNT}.
 */
export function withLines(cart: CartState, lines: CartLine[], seq: number): CartState | undefined {
  const subtotals = new Map<string, number>();
  let total = 0;
  for (const line of lines) {
    subtotals.set(line.by, (subtotals.get(line.by) ?? 0) + line.total);
    total += line.total;
  }
  if (total > MAX_AMOUNT) return undefined;
  // A Map iterates in insertion order: here the order of the lines, not of the input messages.
  const people = [...subtotals].map(([principal, subtotal]) => ({ principal, subtotal }));
  return { ...cart, lines, people, total, updatedSeq: seq };
}

function base(message: CardMessage): CardStateBase {
  return {
    id: message.msgId,
    seq: message.seq,
    by: message.sender,
    fromTeam: message.fromTeam === true,
    ts: message.ts,
    updatedSeq: message.seq,
  };
}

function orderState(card: OrderCard, message: CardMessage): OrderState {
  const state: OrderState = {
    ...base(message),
    kind: "order",
    card,
    status: card.status,
    steps: [{ status: card.status, seq: message.seq, ts: message.ts }],
    ...orderTotals(card),
  };
  if (card.trackingUrl !== undefined) state.trackingUrl = card.trackingUrl;
  return state;
}

function cartState(card: CartCard, menu: MenuState, message: CardMessage): CartState {
  const state: CartState = {
    ...base(message),
    kind: "cart",
    menu: card.menu,
    menuTitle: menu.card.title,
    currency: menu.card.currency,
    status: "open",
    lines: [],
    people: [],
    total: 0,
  };
  if (card.title !== undefined) state.title = card.title;
  return state;
}

/** The weights of a split's people (see `allocate`), or `undefined` when the split cannot be divided. */
function splitWeights(card: SplitCard, order: OrderState | undefined): number[] | undefined {
  switch (card.method) {
    case "equal":
      return card.people.map(() => 1);
    case "shares":
      return card.shares;
    case "custom":
      return undefined;
    case "items": {
      if (!order || order.total !== card.total) return undefined;
      const weights = card.people.map((person) =>
        order.card.items.reduce((sum, item) => (item.by === person ? sum + item.quantity * item.unitPrice : sum), 0),
      );
      return weights.some((w) => w > 0) ? weights : undefined;
    }
  }
}

function splitState(card: SplitCard, cards: CardMap, message: CardMessage): SplitState | undefined {
  const order = card.order === undefined ? undefined : cards.get(card.order);
  if (card.order !== undefined && (order?.kind !== "order" || order.card.currency !== card.currency)) return undefined;
  let amounts: number[] | undefined;
  if (card.method === "custom") {
    amounts = card.amounts;
    if (!amounts || amounts.reduce((a, b) => a + b, 0) !== card.total) return undefined;
  } else {
    const weights = splitWeights(card, order?.kind === "order" ? order : undefined);
    if (!weights) return undefined;
    amounts = allocate(card.total, weights);
  }
  const state: SplitState = {
    ...base(message),
    kind: "split",
    currency: card.currency,
    total: card.total,
    method: card.method,
    payee: card.payee,
    shares: card.people.map((person, i) => ({ person, amount: amounts[i] ?? 0, status: "open" })),
    open: card.total,
  };
  if (card.order !== undefined) state.order = card.order;
  return state;
}

/**
 * The states a `card` message adds or changes: the new card's (a summary state when it is of an
 * unknown kind, fails its schema or its rules), and a submitted cart an order card fulfils. Empty
 * when the message's id already names a card.
 */
export function postCard(cards: CardMap, message: CardMessage, raw: unknown): CardState[] {
  if (cards.has(message.msgId)) return [];
  const named = (raw as { kind?: unknown } | null)?.kind;
  if (!isKnownCardKind(named)) {
    const state: CardState = { ...base(message), kind: "unknown", reason: "unknown_kind" };
    if (typeof named === "string") state.named = named;
    return [state];
  }
  const invalid: CardState = { ...base(message), kind: "unknown", named, reason: "invalid" };
  const card = parseCard(raw);
  const team = message.fromTeam === true;
  switch (card?.kind) {
    case "order": {
      if (!team) return [invalid];
      const state = orderState(card, message);
      const cart = card.cart === undefined ? undefined : cards.get(card.cart);
      if (cart?.kind === "cart" && cart.status === "submitted") {
        return [state, { ...cart, status: "ordered", order: message.msgId, updatedSeq: message.seq }];
      }
      return [state];
    }
    case "menu":
      return [team ? { ...base(message), kind: "menu", card } : invalid];
    case "cart": {
      const menu = cards.get(card.menu);
      return [menu?.kind === "menu" ? cartState(card, menu, message) : invalid];
    }
    case "split":
      return [splitState(card, cards, message) ?? invalid];
    default:
      return [invalid];
  }
}
