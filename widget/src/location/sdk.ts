/**
 * The location chunk's one seam to the SDK: the client's `location` and
 * `clock` APIs (absent on a client without them), and the geometry of
 * `@parley/sdk/location`.
 */
import type { LocationApi, ParleyClient, PinState, SharedClockApi } from "@parley/sdk";

export type { FixInput, LiveShare, LocationApi, LocationBoard, PinState } from "@parley/sdk";

// Until @parley/sdk/location lands (location-sdk branch): the same great-circle geometry.
const rad = (d: number) => (d * Math.PI) / 180;
/** Great-circle distance, metres. */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
/** Initial bearing from a to b, degrees from north. */
export function bearingDeg(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x =
    Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) -
    Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}
/**
 * The protocol's LIVE_DURATIONS_MS and MAX_ACCURACY_M (live/wire.ts), held here: importing
 * `@parley/sdk/protocol` would pull protocol modules of the chat's first load into shared chunks
 * (ADR 0026). sdk.test.ts checks they are the protocol's.
 */
export const LIVE_DURATIONS_MS = [15 * 60_000, 60 * 60_000, 8 * 60 * 60_000] as const;
/** The largest accuracy radius taken, metres. */
export const MAX_ACCURACY_M = 100_000;

/** The location API of a client, when it has one. */
export const locationOf = (client: ParleyClient | undefined): LocationApi | undefined =>
  (client as { location?: LocationApi } | undefined)?.location;

/** Shared-clock now for `client` (the local clock for a client without one). */
export function clockNow(client: ParleyClient | undefined): number {
  const clock = (client as { clock?: SharedClockApi } | undefined)?.clock;
  return clock ? clock.now() : Date.now();
}

/** Whether the pin is a live share still live at shared-clock time `now`. */
export function isLive(pin: PinState, now: number): boolean {
  return pin.live !== undefined && pin.live.stoppedAt === undefined && now < pin.live.until;
}
