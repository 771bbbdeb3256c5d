/**
 * The location chunk's one seam to the SDK: the client's `location` and
 * `clock` APIs (absent on a client without them), and the geometry and
 * durations of `@parley/sdk/location`.
 */
import type { LocationApi, ParleyClient, PinState } from "@parley/sdk";

export type { FixInput, LiveShare, LocationApi, LocationBoard, PinState } from "@parley/sdk";
export { bearingDeg, distanceM, LIVE_DURATIONS_MS, MAX_ACCURACY_M } from "@parley/sdk/location";

/** The location API of a client, when it has one. */
export const locationOf = (client: ParleyClient | undefined): LocationApi | undefined =>
  (client as { location?: LocationApi } | undefined)?.location;

/** Shared-clock now for `client` (the local clock for a stand-in without one). */
export function clockNow(client: ParleyClient | undefined): number {
  const clock = (client as Partial<Pick<ParleyClient, "clock">> | undefined)?.clock;
  return clock ? clock.now() : Date.now();
}

/**
 * Whether the pin is a live share still live at shared-clock time `now` (as `isLive` of
 * `@parley/sdk`, which lives in the chat's first load: importing it would tie this chunk to it).
 */
export function isLive(pin: PinState, now: number): boolean {
  return pin.live !== undefined && pin.live.stoppedAt === undefined && now < pin.live.until;
}
