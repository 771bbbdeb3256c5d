/** Tracks and messages for the listen tests. */
import type { Track } from "../protocol/live/wire.js";
import type { ListenMessage } from "./fold.js";

/** A track of `durationMs` (a valid one by default). */
export function track(durationMs = 180_000, title = "Song"): Track {
  return { url: "https://cdn.shop.test/a.mp3", title, durationMs };
}

/** A message numbered `seq` whose msgId is made from it (16+ characters, so a valid session id). */
export function message(seq: number, sender: string, body: ListenMessage["body"]): ListenMessage {
  return { seq, msgId: sessionId(seq), sender, body };
}

/** The msgId of the message at `seq`. */
export function sessionId(seq: number): string {
  return `msg-${String(seq).padStart(4, "0")}-xxxxxxxxxxxx`;
}

/** A `listen` body starting `queue` playing from 0 at `atMs`. */
export function startBody(queue: Track[], atMs = 1_000): ListenMessage["body"] {
  return {
    type: "listen",
    listen: { queue, state: { index: 0, playing: true, positionMs: 0, atMs } },
  } as ListenMessage["body"];
}

/** A `listen-event` body. */
export function eventBody(session: string, op: string, extra: Record<string, unknown> = {}): ListenMessage["body"] {
  return { type: "listen-event", event: { session, op, ...extra } } as ListenMessage["body"];
}
