import { describe, expect, it } from "vitest";
import { foldCards } from "./fold.js";
import { AGENT, ALICE, BOB, CAROL, cardMsg, ev, eventMsg, idAt, ORDER } from "./fold-fixtures.js";
import type { CardMessage, SplitState } from "./state.js";

const split = (more: Record<string, unknown>) => ({
  kind: "split",
  v: 1,
  currency: "EUR",
  total: 1000,
  method: "equal",
  people: [ALICE, BOB, CAROL],
  payee: ALICE,
  ...more,
});

/** The team's order at seq 1, the split at seq 2 posted by Bob, then `rest`. */
function foldSplit(card: Record<string, unknown>, ...rest: CardMessage[]) {
  const board = foldCards([cardMsg(1, AGENT, ORDER, true), cardMsg(2, BOB, card), ...rest]);
  return {
    board,
    state: board.cards.get(idAt(2)) as SplitState,
    applied: (seq: number) => board.events.get(idAt(seq))?.applied,
  };
}

describe("foldCards: bill splits", () => {
  it("equal: the remainder cents go one each to the first people", () => {
    const { state } = foldSplit(split({}));
    expect(state.kind).toBe("split");
    expect(state.shares.map((s) => s.amount)).toEqual([334, 333, 333]);
    expect(state).toMatchObject({ open: 1000, payee: ALICE, by: BOB });
    expect(state.shares.every((s) => s.status === "open")).toBe(true);
  });

  it("shares: by integer weights, remainders to the largest fraction", () => {
    const { state } = foldSplit(split({ method: "shares", total: 100, shares: [1, 1, 1] }));
    expect(state.shares.map((s) => s.amount)).toEqual([34, 33, 33]);
    const weighted = foldSplit(split({ method: "shares", total: 1000, shares: [2, 1, 4] })).state;
    // 285.71, 142.86, 571.43: floors add up to 998; the two cents left go to the largest fractions (.857, .714).
    expect(weighted.shares.map((s) => s.amount)).toEqual([286, 143, 571]);
  });

  it("custom: the amounts as given; amounts that do not add up make the card invalid", () => {
    expect(foldSplit(split({ method: "custom", amounts: [500, 300, 200] })).state.shares.map((s) => s.amount)).toEqual([
      500, 300, 200,
    ]);
    const bad = foldSplit(split({ method: "custom", amounts: [500, 300, 100] })).board.cards.get(idAt(2));
    expect(bad).toMatchObject({ kind: "unknown", named: "split", reason: "invalid" });
  });

  it("items: by each person's lines of the order, tax and delivery included", () => {
    // Alice 850, Bob 500 of a 1350 subtotal; total 1650 -> 1038.88.. and 611.11..
    const { state } = foldSplit(split({ method: "items", total: 1650, order: idAt(1), people: [ALICE, BOB] }));
    expect(state.shares.map((s) => [s.person, s.amount])).toEqual([
      [ALICE, 1039],
      [BOB, 611],
    ]);
    expect(state.order).toBe(idAt(1));
  });

  it("items: invalid when the total is not the order's, the order is unknown, or no one ordered anything", () => {
    const cases = [
      split({ method: "items", total: 1600, order: idAt(1), people: [ALICE, BOB] }),
      split({ method: "items", total: 1650, order: idAt(9), people: [ALICE, BOB] }),
      split({ method: "items", total: 1650, order: idAt(1), people: [CAROL] }),
      split({ method: "equal", total: 1650, order: idAt(1), currency: "USD" }),
    ];
    for (const card of cases) {
      expect(foldSplit(card).board.cards.get(idAt(2))).toMatchObject({ kind: "unknown", reason: "invalid" });
    }
  });

  it("paid is the payer's, while their share is open; received is the payee's, from open or paid", () => {
    const { state, applied } = foldSplit(
      split({}),
      eventMsg(3, CAROL, ev(2, { op: "paid", person: BOB, via: "cash" })), // not Carol's share
      eventMsg(4, BOB, ev(2, { op: "paid", person: BOB, via: "cash" })),
      eventMsg(5, BOB, ev(2, { op: "paid", person: BOB, via: "link" })), // already paid
      eventMsg(6, ALICE, ev(2, { op: "received", person: BOB })),
      eventMsg(7, ALICE, ev(2, { op: "received", person: CAROL })), // straight from open
      eventMsg(8, ALICE, ev(2, { op: "received", person: CAROL })), // already confirmed
      eventMsg(9, CAROL, ev(2, { op: "paid", person: CAROL, via: "cash" })), // confirmed already
    );
    expect([3, 4, 5, 6, 7, 8, 9].map(applied)).toEqual([false, true, false, true, true, false, false]);
    expect(state.shares.map((s) => [s.status, s.via])).toEqual([
      ["open", undefined],
      ["confirmed", "cash"],
      ["confirmed", undefined],
    ]);
    expect(state.open).toBe(334);
  });

  it("forged: a payer confirming their own payment changes nothing", () => {
    const { state, applied, board } = foldSplit(
      split({}),
      eventMsg(3, BOB, ev(2, { op: "paid", person: BOB, via: "cash" })),
      eventMsg(4, BOB, ev(2, { op: "received", person: BOB })),
    );
    expect(applied(4)).toBe(false);
    expect(board.events.get(idAt(4))).toMatchObject({ kind: "split", by: BOB, event: { op: "received", person: BOB } });
    expect(state.shares[1]?.status).toBe("paid");
    expect(state.open).toBe(1000);
    expect(state.updatedSeq).toBe(3);
  });

  it("payee shop: only the team confirms, and only the team sends payment links", () => {
    const { state, applied } = foldSplit(
      split({ payee: "shop" }),
      eventMsg(3, ALICE, ev(2, { op: "received", person: ALICE })),
      eventMsg(4, ALICE, ev(2, { op: "link", person: ALICE, url: "https://pay.example/a" })),
      eventMsg(5, AGENT, ev(2, { op: "link", person: ALICE, url: "https://pay.example/a" }), true),
      eventMsg(6, AGENT, ev(2, { op: "received", person: ALICE }), true),
      eventMsg(7, AGENT, ev(2, { op: "link", person: ALICE, url: "https://pay.example/b" }), true), // confirmed
      eventMsg(8, AGENT, ev(2, { op: "link", person: "dave", url: "https://pay.example/d" }), true), // not in people
    );
    expect([3, 4, 5, 6, 7, 8].map(applied)).toEqual([false, false, true, true, false, false]);
    expect(state.shares[0]).toEqual({ person: ALICE, amount: 334, status: "confirmed", link: "https://pay.example/a" });
    expect(state.open).toBe(666);
  });

  it("a shop-paid split's events from a principal named shop are not the team's", () => {
    const { applied } = foldSplit(
      split({ payee: "shop" }),
      eventMsg(3, "shop", ev(2, { op: "received", person: ALICE })),
    );
    expect(applied(3)).toBe(false);
  });
});
