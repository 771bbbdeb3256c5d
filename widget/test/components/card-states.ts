/** Fixture card states (plain objects of the fold's state types) for the renderer tests. */
import type { CardEventNote, CartState, MenuState, OrderState, SplitState, UnknownCardState } from "@parley/sdk";

const base = { seq: 1, ts: Date.UTC(2026, 11, 5, 18), updatedSeq: 1 };

export const MIA = "p-mia";
export const NOAH = "p-noah";
export const names = { [MIA]: "Mia", [NOAH]: "Noah", "p-bot": "Pizza Bot" };

export const order: OrderState = {
  ...base,
  id: "card-order",
  kind: "order",
  by: "p-bot",
  fromTeam: true,
  card: {
    kind: "order",
    v: 1,
    number: "PX-1001",
    currency: "EUR",
    items: [
      { name: "Margherita", quantity: 1, unitPrice: 1234, options: ["Extra basil"], by: MIA },
      {
        name: "Lemonade with a rather long name that has to wrap on a narrow screen",
        quantity: 2,
        unitPrice: 350,
        by: NOAH,
      },
    ],
    tax: 0,
    delivery: 299,
    status: "placed",
    trackingUrl: "https://track.example.com/PX-1001",
    actions: ["reorder", "contact"],
  },
  status: "out_for_delivery",
  steps: [
    { status: "placed", seq: 1, ts: base.ts },
    { status: "confirmed", seq: 4, ts: base.ts },
    { status: "preparing", seq: 5, ts: base.ts },
    { status: "out_for_delivery", seq: 6, ts: base.ts },
  ],
  trackingUrl: "https://track.example.com/PX-1001",
  subtotal: 1934,
  total: 2233,
};

export const menu: MenuState = {
  ...base,
  id: "card-menu",
  kind: "menu",
  by: "p-bot",
  fromTeam: true,
  card: {
    kind: "menu",
    v: 1,
    title: "Pizzeria Da Parley",
    currency: "EUR",
    sections: [
      {
        id: "pizza",
        name: "Pizza",
        items: [
          {
            id: "marg",
            name: "Margherita",
            price: 900,
            options: [
              { id: "basil", name: "Extra basil", price: 50 },
              { id: "chili", name: "Chili", price: 0 },
            ],
          },
          { id: "funghi", name: "Funghi", price: 1100, description: "Mushrooms, mozzarella" },
        ],
      },
      { id: "drinks", name: "Drinks", items: [{ id: "lemo", name: "Lemonade", price: 350 }] },
    ],
  },
};

export const cart: CartState = {
  ...base,
  id: "card-cart",
  kind: "cart",
  by: MIA,
  fromTeam: false,
  menu: "card-menu",
  menuTitle: "Pizzeria Da Parley",
  title: "Friday pizza",
  currency: "EUR",
  status: "open",
  lines: [
    {
      line: "l1",
      by: MIA,
      item: { id: "marg", name: "Margherita" },
      quantity: 2,
      options: [{ id: "basil", name: "Extra basil", price: 50 }],
      unitPrice: 950,
      total: 1900,
    },
    {
      line: "l2",
      by: NOAH,
      item: { id: "lemo", name: "Lemonade" },
      quantity: 1,
      options: [],
      note: "no ice",
      unitPrice: 350,
      total: 350,
    },
  ],
  people: [
    { principal: MIA, subtotal: 1900 },
    { principal: NOAH, subtotal: 350 },
  ],
  total: 2250,
};

export const split: SplitState = {
  ...base,
  id: "card-split",
  kind: "split",
  by: NOAH,
  fromTeam: false,
  currency: "EUR",
  total: 2233,
  method: "equal",
  payee: NOAH,
  order: "card-order",
  shares: [
    { person: MIA, amount: 1117, status: "open", link: "https://pay.example.com/s/1" },
    { person: NOAH, amount: 1116, status: "confirmed" },
  ],
  open: 1117,
};

export const unknown: UnknownCardState = {
  ...base,
  id: "card-poll",
  kind: "unknown",
  by: NOAH,
  fromTeam: false,
  named: "poll",
  reason: "unknown_kind",
};

/** Notes for card-event messages: a status change, a lock, and an ignored one. */
export const notes: Array<[string, CardEventNote]> = [
  [
    "ev-1",
    {
      card: "card-order",
      kind: "order",
      event: { op: "status", status: "out_for_delivery" },
      by: "p-bot",
      applied: true,
    },
  ],
  ["ev-2", { card: "card-cart", kind: "cart", event: { op: "lock" }, by: MIA, applied: true }],
  [
    "ev-3",
    { card: "card-order", kind: "order", event: { op: "status", status: "delivered" }, by: NOAH, applied: false },
  ],
];

/** A team viewer (an agent in the dashboard). */
export const ADA = "a_ada";

/** An order the shop just confirmed: no tracking link yet, no customer actions. */
export const newOrder: OrderState = {
  ...order,
  id: "card-order-new",
  card: { ...order.card, number: "PX-1002", status: "confirmed", trackingUrl: undefined, actions: undefined },
  status: "confirmed",
  steps: [{ status: "confirmed", seq: 1, ts: base.ts }],
  trackingUrl: undefined,
};

/** A split of the order paid to the shop: Mia's share open, Noah's marked paid in cash. */
export const shopSplit: SplitState = {
  ...split,
  id: "card-shop-split",
  by: MIA,
  payee: "shop",
  shares: [
    { person: MIA, amount: 1117, status: "open" },
    { person: NOAH, amount: 1116, status: "paid", via: "cash" },
  ],
  open: 2233,
};

export const all = [order, newOrder, menu, cart, split, shopSplit, unknown];
