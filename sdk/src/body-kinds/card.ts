/** `card`: structured content (an order, a bill split) named by `card.kind`; opaque until card schemas land. */
import type { MessageBody } from "../codec.js";
import { defineBodyKind } from "./body-kind.js";

export const cardKind = defineBodyKind<Extract<MessageBody, { type: "card" }>>({
  type: "card",
  schema: (z) => z.object({ type: z.literal("card"), card: z.looseObject({ kind: z.string() }) }),
  senders: "any",
});
