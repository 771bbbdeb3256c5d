/**
 * `card-event`: something that happens to a card (a status change, a cart
 * edit, a payment), naming the card by its id. Checked here only for its
 * shape; the card schemas and the fold (`@parley/sdk/cards`) decide what it
 * does, and ignore it alike on every client when it breaks a rule.
 */
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** The `card-event` kind. */
export const cardEventKind = defineBodyKind<Extract<MessageBody, { type: "card-event" }>>({
  type: "card-event",
  parse: (value) => {
    const v = value as { type?: unknown; event?: unknown } | null;
    const event = v?.event as { card?: unknown; op?: unknown } | null | undefined;
    if (
      v?.type !== "card-event" ||
      !event ||
      typeof event !== "object" ||
      Array.isArray(event) ||
      typeof event.card !== "string" ||
      typeof event.op !== "string"
    ) {
      throw notABody();
    }
    return { type: "card-event", event: event as { card: string; op: string } };
  },
  senders: "any",
});
