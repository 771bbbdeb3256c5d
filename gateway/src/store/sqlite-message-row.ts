/** A `messages` row of the embedded store and its wire shape, shared by the store's reads and its writer. */
import type { StoredMessage } from "@parley/sdk/protocol";

export type MessageRow = { conv_id: string; seq: number; msg_id: string; sender: string; ts: number; envelope: string };

export const toMessage = (r: MessageRow): StoredMessage => ({
  convId: r.conv_id,
  seq: r.seq,
  msgId: r.msg_id,
  sender: r.sender,
  ts: r.ts,
  envelope: JSON.parse(r.envelope) as StoredMessage["envelope"],
});
