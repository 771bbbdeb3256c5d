/** `text`: what someone typed. Anyone may send it. */
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** The `text` kind. */
export const textKind = defineBodyKind<Extract<MessageBody, { type: "text" }>>({
  type: "text",
  parse: (value) => {
    const v = value as { type?: unknown; text?: unknown } | null;
    if (v?.type !== "text" || typeof v.text !== "string") throw notABody();
    return { type: "text", text: v.text };
  },
  senders: "any",
});
