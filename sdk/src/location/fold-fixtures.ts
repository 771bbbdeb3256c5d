/**
 * Test data for the location fold: messages and live updates as the fold
 * reads them. Only the tests import this file.
 */
import type { ReceivedLive } from "../client/live-channel.js";
import type { GeoFix, LiveLocation, LocationPin } from "../protocol/live/wire.js";
import type { LocationMessage } from "./fold.js";

/** The sharer, another customer, and the shop's bot. */
export const ALICE = "alice";
export const BOB = "bob";
export const BOT = "b_bot";

/** Server time of the message at `seq`, ms: seq 1 at T0, one second apart. */
export const T0 = 1_800_000_000_000;
export function tsAt(seq: number): number {
  return T0 + 1_000 * (seq - 1);
}

/** The message id of the message at `seq` (16 characters, a valid share id). */
export function idAt(seq: number): string {
  return `m${String(seq).padStart(15, "0")}`;
}

/** A fix in Berlin, `metres` north of the Brandenburg Gate, taken at `at`. */
export function fixAt(at: number, metres = 0): GeoFix {
  return { lat: 52.516275 + metres / 111_195, lon: 13.377704, accuracy: 8, at };
}

/** A `location` message at `seq` (a live share when `until` is given). */
export function pinMsg(
  seq: number,
  sender: string,
  options: { until?: number; label?: string; fromTeam?: boolean; location?: Record<string, unknown> } = {},
): LocationMessage {
  const pin: LocationPin = { ...fixAt(tsAt(seq)) };
  if (options.label !== undefined) pin.label = options.label;
  if (options.until !== undefined) pin.live = { until: options.until };
  return {
    seq,
    msgId: idAt(seq),
    sender,
    ts: tsAt(seq),
    fromTeam: options.fromTeam ?? false,
    body: { type: "location", location: options.location ?? pin } as { type: string },
  };
}

/** A stop of the share posted at `shareSeq`, sent at `seq`. */
export function stopMsg(
  seq: number,
  sender: string,
  shareSeq: number,
  extra: Record<string, unknown> = {},
): LocationMessage {
  return {
    seq,
    msgId: idAt(seq),
    sender,
    ts: tsAt(seq),
    body: { type: "location-event", event: { share: idAt(shareSeq), op: "stop", ...extra } } as { type: string },
  };
}

/** A text message at `seq` (the fold skips it). */
export function textMsg(seq: number, sender: string): LocationMessage {
  return { seq, msgId: idAt(seq), sender, ts: tsAt(seq), body: { type: "text" } };
}

/** A live update number `n` of the share posted at `shareSeq`, `metres` north, its fix taken at `at`. */
export function update(shareSeq: number, n: number, at: number, metres = n * 50): LiveLocation {
  return { kind: "location", share: idAt(shareSeq), n, ...fixAt(at, metres) };
}

/** A live signal as the live channel hands it over. */
export function signal(sender: string, live: LiveLocation, convId = "cv_1"): ReceivedLive {
  return { convId, sender, senderDevice: `d_${sender}`, fromTeam: false, sentAt: live.at, live };
}
