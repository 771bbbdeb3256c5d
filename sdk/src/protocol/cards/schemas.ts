/**
 * The zod schemas of cards and card events (version 1), written with
 * `zod/mini` so they stay small: they load with the card renderers, not with
 * the chat. Objects are strict (unknown keys refused), every amount is a safe
 * integer in 0..{@link MAX_AMOUNT}, links are `https:` only, and every string
 * and array is bounded by the limits of `wire.ts`.
 */
import * as z from "zod/mini";
import { ID_PATTERN, MSG_ID_PATTERN } from "../ids.js";
import { checked, firstProblem, type Same } from "../schema-checks.js";
import {
  CARD_LOCAL_ID_PATTERN,
  type Card,
  type CardEvent,
  CardKinds,
  CURRENCY_PATTERN,
  MAX_AMOUNT,
  MAX_ITEM_OPTIONS,
  MAX_MENU_ITEMS,
  MAX_MENU_SECTIONS,
  MAX_NAME_CHARS,
  MAX_ORDER_ITEMS,
  MAX_QUANTITY,
  MAX_SHARE_WEIGHT,
  MAX_SPLIT_PEOPLE,
  MAX_TEXT_CHARS,
  MAX_URL_CHARS,
  type MenuCard,
  OrderActions,
  type OrderCard,
  OrderStatuses,
  PaidVia,
  SplitMethods,
} from "./wire.js";

/** Whether every value of `values` occurs once. */
function distinct(values: readonly unknown[]): boolean {
  return new Set(values).size === values.length;
}

/** Whether `value` parses as a URL whose scheme is `https:`. */
function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

const amount = z.int().check(z.minimum(0), z.maximum(MAX_AMOUNT));
const quantity = z.int().check(z.minimum(1), z.maximum(MAX_QUANTITY));
const localId = z.string().check(z.regex(CARD_LOCAL_ID_PATTERN, "must be 1-40 of [A-Za-z0-9_-]"));
const cardId = z.string().check(z.regex(MSG_ID_PATTERN, "must be a card id (16-64 of [A-Za-z0-9_-])"));
const principal = z.string().check(z.regex(ID_PATTERN, "must be a principal id (1-64 of [A-Za-z0-9_-])"));
const currency = z.string().check(z.regex(CURRENCY_PATTERN, "must be an ISO 4217 code"));
const name = z.string().check(z.minLength(1), z.maxLength(MAX_NAME_CHARS));
const text = z.string().check(z.maxLength(MAX_TEXT_CHARS));
const url = z.string().check(z.maxLength(MAX_URL_CHARS), z.refine(isHttpsUrl, "must be an https: link"));
const one = z.literal(1);

/** An array of 0..`max` distinct values. */
function distinctArray<T extends z.core.SomeType>(item: T, max: number, what: string) {
  return z.array(item).check(z.maxLength(max), z.refine(distinct, `${what} must be distinct`));
}

const orderItemSchema = z.strictObject({
  name,
  quantity,
  unitPrice: amount,
  image: z.optional(url),
  options: z.optional(z.array(name).check(z.maxLength(MAX_ITEM_OPTIONS))),
  note: z.optional(text),
  by: z.optional(principal),
});

/** Sum of quantity x unit price over an order's lines (a safe integer within the limits). */
export function orderSubtotal(items: readonly { quantity: number; unitPrice: number }[]): number {
  let sum = 0;
  for (const item of items) sum += item.quantity * item.unitPrice;
  return sum;
}

const orderSchema = z.strictObject({
  kind: z.literal("order"),
  v: one,
  number: name,
  currency,
  items: z.array(orderItemSchema).check(z.minLength(1), z.maxLength(MAX_ORDER_ITEMS)),
  tax: amount,
  delivery: amount,
  status: z.enum(OrderStatuses),
  trackingUrl: z.optional(url),
  actions: z.optional(distinctArray(z.enum(OrderActions), OrderActions.length, "actions")),
  cart: z.optional(cardId),
});

const orderCardSchema = orderSchema.check(
  z.refine((card) => orderSubtotal(card.items) + card.tax + card.delivery <= MAX_AMOUNT, {
    message: `the order's total must be at most ${MAX_AMOUNT}`,
    path: ["items"],
  }),
);

const menuOptionSchema = z.strictObject({ id: localId, name, price: amount });
const menuItemSchema = z.strictObject({
  id: localId,
  name,
  description: z.optional(text),
  price: amount,
  image: z.optional(url),
  options: z.optional(
    z.array(menuOptionSchema).check(
      z.maxLength(MAX_ITEM_OPTIONS),
      z.refine((options) => distinct(options.map((o) => o.id)), "option ids must be distinct within their item"),
    ),
  ),
});
const menuSectionSchema = z.strictObject({ id: localId, name, items: z.array(menuItemSchema) });

