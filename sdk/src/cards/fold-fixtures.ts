/**
 * Test data for the cards fold: messages as the fold reads them, a menu and
 * an order. Only the tests import this file.
 */
import type { Card, CardEvent, MenuCard, OrderCard } from "../protocol/cards/wire.js";
import type { CardMessage } from "./state.js";

/** A team member of the shop. */
export const AGENT = "agent_1";
/** Customers in the conversation. */
export const ALICE = "alice";
export const BOB = "bob";
export const CAROL = "carol";

/** The message id of the message at `seq` (16 characters, a valid card id). */
export function idAt(seq: number): string {
  return `m${String(seq).padStart(15, "0")}`;
}

/** A `card` message at `seq`. */
export function cardMsg(
  seq: number,
  sender: string,
  card: Card | Record<string, unknown>,
  fromTeam = false,
): CardMessage {
  return { seq, msgId: idAt(seq), sender, ts: 1_000 * seq, fromTeam, body: { type: "card", card } as { type: string } };
}

/** A `card-event` message at `seq`. */
export function eventMsg(
  seq: number,
  sender: string,
  event: CardEvent | Record<string, unknown>,
  fromTeam = false,
): CardMessage {
  return {
    seq,
    msgId: idAt(seq),
    sender,
    ts: 1_000 * seq,
    fromTeam,
    body: { type: "card-event", event } as { type: string },
  };
}

/** A text message at `seq` (the fold skips it). */
export function textMsg(seq: number, sender: string): CardMessage {
  return { seq, msgId: idAt(seq), sender, ts: 1_000 * seq, body: { type: "text" } };
}

/** A menu with two sections; `pizza` has options. */
export const MENU: MenuCard = {
  kind: "menu",
  v: 1,
  title: "Luigi's",
  currency: "EUR",
  sections: [
    {
      id: "pizza",
      name: "Pizza",
      items: [
        {
          id: "margherita",
          name: "Margherita",
          price: 850,
          options: [
            { id: "cheese", name: "Extra cheese", price: 150 },
            { id: "basil", name: "Basil", price: 0 },
          ],
        },
        { id: "diavola", name: "Diavola", price: 1050 },
      ],
    },
    { id: "drinks", name: "Drinks", items: [{ id: "water", name: "Water", price: 250 }] },
  ],
};

/** An order of two lines, 8.50 + 2 x 2.50, tax 1.00, delivery 2.00: total 16.50. */
export const ORDER: OrderCard = {
  kind: "order",
  v: 1,
  number: "PX-1001",
  currency: "EUR",
  items: [
    { name: "Margherita", quantity: 1, unitPrice: 850, by: ALICE },
    { name: "Water", quantity: 2, unitPrice: 250, by: BOB },
  ],
  tax: 100,
  delivery: 200,
  status: "placed",
};

/** An event about the card posted at `cardSeq`. */
export function ev(cardSeq: number, op: Record<string, unknown>): CardEvent {
  return { v: 1, card: idAt(cardSeq), ...op } as CardEvent;
}
