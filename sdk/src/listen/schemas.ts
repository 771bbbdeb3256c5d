/**
 * The zod schemas of listening sessions (`listen` and `listen-event` bodies,
 * version 1), written with `zod/mini` so they stay small: they load with the
 * listen module, not with the chat. Objects are strict (unknown keys
 * refused), times and positions are safe integers of milliseconds, track URLs
 * are `https:` (or `http:` for localhost only), and every string and array is
 * bounded by the limits of `protocol/live/wire.ts`.
 */
import * as z from "zod/mini";
import { ID_PATTERN, MSG_ID_PATTERN } from "../protocol/ids.js";
import {
  type ListenEvent,
  type ListenStart,
  MAX_QUEUE,
  MAX_TRACK_MS,
  MAX_TRACK_TEXT_CHARS,
  MAX_TRACK_URL_CHARS,
  type PlaybackState,
  type Track,
} from "../protocol/live/wire.js";
import { checked, firstProblem, type Same } from "../protocol/schema-checks.js";

/** Hosts a track may be fetched from over plain `http:` (a developer's own machine). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1"]);

/** Whether `value` is a URL a listener's player may fetch: `https:`, or `http:` on localhost. */
export function isTrackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/** Any C0 or C1 control character (line breaks and tabs included): titles are one line of plain text. */
const CONTROL = /\p{Cc}/u;
const noControl = z.refine<string>((s) => !CONTROL.test(s), "must not contain control characters");

const text = z.string().check(z.maxLength(MAX_TRACK_TEXT_CHARS), noControl);
const msgId = z.string().check(z.regex(MSG_ID_PATTERN, "must be a session id (16-64 of [A-Za-z0-9_-])"));
const ms = z.int().check(z.minimum(0));

/** The schema of one track. */
export const trackSchema = z.strictObject({
  url: z
    .string()
    .check(z.maxLength(MAX_TRACK_URL_CHARS), z.refine(isTrackUrl, "must be an https: link (http: only for localhost)")),
  title: text.check(z.minLength(1)),
  artist: z.optional(text),
  durationMs: z.int().check(z.minimum(1), z.maximum(MAX_TRACK_MS)),
  catalogId: z.optional(z.string().check(z.regex(ID_PATTERN, "must be a catalog id (1-64 of [A-Za-z0-9_-])"))),
});

/**
 * The schema of a playback state on its own: an index within the longest queue, a position within
 * the longest track, a safe-integer instant. Whether it fits its session's queue is the fold's check.
 */
export const playbackStateSchema = z.strictObject({
  index: z.int().check(z.minimum(0), z.maximum(MAX_QUEUE - 1)),
  playing: z.boolean(),
  positionMs: ms.check(z.maximum(MAX_TRACK_MS)),
  atMs: z.int(),
});

/** Why `state` does not fit `queue` (index within it, position within that track); `undefined` when it does. */
export function stateMisfit(queue: readonly Track[], state: PlaybackState): string | undefined {
  const track = queue[state.index];
  if (!track) return `the index must be within the queue (0..${queue.length - 1})`;
  if (state.positionMs > track.durationMs) return `the position must be within the track (0..${track.durationMs})`;
  return undefined;
}

/** The schema of a `listen` body's `listen`: 1..{@link MAX_QUEUE} tracks and a state that fits them. */
export const listenStartSchema = z
  .strictObject({
    queue: z.array(trackSchema).check(z.minLength(1), z.maxLength(MAX_QUEUE)),
    state: playbackStateSchema,
  })
  .check(
    z.superRefine((start, ctx) => {
      const misfit = stateMisfit(start.queue, start.state);
      if (misfit) ctx.issues.push({ code: "custom", message: misfit, input: start.state, path: ["state"] });
    }),
  );

const event = <Op extends string, Shape extends z.core.$ZodLooseShape>(op: Op, shape: Shape) =>
  z.strictObject({ session: msgId, op: z.literal(op), ...shape });

/** The schema of a `listen-event` body's `event`. */
export const listenEventSchema = z.discriminatedUnion("op", [
  event("state", { state: playbackStateSchema }),
  event("join", {}),
  event("leave", {}),
  event("end", {}),
]);

// Compile-time checks of the schemas against wire.ts.
const tracksMatch: Same<z.output<typeof trackSchema>, Track> = true;
const startsMatch: Same<z.output<typeof listenStartSchema>, ListenStart> = true;
const eventsMatch: Same<z.output<typeof listenEventSchema>, ListenEvent> = true;
void [tracksMatch, startsMatch, eventsMatch];

/** A checked copy of `value` as the `listen` of a `listen` body, or `undefined` when it is not a valid one. */
export function parseListenStart(value: unknown): ListenStart | undefined {
  return checked(listenStartSchema, value);
}

/** A checked copy of `value` as the `event` of a `listen-event` body, or `undefined` when it is not a valid one. */
export function parseListenEvent(value: unknown): ListenEvent | undefined {
  return checked(listenEventSchema, value);
}

/**
 * Why `value` is not a valid session start (or, with `"event"`, not a valid listen event), in a few
 * words for the `live_invalid` error message (`queue.0.url: must be an https: link ...`); `undefined`
 * when it is valid.
 */
export function listenProblem(value: unknown, what: "start" | "event" = "start"): string | undefined {
  return firstProblem(what === "start" ? listenStartSchema : listenEventSchema, value);
}