const menuCardSchema = z.strictObject({
  kind: z.literal("menu"),
  v: one,
  title: name,
  currency,
  sections: z.array(menuSectionSchema).check(
    z.minLength(1),
    z.maxLength(MAX_MENU_SECTIONS),
    z.refine((sections) => distinct(sections.map((s) => s.id)), "section ids must be distinct"),
    z.refine(
      (sections) => sections.reduce((n, s) => n + s.items.length, 0) <= MAX_MENU_ITEMS,
      `a menu holds at most ${MAX_MENU_ITEMS} items`,
    ),
    z.refine(
      (sections) => distinct(sections.flatMap((s) => s.items.map((i) => i.id))),
      "item ids must be distinct within the menu",
    ),
  ),
});

const cartCardSchema = z.strictObject({
  kind: z.literal("cart"),
  v: one,
  menu: cardId,
  title: z.optional(name),
});

const splitCardSchema = z
  .strictObject({
    kind: z.literal("split"),
    v: one,
    currency,
    total: amount,
    method: z.enum(SplitMethods),
    people: distinctArray(principal, MAX_SPLIT_PEOPLE, "people").check(z.minLength(1)),
    payee: principal,
    order: z.optional(cardId),
    amounts: z.optional(z.array(amount).check(z.maxLength(MAX_SPLIT_PEOPLE))),
    shares: z.optional(
      z.array(z.int().check(z.minimum(1), z.maximum(MAX_SHARE_WEIGHT))).check(z.maxLength(MAX_SPLIT_PEOPLE)),
    ),
  })
  .check(
    z.refine((s) => (s.method === "custom") === (s.amounts !== undefined), {
      message: "amounts are given exactly for the custom method",
      path: ["amounts"],
    }),
    z.refine((s) => s.amounts === undefined || s.amounts.length === s.people.length, {
      message: "amounts must have one entry per person",
      path: ["amounts"],
    }),
    z.refine((s) => s.amounts === undefined || s.amounts.reduce((a, b) => a + b, 0) === s.total, {
      message: "amounts must add up to the total",
      path: ["amounts"],
    }),
    z.refine((s) => (s.method === "shares") === (s.shares !== undefined), {
      message: "shares are given exactly for the shares method",
      path: ["shares"],
    }),
    z.refine((s) => s.shares === undefined || s.shares.length === s.people.length, {
      message: "shares must have one entry per person",
      path: ["shares"],
    }),
    z.refine((s) => s.method !== "items" || s.order !== undefined, {
      message: "a split by items names its order",
      path: ["order"],
    }),
  );

/** The schema of every card kind of version 1. */
export const cardSchema = z.discriminatedUnion("kind", [
  orderCardSchema,
  menuCardSchema,
  cartCardSchema,
  splitCardSchema,
]);

const event = <Op extends string, Shape extends z.core.$ZodLooseShape>(op: Op, shape: Shape) =>
  z.strictObject({ v: one, card: cardId, op: z.literal(op), ...shape });
const lineOptions = z.optional(distinctArray(localId, MAX_ITEM_OPTIONS, "options"));

/** The schema of every card event of version 1. */
export const cardEventSchema = z.discriminatedUnion("op", [
  event("status", { status: z.enum(OrderStatuses) }),
  event("tracking", { url }),
  event("add", { line: localId, item: localId, quantity, options: lineOptions, note: z.optional(text) }),
  event("set", { line: localId, quantity, options: lineOptions, note: z.optional(text) }),
  event("remove", { line: localId }),
  event("lock", {}),
  event("unlock", {}),
  event("submit", {}),
  event("cancel", {}),
  event("paid", { person: principal, via: z.enum(PaidVia) }),
  event("received", { person: principal }),
  event("link", { person: principal, url }),
]);

// Compile-time checks of the schemas against wire.ts.
const cardsMatch: Same<z.output<typeof cardSchema>, Card> = true;
const eventsMatch: Same<z.output<typeof cardEventSchema>, CardEvent> = true;
const ordersMatch: Same<z.output<typeof orderCardSchema>, OrderCard> = true;
const menusMatch: Same<z.output<typeof menuCardSchema>, MenuCard> = true;
void [cardsMatch, eventsMatch, ordersMatch, menusMatch];

/** A checked copy of `value` as a card of a known kind, or `undefined` when it is not a valid one. */
export function parseCard(value: unknown): Card | undefined {
  return checked(cardSchema, value);
}

/** A checked copy of `value` as a card event, or `undefined` when it is not a valid one. */
export function parseCardEvent(value: unknown): CardEvent | undefined {
  return checked(cardEventSchema, value);
}

/** Whether `kind` is one of the {@link CardKinds} of this version. */
export function isKnownCardKind(kind: unknown): kind is Card["kind"] {
  return typeof kind === "string" && (CardKinds as readonly string[]).includes(kind);
}

/**
 * Why `value` is not a valid card (or, with `"event"`, not a valid card event), in a few words for
 * the `card_invalid` error message; `undefined` when it is valid.
 */
export function cardProblem(value: unknown, what: "card" | "event" = "card"): string | undefined {
  if (what === "card" && value && typeof value === "object" && !isKnownCardKind((value as { kind?: unknown }).kind)) {
    return `not a card kind of version 1 (${CardKinds.join(", ")})`;
  }
  return firstProblem(what === "card" ? cardSchema : cardEventSchema, value);
}
