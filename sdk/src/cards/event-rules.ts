/**
 * What one card event does to its card: the authority rules of `wire.ts`
 * (`CardEventOp`). Each rule returns the card's next state, or `undefined`
 * when the event is not this sender's to do, or not now; states are never
 * changed in place.
 */
import { type CardEvent, MAX_CART_LINES, OrderStatuses } from "../protocol/cards/wire.js";
import { buildCartLine, type CardMap, withLines } from "./card-states.js";
import type { CardMessage, CardState, CartState, OrderState, SplitShare, SplitState } from "./state.js";

const TERMINAL: ReadonlySet<string> = new Set(["delivered", "cancelled"]);

function orderEvent(order: OrderState, message: CardMessage, event: CardEvent): OrderState | undefined {
  if (message.fromTeam !== true || TERMINAL.has(order.status)) return undefined;
  const changed = { updatedSeq: message.seq };
  if (event.op === "tracking") return { ...order, ...changed, trackingUrl: event.url };
  if (event.op !== "status") return undefined;
  const forward = OrderStatuses.indexOf(event.status) > OrderStatuses.indexOf(order.status);
  if (event.status !== "cancelled" && !forward) return undefined;
  const step = { status: event.status, seq: message.seq, ts: message.ts };
  return { ...order, ...changed, status: event.status, steps: [...order.steps, step] };
}

function cartEvent(cart: CartState, cards: CardMap, message: CardMessage, event: CardEvent): CartState | undefined {
  const starter = message.sender === cart.by;
  const seq = message.seq;
  switch (event.op) {
    case "lock":
      return starter && cart.status === "open" ? { ...cart, status: "locked", updatedSeq: seq } : undefined;
    case "unlock":
      return starter && cart.status === "locked" ? { ...cart, status: "open", updatedSeq: seq } : undefined;
    case "submit":
      return starter && (cart.status === "open" || cart.status === "locked") && cart.lines.length > 0
        ? { ...cart, status: "submitted", updatedSeq: seq }
        : undefined;
    case "cancel":
      return starter && (cart.status === "open" || cart.status === "locked")
        ? { ...cart, status: "cancelled", updatedSeq: seq }
        : undefined;
  }
  const menu = cards.get(cart.menu);
  if (cart.status !== "open" || menu?.kind !== "menu") return undefined;
  switch (event.op) {
    case "add": {
      if (cart.lines.length >= MAX_CART_LINES || cart.lines.some((l) => l.line === event.line)) return undefined;
      const line = buildCartLine(menu.card, event.item, message.sender, event);
      return line && withLines(cart, [...cart.lines, line], seq);
    }
    case "set": {
      const index = cart.lines.findIndex((l) => l.line === event.line);
      const old = cart.lines[index];
      if (!old || old.by !== message.sender) return undefined;
      const line = buildCartLine(menu.card, old.item.id, old.by, event);
      return (
        line &&
        withLines(
          cart,
          cart.lines.map((l, i) => (i === index ? line : l)),
          seq,
        )
      );
    }
    case "remove": {
      const old = cart.lines.find((l) => l.line === event.line);
      if (!old || old.by !== message.sender) return undefined;
      return withLines(
        cart,
        cart.lines.filter((l) => l !== old),
        seq,
      );
    }
    default:
      return undefined;
  }
}

function splitEvent(split: SplitState, message: CardMessage, event: CardEvent): SplitState | undefined {
  if (event.op !== "paid" && event.op !== "received" && event.op !== "link") return undefined;
  const index = split.shares.findIndex((s) => s.person === event.person);
  const share = split.shares[index];
  if (!share) return undefined;
  let next: SplitShare;
  let open = split.open;
  if (event.op === "paid") {
    if (message.sender !== share.person || share.status !== "open") return undefined;
    next = { ...share, status: "paid", via: event.via };
  } else if (event.op === "received") {
    const payee = split.payee === "shop" ? message.fromTeam === true : message.sender === split.payee;
    if (!payee || share.status === "confirmed") return undefined;
    next = { ...share, status: "confirmed" };
    open -= share.amount;
  } else {
    if (message.fromTeam !== true || share.status === "confirmed") return undefined;
    next = { ...share, link: event.url };
  }
  return { ...split, shares: split.shares.map((s, i) => (i === index ? next : s)), open, updatedSeq: message.seq };
}

/**
 * The next state of the card `event` names, when `message` (which carries it) may do it now;
 * `undefined` when the card is not known or the event breaks a rule.
 */
export function applyCardEvent(cards: CardMap, message: CardMessage, event: CardEvent): CardState | undefined {
  const card = cards.get(event.card);
  switch (card?.kind) {
    case "order":
      return orderEvent(card, message, event);
    case "cart":
      return cartEvent(card, cards, message, event);
    case "split":
      return splitEvent(card, message, event);
    default:
      return undefined;
  }
}
