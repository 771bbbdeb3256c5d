/** `system`: a line in the timeline in the shop's voice ("Alex joined"); only the shop's team sends it. */
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** The `system` kind. */
export const systemKind = defineBodyKind<Extract<MessageBody, { type: "system" }>>({
  type: "system",
  parse: (value) => {
    const v = value as { type?: unknown; text?: unknown } | null;
    if (v?.type !== "system" || typeof v.text !== "string") throw notABody();
    return { type: "system", text: v.text };
  },
  senders: ["agent", "bot"],
});
