/** `card`: structured content (an order, a bill split) named by `card.kind`; opaque until card schemas land. */
import { z } from "zod";
import { defineBodyKind } from "./body-kind.js";

export const cardKind = defineBodyKind({
  type: "card",
  schema: z.object({
    type: z.literal("card"),
    card: z.looseObject({ kind: z.string() }),
  }),
  senders: "any",
});
