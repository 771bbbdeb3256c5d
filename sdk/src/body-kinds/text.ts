/** `text`: what someone typed. Anyone may send it. */
import { z } from "zod";
import { defineBodyKind } from "./body-kind.js";

export const textKind = defineBodyKind({
  type: "text",
  schema: z.object({ type: z.literal("text"), text: z.string() }),
  senders: "any",
});
