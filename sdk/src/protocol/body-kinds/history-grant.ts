/**
 * `history-grant`: keys of earlier epochs sealed to an invited member's devices
 * (end-to-end encryption). Sent by the member whose commit added them; the
 * end-to-end session takes a grant addressed to this principal as it opens it.
 * Its shape is checked by `isHistoryGrantBody` (protocol/history-grant.ts).
 */
import { type HistoryGrantBody, isHistoryGrantBody } from "../history-grant.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** The `history-grant` kind. */
export const historyGrantKind = defineBodyKind<HistoryGrantBody>({
  type: "history-grant",
  parse: (value) => {
    if (!isHistoryGrantBody(value)) throw notABody();
    return {
      type: "history-grant",
      grantee: value.grantee,
      epochs: [...value.epochs],
      sealed: value.sealed.map((s) => ({ deviceId: s.deviceId, box: s.box })),
    };
  },
  senders: "any",
});
