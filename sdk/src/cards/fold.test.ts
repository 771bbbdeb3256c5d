import { describe, expect, it } from "vitest";
import { CardFolder, foldCards, wouldApply } from "./fold.js";
import { AGENT, ALICE, BOB, cardMsg, ev, eventMsg, idAt, MENU, ORDER, textMsg } from "./fold-fixtures.js";
import type { CardState, OrderState } from "./state.js";

function card<K extends CardState["kind"]>(state: CardState | undefined, kind: K): Extract<CardState, { kind: K }> {
  expect(state?.kind).toBe(kind);
  return state as Extract<CardState, { kind: K }>;
}

describe("foldCards: order cards", () => {
  it("folds a team order card with its totals and first step", () => {
    const board = foldCards([cardMsg(1, AGENT, ORDER, true)]);
    const order = card(board.cards.get(idAt(1)), "order");
    expect(order).toMatchObject({ status: "placed", subtotal: 1350, total: 1650, by: AGENT, fromTeam: true, seq: 1 });
    expect(order.steps).toEqual([{ status: "placed", seq: 1, ts: 1000 }]);
  });

  it("moves the status forward (skipping steps is allowed) and records each step", () => {
    const board = foldCards([
      cardMsg(1, AGENT, ORDER, true),
      eventMsg(2, AGENT, ev(1, { op: "status", status: "preparing" }), true),
      eventMsg(3, AGENT, ev(1, { op: "status", status: "out_for_delivery" }), true),
    ]);
    const order = card(board.cards.get(idAt(1)), "order");
    expect(order.status).toBe("out_for_delivery");
    expect(order.steps.map((s) => s.status)).toEqual(["placed", "preparing", "out_for_delivery"]);
    expect(order.updatedSeq).toBe(3);
  });

  it("forged: a customer setting an order's status changes nothing and is marked not applied", () => {
    const folder = new CardFolder();
    folder.apply(cardMsg(1, AGENT, ORDER, true));
    const before = folder.board.cards.get(idAt(1));
    expect(folder.apply(eventMsg(2, ALICE, ev(1, { op: "status", status: "delivered" })))).toBe(false);
    const after = folder.board;
    expect(after.cards.get(idAt(1))).toBe(before);
    expect(after.events.get(idAt(2))).toEqual({
      card: idAt(1),
      kind: "order",
      event: { op: "status", status: "delivered" },
      by: ALICE,
      applied: false,
    });
  });

  it("refuses a status that goes back, repeats, or follows delivered or cancelled", () => {
    const board = foldCards([
      cardMsg(1, AGENT, { ...ORDER, status: "preparing" }, true),
      eventMsg(2, AGENT, ev(1, { op: "status", status: "confirmed" }), true),
      eventMsg(3, AGENT, ev(1, { op: "status", status: "preparing" }), true),
      eventMsg(4, AGENT, ev(1, { op: "status", status: "delivered" }), true),
      eventMsg(5, AGENT, ev(1, { op: "status", status: "cancelled" }), true),
      eventMsg(6, AGENT, ev(1, { op: "tracking", url: "https://track.example/1" }), true),
    ]);
    expect(card(board.cards.get(idAt(1)), "order").status).toBe("delivered");
    expect([2, 3, 4, 5, 6].map((s) => board.events.get(idAt(s))?.applied)).toEqual([false, false, true, false, false]);
  });

  it("cancels from any status before the end; tracking is the team's", () => {
    const board = foldCards([
      cardMsg(1, AGENT, ORDER, true),
      eventMsg(2, BOB, ev(1, { op: "tracking", url: "https://evil.example/" })),
      eventMsg(3, AGENT, ev(1, { op: "tracking", url: "https://track.example/1" }), true),
      eventMsg(4, AGENT, ev(1, { op: "status", status: "cancelled" }), true),
    ]);
    const order = card(board.cards.get(idAt(1)), "order");
    expect(order.status).toBe("cancelled");
    expect(order.trackingUrl).toBe("https://track.example/1");
    expect(board.events.get(idAt(2))?.applied).toBe(false);
  });

  it("forged: a customer's order or menu card is an invalid summary", () => {
    const board = foldCards([cardMsg(1, ALICE, ORDER), cardMsg(2, BOB, MENU)]);
    expect(board.cards.get(idAt(1))).toMatchObject({ kind: "unknown", named: "order", reason: "invalid", by: ALICE });
    expect(board.cards.get(idAt(2))).toMatchObject({ kind: "unknown", named: "menu", reason: "invalid" });
    // An event on it is not applied either, even from the team.
    const next = foldCards([
      cardMsg(1, ALICE, ORDER),
      eventMsg(2, AGENT, ev(1, { op: "status", status: "confirmed" }), true),
    ]);
    expect(next.events.get(idAt(2))).toMatchObject({ kind: "unknown", applied: false });
  });
});

