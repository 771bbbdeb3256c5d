/** `system`: a line in the timeline in the shop's voice ("Alex joined"); only the shop's team sends it. */
import type { MessageBody } from "../codec.js";
import { defineBodyKind } from "./body-kind.js";

export const systemKind = defineBodyKind<Extract<MessageBody, { type: "system" }>>({
  type: "system",
  schema: (z) => z.object({ type: z.literal("system"), text: z.string() }),
  senders: ["agent", "bot"],
});
