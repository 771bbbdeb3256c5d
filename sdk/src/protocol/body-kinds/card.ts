/**
 * `card`: structured content (an order, a menu, a group cart, a bill split)
 * named by `card.kind`. Checked here only for its shape: the card schemas and
 * the fold (`@parley/sdk/cards`, loaded with the card renderers) check the
 * rest, and show a card that fails them as a summary.
 */
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** The `card` kind. */
export const cardKind = defineBodyKind<Extract<MessageBody, { type: "card" }>>({
  type: "card",
  parse: (value) => {
    const v = value as { type?: unknown; card?: unknown } | null;
    const card = v?.card as { kind?: unknown } | null | undefined;
    if (
      v?.type !== "card" ||
      !card ||
      typeof card !== "object" ||
      Array.isArray(card) ||
      typeof card.kind !== "string"
    ) {
      throw notABody();
    }
    return { type: "card", card: card as { kind: string } };
  },
  senders: "any",
});
