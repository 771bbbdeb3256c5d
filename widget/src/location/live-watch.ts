/**
 * This device's running live shares: for each, a `watchPosition` that feeds
 * `LiveShare.update` until the share ends (stopped, or `until` passed), and a
 * note in localStorage of the shares this device started, so that after a
 * reload it goes on with its own (and never starts sending the position of a
 * share another device of the same person started).
 */
import { GEO_OPTIONS, toFix } from "./geo.js";
import type { LiveShare } from "./sdk.js";

const KEY = "parley.location.live";

interface Running {
  share: LiveShare;
  watch: number;
  timer: ReturnType<typeof setInterval>;
}

const running = new Map<string, Running>();

/** The shares this device started and has not seen end, by share id: until (shared clock). */
function remembered(): Record<string, number> {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "{}") as unknown;
    return value && typeof value === "object" ? (value as Record<string, number>) : {};
  } catch {
    return {};
  }
}

function remember(shares: Record<string, number>): void {
  try {
    if (Object.keys(shares).length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(shares));
  } catch {
    // No storage (blocked third-party storage): a reload then offers "Resume sharing" only.
  }
}

/** Whether this device started share `id` (and may go on with it after a reload). */
export const startedHere = (id: string) => id in remembered();

/** Whether this device is sending updates for share `id` now. */
export const watching = (id: string) => running.has(id);

/**
 * Feeds `share` with the device's position until it ends. `onError` hears a
 * failed fix (permission taken back, no signal); the watch goes on.
 */
export function watchShare(
  share: LiveShare,
  onError: (err: GeolocationPositionError) => void = () => undefined,
  geo: Geolocation = navigator.geolocation,
): void {
  if (running.has(share.share) || share.ended) return;
  remember({ ...remembered(), [share.share]: share.until });
  const watch = geo.watchPosition(
    (p) => {
      if (share.ended) unwatch(share.share);
      else share.update(toFix(p));
    },
    onError,
    { ...GEO_OPTIONS, timeout: Number.POSITIVE_INFINITY },
  );
  // `ended` turns true when the shared clock passes `until`: checked every few seconds.
  const timer = setInterval(() => {
    if (share.ended) unwatch(share.share);
  }, 5_000);
  running.set(share.share, { share, watch, timer });
}

/** Stops sending updates for share `id` on this device (the share itself is stopped with `LiveShare.stop`). */
export function unwatch(id: string, geo: Geolocation = navigator.geolocation): void {
  const r = running.get(id);
  if (r) {
    geo.clearWatch(r.watch);
    clearInterval(r.timer);
    running.delete(id);
  }
  const shares = remembered();
  if (id in shares) {
    delete shares[id];
    remember(shares);
  }
}

/** The running handle of share `id`, if this device sends its updates. */
export const runningShare = (id: string): LiveShare | undefined => running.get(id)?.share;
