/**
 * The browser's geolocation (navigator.geolocation) for sharing: one fix,
 * whether permission is already granted, a position as the SDK takes it, and
 * the reason a fix failed as a string key.
 */
import type { FixInput } from "./sdk.js";
import { MAX_ACCURACY_M } from "./sdk.js";
import type { LocationKey } from "./strings.js";

/** How long the browser may take for one fix, ms. */
export const FIX_TIMEOUT_MS = 20_000;

/** Options for fixes: precise, and never older than a few seconds. */
export const GEO_OPTIONS: PositionOptions = { enableHighAccuracy: true, timeout: FIX_TIMEOUT_MS, maximumAge: 5_000 };

/** A device position as the SDK takes it (its time is the shared clock's now). */
export function toFix(position: GeolocationPosition): FixInput {
  const c = position.coords;
  const moving = c.speed !== null && Number.isFinite(c.speed) && c.speed > 0;
  return {
    lat: c.latitude,
    lon: c.longitude,
    accuracy: Math.min(MAX_ACCURACY_M, Math.max(0, Math.round(c.accuracy))),
    ...(moving && c.heading !== null && Number.isFinite(c.heading) ? { heading: c.heading } : {}),
    ...(moving && c.speed !== null ? { speed: Math.min(1000, c.speed) } : {}),
  };
}

/** The words for a failed fix (a GeolocationPositionError, or something else). */
export function geoFailure(err: unknown): LocationKey {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 1) return "error.denied";
  if (code === 2) return "error.unavailable";
  if (code === 3) return "error.timeout";
  const name = (err as { name?: unknown } | null)?.name;
  if (name === "ConnectionLostError" || name === "NotConnectedError" || code === "unavailable") return "error.offline";
  return "error.other";
}

/** One fix from the browser (this may ask the person for permission). */
export function currentFix(geo: Geolocation = navigator.geolocation): Promise<FixInput> {
  return new Promise((resolve, reject) => {
    geo.getCurrentPosition((p) => resolve(toFix(p)), reject, GEO_OPTIONS);
  });
}

/** Whether this page may read the location without asking (false when unknown). */
export async function permissionGranted(): Promise<boolean> {
  try {
    const status = await navigator.permissions.query({ name: "geolocation" });
    return status.state === "granted";
  } catch {
    return false;
  }
}
