/** `text`: what someone typed. Anyone may send it. */
import type { MessageBody } from "../codec.js";
import { defineBodyKind } from "./body-kind.js";

export const textKind = defineBodyKind<Extract<MessageBody, { type: "text" }>>({
  type: "text",
  schema: (z) => z.object({ type: z.literal("text"), text: z.string() }),
  senders: "any",
});
