import { describe, expect, it } from "vitest";
import { cartOrderItems } from "./card-states.js";
import { foldCards } from "./fold.js";
import { AGENT, ALICE, BOB, CAROL, cardMsg, ev, eventMsg, idAt, MENU } from "./fold-fixtures.js";
import type { CardMessage, CartState } from "./state.js";

/** Menu at seq 1 (team), cart at seq 2 started by Alice, then `rest`. */
function foldCart(...rest: CardMessage[]) {
  const board = foldCards([
    cardMsg(1, AGENT, MENU, true),
    cardMsg(2, ALICE, { kind: "cart", v: 1, menu: idAt(1), title: "Friday pizza" }),
    ...rest,
  ]);
  const cart = board.cards.get(idAt(2));
  expect(cart?.kind).toBe("cart");
  return { board, cart: cart as CartState, applied: (seq: number) => board.events.get(idAt(seq))?.applied };
}

const add = (seq: number, by: string, line: string, item: string, more: Record<string, unknown> = {}) =>
  eventMsg(seq, by, ev(2, { op: "add", line, item, quantity: 1, ...more }));

describe("foldCards: group carts", () => {
  it("starts open from a team menu, with the menu's title and currency", () => {
    const { cart } = foldCart();
    expect(cart).toMatchObject({
      status: "open",
      menu: idAt(1),
      menuTitle: "Luigi's",
      currency: "EUR",
      title: "Friday pizza",
    });
    expect(cart).toMatchObject({ lines: [], people: [], total: 0, by: ALICE });
  });

  it("needs its menu to be a valid team menu card earlier in seq", () => {
    const board = foldCards([
      cardMsg(1, BOB, MENU),
      cardMsg(2, ALICE, { kind: "cart", v: 1, menu: idAt(1) }),
      cardMsg(3, ALICE, { kind: "cart", v: 1, menu: idAt(4) }),
      cardMsg(4, AGENT, MENU, true),
    ]);
    expect(board.cards.get(idAt(2))).toMatchObject({ kind: "unknown", named: "cart", reason: "invalid" });
    expect(board.cards.get(idAt(3))).toMatchObject({ kind: "unknown", named: "cart", reason: "invalid" });
  });

  it("adds lines from every member, with options, per-person subtotals and the total", () => {
    const { cart } = foldCart(
      add(3, BOB, "b1", "margherita", { quantity: 2, options: ["cheese", "basil"], note: "well done" }),
      add(4, ALICE, "a1", "water"),
      add(5, BOB, "b2", "diavola"),
    );
    expect(cart.lines.map((l) => [l.line, l.by, l.unitPrice, l.total])).toEqual([
      ["b1", BOB, 1000, 2000],
      ["a1", ALICE, 250, 250],
      ["b2", BOB, 1050, 1050],
    ]);
    expect(cart.lines[0]?.options).toEqual([
      { id: "cheese", name: "Extra cheese", price: 150 },
      { id: "basil", name: "Basil", price: 0 },
    ]);
    expect(cart.lines[0]?.note).toBe("well done");
    expect(cart.people).toEqual([
      { principal: BOB, subtotal: 3050 },
      { principal: ALICE, subtotal: 250 },
    ]);
    expect(cart.total).toBe(3300);
  });

  it("ignores an add with an existing line id, an unknown item, or an option of another item", () => {
    const { cart, applied } = foldCart(
      add(3, BOB, "l1", "water"),
      add(4, ALICE, "l1", "diavola"),
      add(5, ALICE, "l2", "tiramisu"),
      add(6, ALICE, "l3", "diavola", { options: ["cheese"] }),
    );
    expect(cart.lines.map((l) => [l.line, l.by, l.item.id])).toEqual([["l1", BOB, "water"]]);
    expect([3, 4, 5, 6].map(applied)).toEqual([true, false, false, false]);
  });

  it("forged: a member editing or removing another's line changes nothing", () => {
    const { cart, applied } = foldCart(
      add(3, BOB, "b1", "water"),
      eventMsg(4, ALICE, ev(2, { op: "set", line: "b1", quantity: 9 })),
      eventMsg(5, ALICE, ev(2, { op: "remove", line: "b1" })),
      eventMsg(6, AGENT, ev(2, { op: "remove", line: "b1" }), true),
    );
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]?.quantity).toBe(1);
    expect([4, 5, 6].map(applied)).toEqual([false, false, false]);
    expect(cart.updatedSeq).toBe(3);
  });

  it("lets the owner set (replacing quantity, options and note) and remove their line", () => {
    const { cart } = foldCart(
      add(3, BOB, "b1", "margherita", { options: ["cheese"], note: "hot" }),
      add(4, BOB, "b2", "water"),
      add(5, ALICE, "a1", "water"),
      eventMsg(6, BOB, ev(2, { op: "set", line: "b1", quantity: 3, options: ["basil"] })),
      eventMsg(7, BOB, ev(2, { op: "remove", line: "b2" })),
    );
    expect(cart.lines.map((l) => [l.line, l.quantity, l.options.map((o) => o.id), l.note, l.total])).toEqual([
      ["b1", 3, ["basil"], undefined, 2550],
      ["a1", 1, [], undefined, 250],
    ]);
    expect(cart.total).toBe(2800);
  });

  it("lock, unlock, submit and cancel are the starter's, each from the right status", () => {
    const { cart, applied } = foldCart(
      eventMsg(3, ALICE, ev(2, { op: "submit" })), // no lines yet
      add(4, BOB, "b1", "water"),
      eventMsg(5, BOB, ev(2, { op: "lock" })), // not the starter
      eventMsg(6, ALICE, ev(2, { op: "lock" })),
      add(7, BOB, "b2", "water"), // locked
      eventMsg(8, BOB, ev(2, { op: "remove", line: "b1" })), // locked
      eventMsg(9, ALICE, ev(2, { op: "lock" })), // already locked
      eventMsg(10, ALICE, ev(2, { op: "unlock" })),
      add(11, CAROL, "c1", "diavola"),
      eventMsg(12, ALICE, ev(2, { op: "submit" })),
      eventMsg(13, ALICE, ev(2, { op: "cancel" })), // submitted
      eventMsg(14, ALICE, ev(2, { op: "unlock" })),
    );
    expect([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map(applied)).toEqual([
      false,
      true,
      false,
      true,
      false,
      false,
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(cart.status).toBe("submitted");
    expect(cart.lines.map((l) => l.line)).toEqual(["b1", "c1"]);
  });

  it("cancel ends an open cart", () => {
    const { cart, applied } = foldCart(eventMsg(3, ALICE, ev(2, { op: "cancel" })), add(4, BOB, "b1", "water"));
    expect(cart.status).toBe("cancelled");
    expect(applied(4)).toBe(false);
  });

  it("becomes ordered when the team posts an order card naming it, only once submitted", () => {
    const early = foldCart(
      add(3, BOB, "b1", "water"),
      cardMsg(
        4,
        AGENT,
        {
          kind: "order",
          v: 1,
          number: "X",
          currency: "EUR",
          items: [{ name: "Water", quantity: 1, unitPrice: 250 }],
          tax: 0,
          delivery: 0,
          status: "placed",
          cart: idAt(2),
        },
        true,
      ),
    );
    expect(early.cart.status).toBe("open");

    const base = foldCart(
      add(3, BOB, "b1", "margherita", { options: ["cheese"] }),
      add(4, ALICE, "a1", "water", { quantity: 2, note: "no ice" }),
      eventMsg(5, ALICE, ev(2, { op: "submit" })),
    );
    const items = cartOrderItems(base.cart);
    expect(items).toEqual([
      { name: "Margherita", quantity: 1, unitPrice: 1000, by: BOB, options: ["Extra cheese"] },
      { name: "Water", quantity: 2, unitPrice: 250, by: ALICE, note: "no ice" },
    ]);
    const order = {
      kind: "order",
      v: 1,
      number: "PX-7",
      currency: "EUR",
      items,
      tax: 0,
      delivery: 0,
      status: "placed",
      cart: idAt(2),
    };
    const { cart, board } = foldCart(
      add(3, BOB, "b1", "margherita", { options: ["cheese"] }),
      add(4, ALICE, "a1", "water", { quantity: 2 }),
      eventMsg(5, ALICE, ev(2, { op: "submit" })),
      cardMsg(6, BOB, order), // a customer's order card: invalid, the cart stays submitted
      cardMsg(7, AGENT, order, true),
    );
    expect(board.cards.get(idAt(6))).toMatchObject({ kind: "unknown", reason: "invalid" });
    expect(cart).toMatchObject({ status: "ordered", order: idAt(7), updatedSeq: 7 });
  });
});