describe("foldCards: cards and events in general", () => {
  it("shows an unknown kind as a summary, and a card that fails its schema as invalid", () => {
    const board = foldCards([
      cardMsg(1, ALICE, { kind: "poll", v: 2, question: "?" }),
      cardMsg(2, AGENT, { ...ORDER, tax: 0.5 }, true),
      cardMsg(3, AGENT, { kind: 7 }, true),
    ]);
    expect(board.cards.get(idAt(1))).toMatchObject({ kind: "unknown", named: "poll", reason: "unknown_kind" });
    expect(board.cards.get(idAt(2))).toMatchObject({ kind: "unknown", named: "order", reason: "invalid" });
    const third = board.cards.get(idAt(3));
    expect(third).toMatchObject({ kind: "unknown", reason: "unknown_kind" });
    expect(third && "named" in third).toBe(false);
  });

  it("records events that fail their schema or name no loaded card, and skips other messages", () => {
    const board = foldCards([
      textMsg(1, ALICE),
      cardMsg(2, AGENT, ORDER, true),
      eventMsg(3, AGENT, { v: 1, card: idAt(2), op: "status", status: "lost" }, true),
      eventMsg(4, AGENT, ev(99, { op: "status", status: "confirmed" }), true),
    ]);
    expect(board.cards.size).toBe(1);
    expect(board.events.get(idAt(3))).toEqual({ card: idAt(2), kind: "order", by: AGENT, applied: false });
    expect(board.events.get(idAt(4))).toMatchObject({ card: idAt(99), kind: "unknown", applied: false });
    expect(board.events.has(idAt(1))).toBe(false);
  });

  it("counts each seq once, whatever the input order, and ignores events before their card", () => {
    const a = cardMsg(1, AGENT, ORDER, true);
    const b = eventMsg(2, AGENT, ev(1, { op: "status", status: "confirmed" }), true);
    const board = foldCards([b, a, b, a]);
    expect(card(board.cards.get(idAt(1)), "order").steps).toHaveLength(2);
    const early = foldCards([
      eventMsg(1, AGENT, ev(2, { op: "status", status: "confirmed" }), true),
      cardMsg(2, AGENT, ORDER, true),
    ]);
    expect(card(early.cards.get(idAt(2)), "order").status).toBe("placed");
    expect(early.events.get(idAt(1))?.applied).toBe(false);
  });

  it("skips messages whose seq is not a safe integer", () => {
    const board = foldCards([
      cardMsg(Number.NaN, AGENT, ORDER, true),
      cardMsg(1.5, AGENT, ORDER, true),
      cardMsg(2, AGENT, ORDER, true),
    ]);
    expect([...board.cards.keys()]).toEqual([idAt(2)]);
  });

  it("keeps the first card under an id: a later message with the same msgId posts nothing", () => {
    const first = cardMsg(1, AGENT, ORDER, true);
    const copy = { ...cardMsg(2, AGENT, { ...ORDER, number: "PX-2" }, true), msgId: idAt(1) };
    const board = foldCards([first, copy]);
    expect(card(board.cards.get(idAt(1)), "order").card.number).toBe("PX-1001");
  });
});

describe("CardFolder", () => {
  it("keeps unchanged cards' objects and the board object until something changes", () => {
    const folder = new CardFolder();
    folder.apply(cardMsg(1, AGENT, ORDER, true));
    folder.apply(cardMsg(2, AGENT, { ...ORDER, number: "PX-2" }, true));
    const board1 = folder.board;
    expect(folder.board).toBe(board1);
    expect(folder.apply(textMsg(3, ALICE))).toBe(false);
    expect(folder.board).toBe(board1);
    expect(folder.apply(eventMsg(4, AGENT, ev(2, { op: "status", status: "confirmed" }), true))).toBe(true);
    const board2 = folder.board;
    expect(board2).not.toBe(board1);
    expect(board2.cards.get(idAt(1))).toBe(board1.cards.get(idAt(1)));
    const changed = board2.cards.get(idAt(2)) as OrderState;
    expect(changed).not.toBe(board1.cards.get(idAt(2)));
    expect((board1.cards.get(idAt(2)) as OrderState).status).toBe("placed");
    expect(changed.status).toBe("confirmed");
  });

  it("refuses a message whose seq is not above the last one", () => {
    const folder = new CardFolder();
    expect(folder.apply(cardMsg(5, AGENT, ORDER, true))).toBe(true);
    expect(folder.apply(eventMsg(5, AGENT, ev(5, { op: "status", status: "confirmed" }), true))).toBe(false);
    expect(folder.apply(eventMsg(4, AGENT, ev(5, { op: "status", status: "confirmed" }), true))).toBe(false);
    expect(folder.lastSeq).toBe(5);
    expect(folder.board.events.size).toBe(0);
  });

  it("wouldApply answers as apply would, without changing the board", () => {
    const folder = new CardFolder();
    folder.apply(cardMsg(1, AGENT, ORDER, true));
    const board = folder.board;
    const forged = eventMsg(2, ALICE, ev(1, { op: "status", status: "confirmed" }));
    const real = eventMsg(2, AGENT, ev(1, { op: "status", status: "confirmed" }), true);
    expect(wouldApply(board, forged)).toBe(false);
    expect(wouldApply(board, real)).toBe(true);
    expect(folder.wouldApply(real)).toBe(true);
    expect(wouldApply(board, cardMsg(2, ALICE, ORDER))).toBe(false);
    expect(wouldApply(board, cardMsg(2, ALICE, { kind: "cart", v: 1, menu: idAt(1) }))).toBe(false);
    expect(wouldApply(board, cardMsg(1, AGENT, ORDER, true))).toBe(false);
    expect(folder.board).toBe(board);
    expect(card(board.cards.get(idAt(1)), "order").status).toBe("placed");
  });
});
