/**
 * `card`: structured content (an order, a bill split) named by `card.kind`.
 * Opaque until card schemas land: the card object is passed on as it came.
 */
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** The `card` kind. */
export const cardKind = defineBodyKind<Extract<MessageBody, { type: "card" }>>({
  type: "card",
  parse: (value) => {
    const v = value as { type?: unknown; card?: unknown } | null;
    const card = v?.card as { kind?: unknown } | null | undefined;
    if (v?.type !== "card" || !card || typeof card !== "object" || typeof card.kind !== "string") {
      throw notABody();
    }
    return { type: "card", card: card as { kind: string } };
  },
  senders: "any",
});
