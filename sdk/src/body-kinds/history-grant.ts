/**
 * `history-grant`: keys of earlier epochs sealed to an invited member's devices
 * (end-to-end encryption). Sent by the member whose commit added them; the
 * end-to-end session takes a grant addressed to this principal as it opens it.
 */
import { type HistoryGrantBody, isHistoryGrantBody } from "../protocol/history-grant.js";
import { defineBodyKind } from "./body-kind.js";

export const historyGrantKind = defineBodyKind<HistoryGrantBody>({
  type: "history-grant",
  schema: (z) => z.custom<HistoryGrantBody>(isHistoryGrantBody, "not a history grant"),
  senders: "any",
});
