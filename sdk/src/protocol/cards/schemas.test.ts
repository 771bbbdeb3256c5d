import { describe, expect, it } from "vitest";
import { cardProblem, parseCard, parseCardEvent } from "./schemas.js";
import { MAX_AMOUNT, type MenuCard, type OrderCard } from "./wire.js";

const CARD_ID = "m000000000000001";

const order: OrderCard = {
  kind: "order",
  v: 1,
  number: "PX-1001",
  currency: "EUR",
  items: [
    {
      name: "Margherita",
      quantity: 2,
      unitPrice: 850,
      image: "https://img.example/m.png",
      options: ["Basil"],
      by: "alice",
    },
  ],
  tax: 0,
  delivery: 200,
  status: "placed",
  trackingUrl: "https://track.example/1",
  actions: ["reorder", "contact"],
  cart: CARD_ID,
};

const menu: MenuCard = {
  kind: "menu",
  v: 1,
  title: "Luigi's",
  currency: "EUR",
  sections: [
    {
      id: "pizza",
      name: "Pizza",
      items: [
        { id: "m", name: "Margherita", price: 850, options: [{ id: "cheese", name: "Cheese", price: 150 }] },
        {
          id: "d",
          name: "Diavola",
          price: 1050,
          description: "Hot",
          options: [{ id: "cheese", name: "Cheese", price: 150 }],
        },
      ],
    },
  ],
};

const split = {
  kind: "split",
  v: 1,
  currency: "EUR",
  total: 1000,
  method: "equal",
  people: ["alice", "bob"],
  payee: "shop",
};

describe("parseCard", () => {
  it("accepts a valid card of each kind and returns a copy", () => {
    for (const card of [order, menu, { kind: "cart", v: 1, menu: CARD_ID, title: "Friday" }, split]) {
      const parsed = parseCard(card);
      expect(parsed).toEqual(card);
      expect(parsed).not.toBe(card);
    }
  });

  it("refuses amounts that are not safe integers in 0..MAX_AMOUNT", () => {
    for (const bad of [0.5, 1e300, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_AMOUNT + 1, "100", 2 ** 53]) {
      expect(parseCard({ ...order, tax: bad })).toBeUndefined();
      expect(parseCard({ ...order, items: [{ name: "x", quantity: 1, unitPrice: bad }] })).toBeUndefined();
      expect(parseCard({ ...split, total: bad })).toBeUndefined();
    }
    expect(
      parseCard({ ...order, tax: MAX_AMOUNT, delivery: 0, items: [{ name: "x", quantity: 1, unitPrice: 0 }] }),
    ).toBeDefined();
  });

  it("refuses an order whose total passes MAX_AMOUNT", () => {
    const items = [{ name: "x", quantity: 99, unitPrice: MAX_AMOUNT }];
    expect(parseCard({ ...order, items })).toBeUndefined();
    expect(cardProblem({ ...order, items })).toMatch(/total/);
  });

  it("refuses unknown keys, a wrong version, bad ids, currencies and links", () => {
    expect(parseCard({ ...order, extra: 1 })).toBeUndefined();
    expect(parseCard({ ...order, v: 2 })).toBeUndefined();
    expect(parseCard({ ...order, items: [{ ...order.items[0], price: 1 }] })).toBeUndefined();
    expect(parseCard({ ...order, currency: "eur" })).toBeUndefined();
    expect(parseCard({ ...order, cart: "short" })).toBeUndefined();
    expect(parseCard({ ...order, trackingUrl: "http://track.example/1" })).toBeUndefined();
    expect(parseCard({ ...order, trackingUrl: "javascript:alert(1)" })).toBeUndefined();
    expect(parseCard({ ...order, trackingUrl: "not a url" })).toBeUndefined();
    expect(parseCard({ ...order, trackingUrl: `https://x.example/${"a".repeat(2048)}` })).toBeUndefined();
    expect(parseCard({ ...order, items: [] })).toBeUndefined();
    expect(parseCard({ ...order, actions: ["reorder", "reorder"] })).toBeUndefined();
    expect(parseCard({ ...order, number: "x".repeat(121) })).toBeUndefined();
    expect(parseCard({ ...order, items: [{ ...order.items[0], by: "a b" }] })).toBeUndefined();
    expect(parseCard({ ...order, items: [{ ...order.items[0], quantity: 100 }] })).toBeUndefined();
    expect(parseCard(JSON.parse(`{"kind":"cart","v":1,"menu":"${CARD_ID}","__proto__":{"x":1}}`))).toBeUndefined();
  });

  it("refuses duplicate section and item ids, but allows one option id on two items", () => {
    const [section] = menu.sections;
    if (!section) throw new Error("fixture");
    expect(parseCard({ ...menu, sections: [section, { ...section, items: [] }] })).toBeUndefined();
    expect(parseCard({ ...menu, sections: [section, { ...section, id: "s2" }] })).toBeUndefined();
    const twice = {
      id: "m",
      name: "M",
      price: 1,
      options: [
        { id: "o", name: "O", price: 0 },
        { id: "o", name: "P", price: 0 },
      ],
    };
    expect(parseCard({ ...menu, sections: [{ ...section, items: [twice] }] })).toBeUndefined();
    expect(cardProblem({ ...menu, sections: [section, { ...section, id: "s2" }] })).toMatch(/item ids/);
  });

  it("bounds a menu to 200 items", () => {
    const items = (n: number, p: string) =>
      Array.from({ length: n }, (_, i) => ({ id: `${p}${i}`, name: "x", price: 1 }));
    const sections = (n: number) => [
      { id: "a", name: "A", items: items(100, "a") },
      { id: "b", name: "B", items: items(n, "b") },
    ];
    expect(parseCard({ ...menu, sections: sections(100) })).toBeDefined();
    expect(parseCard({ ...menu, sections: sections(101) })).toBeUndefined();
  });

  it("checks a split's fields against its method", () => {
    const ok = [
      { ...split, method: "custom", amounts: [600, 400] },
      { ...split, method: "shares", shares: [1, 3] },
      { ...split, method: "items", order: CARD_ID },
    ];
    for (const card of ok) expect(parseCard(card)).toEqual(card);
    const bad = [
      { ...split, people: ["alice", "alice"] },
      { ...split, people: [] },
      { ...split, amounts: [500, 500] },
      { ...split, method: "custom" },
      { ...split, method: "custom", amounts: [1000] },
      { ...split, method: "custom", amounts: [600, 300] },
      { ...split, method: "shares" },
      { ...split, method: "shares", shares: [1, 0] },
      { ...split, method: "shares", shares: [1, 1], amounts: [500, 500] },
      { ...split, method: "items" },
      { ...split, method: "thirds" },
    ];
    for (const card of bad) expect(parseCard(card)).toBeUndefined();
  });
});

