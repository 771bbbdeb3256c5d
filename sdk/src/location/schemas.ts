/**
 * The zod schemas of shared locations (`location` and `location-event`
 * bodies, live updates in `live` bodies), written with `zod/mini` so they
 * stay small: they load with the location fold, not with the chat. Objects
 * are strict (unknown keys refused), every number is finite and in range,
 * times are safe integers of shared-clock ms, and a label is plain text.
 */
import * as z from "zod/mini";
import { MSG_ID_PATTERN } from "../protocol/ids.js";
import {
  type LiveLocation,
  type LocationEvent,
  type LocationPin,
  MAX_ACCURACY_M,
  MAX_LABEL_CHARS,
  MAX_LIVE_MS,
} from "../protocol/live/wire.js";
import { checked, firstProblem, type Same } from "../protocol/schema-checks.js";

/** The latest instant a time field may name, ms (the end of ECMAScript dates). */
const MAX_TIME_MS = 8.64e15;
/** Control characters (C0, DEL, C1), bidi controls and line or paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** A finite number in `min..max`. */
const between = (min: number, max: number) =>
  z.number({ error: "must be a finite number" }).check(z.minimum(min), z.maximum(max));
const time = z.int({ error: "must be an integer of ms" }).check(z.minimum(0), z.maximum(MAX_TIME_MS));
const shareId = z.string().check(z.regex(MSG_ID_PATTERN, "must be a share id (16-64 of [A-Za-z0-9_-])"));
const label = z.string().check(
  z.minLength(1),
  z.maxLength(MAX_LABEL_CHARS),
  z.refine((s) => !CONTROL.test(s), "must not contain control or bidi characters"),
);

/** The fields of a position fix (`GeoFix`). */
const fixShape = {
  lat: between(-90, 90),
  lon: between(-180, 180),
  accuracy: between(0, MAX_ACCURACY_M),
  at: time,
  heading: z.optional(between(0, 360)),
  speed: z.optional(between(0, 1000)),
};

/** The body of a `location` message: a fix, a label, and `live.until` for a live share. */
export const locationPinSchema = z
  .strictObject({
    ...fixShape,
    label: z.optional(label),
    live: z.optional(z.strictObject({ until: time })),
  })
  .check(
    z.refine((pin) => pin.live === undefined || (pin.live.until > pin.at && pin.live.until <= pin.at + MAX_LIVE_MS), {
      message: `a live share ends after its fix and at most ${MAX_LIVE_MS} ms after it`,
      path: ["live", "until"],
    }),
  );

/** The body of a `location-event` message. */
export const locationEventSchema = z.strictObject({ share: shareId, op: z.literal("stop") });

/** A live update of a share (the payload of a `live` signal of kind `location`). */
export const liveLocationSchema = z.strictObject({
  kind: z.literal("location"),
  share: shareId,
  n: z.int({ error: "must be a safe integer" }).check(z.minimum(1)),
  ...fixShape,
});

// Compile-time checks of the schemas against wire.ts.
const pinsMatch: Same<z.output<typeof locationPinSchema>, LocationPin> = true;
const eventsMatch: Same<z.output<typeof locationEventSchema>, LocationEvent> = true;
const livesMatch: Same<z.output<typeof liveLocationSchema>, LiveLocation> = true;
void [pinsMatch, eventsMatch, livesMatch];

/** A checked copy of `value` as a `location` body, or `undefined` when it is not a valid one. */
export function parseLocationPin(value: unknown): LocationPin | undefined {
  return checked(locationPinSchema, value);
}

/** A checked copy of `value` as a `location-event` body, or `undefined` when it is not a valid one. */
export function parseLocationEvent(value: unknown): LocationEvent | undefined {
  return checked(locationEventSchema, value);
}

/** A checked copy of `value` as a live location update, or `undefined` when it is not a valid one. */
export function parseLiveLocation(value: unknown): LiveLocation | undefined {
  return checked(liveLocationSchema, value);
}

/** What {@link locationProblem} checks `value` as. */
export type LocationWhat = "pin" | "event" | "live";

const schemas = { pin: locationPinSchema, event: locationEventSchema, live: liveLocationSchema } as const;

/**
 * Why `value` is not a valid location pin (or, with `"event"`, stop event; with `"live"`, live
 * update), in a few words for the `live_invalid` error message; `undefined` when it is valid.
 */
export function locationProblem(value: unknown, what: LocationWhat = "pin"): string | undefined {
  return firstProblem(schemas[what], value);
}
