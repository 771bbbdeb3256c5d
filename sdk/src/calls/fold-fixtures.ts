/**
 * Test data for the calls fold: messages as the fold reads them. Only the
 * tests import this file.
 */
import type { CallEvent, CallMedia } from "../protocol/calls/wire.js";
import type { CallMessage } from "./fold.js";

/** The caller, the one called, a third member, and the shop's agent. */
export const ANNA = "c_anna";
export const BEN = "c_ben";
export const CARL = "c_carl";
export const AGENT = "a_agent";

/** The conversation. */
export const CONV = "conv_calls";

/** Server time of the message at `seq`, ms: seq 1 at T0, one second apart. */
export const T0 = 1_800_000_000_000;
export function tsAt(seq: number): number {
  return T0 + 1_000 * (seq - 1);
}

/** The message id of the message at `seq` (16 characters, a valid call id). */
export function idAt(seq: number): string {
  return `m${String(seq).padStart(15, "0")}`;
}

/** A device of `principal` (its first, or the `n`th). */
export function dev(principal: string, n = 1): string {
  return `d_${principal}_${n}`;
}

/** A `call` message at `seq` from `sender`'s device `n`, its `at` the message's time. */
export function callMsg(
  seq: number,
  sender: string,
  options: { media?: CallMedia; device?: string; ts?: number; at?: number; fromTeam?: boolean } = {},
): CallMessage {
  const ts = options.ts ?? tsAt(seq);
  return {
    convId: CONV,
    seq,
    msgId: idAt(seq),
    sender,
    senderDevice: options.device ?? dev(sender),
    ts,
    ...(options.fromTeam ? { fromTeam: true } : {}),
    body: { type: "call", call: { media: options.media ?? "audio", at: options.at ?? ts } } as CallMessage["body"],
  };
}

/** A `call-event` message at `seq` from `sender` about the call at seq `call`. */
export function eventMsg(
  seq: number,
  sender: string,
  call: number,
  op: CallEvent["op"],
  options: { device?: string; leaves?: string; ts?: number; at?: number } = {},
): CallMessage {
  const ts = options.ts ?? tsAt(seq);
  const event: Record<string, unknown> = { call: idAt(call), op, at: options.at ?? ts };
  if (options.leaves !== undefined) event.device = options.leaves;
  return {
    convId: CONV,
    seq,
    msgId: idAt(seq),
    sender,
    senderDevice: options.device ?? dev(sender),
    ts,
    body: { type: "call-event", event } as CallMessage["body"],
  };
}

/** A text message at `seq`. */
export function textMsg(seq: number, sender: string): CallMessage {
  return { convId: CONV, seq, msgId: idAt(seq), sender, ts: tsAt(seq), body: { type: "text" } };
}