describe("parseCardEvent", () => {
  const ev = (op: Record<string, unknown>) => ({ v: 1, card: CARD_ID, ...op });

  it("accepts each op of version 1", () => {
    const events = [
      ev({ op: "status", status: "confirmed" }),
      ev({ op: "tracking", url: "https://t.example/" }),
      ev({ op: "add", line: "l1", item: "m", quantity: 2, options: ["cheese"], note: "hot" }),
      ev({ op: "set", line: "l1", quantity: 1 }),
      ev({ op: "remove", line: "l1" }),
      ev({ op: "lock" }),
      ev({ op: "unlock" }),
      ev({ op: "submit" }),
      ev({ op: "cancel" }),
      ev({ op: "paid", person: "bob", via: "link" }),
      ev({ op: "received", person: "bob" }),
      ev({ op: "link", person: "bob", url: "https://pay.example/b" }),
    ];
    for (const event of events) expect(parseCardEvent(event)).toEqual(event);
  });

  it("refuses unknown ops and keys, bad quantities, repeated options and http links", () => {
    const bad = [
      ev({ op: "explode" }),
      ev({ op: "lock", line: "l1" }),
      ev({ op: "add", line: "l1", item: "m", quantity: 0 }),
      ev({ op: "add", line: "l1", item: "m", quantity: 1.5 }),
      ev({ op: "add", line: "l1", item: "m", quantity: Number.NaN }),
      ev({ op: "add", line: "l1", item: "m", quantity: 1, options: ["a", "a"] }),
      ev({ op: "add", line: "l/1", item: "m", quantity: 1 }),
      ev({ op: "status", status: "lost" }),
      ev({ op: "link", person: "bob", url: "http://pay.example/b" }),
      ev({ op: "paid", person: "bob", via: "card" }),
      { ...ev({ op: "lock" }), v: 2 },
      { ...ev({ op: "lock" }), card: "x" },
    ];
    for (const event of bad) expect(parseCardEvent(event)).toBeUndefined();
  });
});

describe("cardProblem", () => {
  it("names the problem, or nothing for a valid card", () => {
    expect(cardProblem(order)).toBeUndefined();
    expect(cardProblem({ kind: "poll" })).toMatch(/not a card kind/);
    expect(cardProblem({ ...order, currency: "eur" })).toMatch(/^currency: .*ISO 4217/);
    expect(cardProblem({ ...order, trackingUrl: "http://x.example" })).toMatch(/^trackingUrl: .*https/);
    expect(cardProblem({ v: 1, card: CARD_ID, op: "lock" }, "event")).toBeUndefined();
    expect(cardProblem({ v: 1, card: CARD_ID, op: "paid", person: "b" }, "event")).toMatch(/via/);
  });
});
