/**
 * Where a listening session is at an instant of the shared clock, how a
 * player follows it without audible jumps, and what a change of what plays
 * sends. Pure functions of the session and a shared-clock time: every
 * listener computes the same playhead from the same session and instant.
 */
import type { PlaybackState } from "../protocol/live/wire.js";
import type { DriftAction, ListenSession, PlaybackChange, Playhead } from "./api.js";

/**
 * How far ahead of the shared clock's now a change that starts playback (a start, a play, a change of
 * track while playing) sets its `atMs`, ms: time for every listener to receive it and load the track,
 * so that all start on time instead of seeking to catch up.
 */
export const START_LEAD_MS = 250;
/** Within this distance of the shared position a player counts as in sync: rate 1, ms. */
export const SYNC_TOLERANCE_MS = 40;
/** From this distance on a player seeks (an audible jump); below it, it only adjusts its rate, ms. */
export const SEEK_THRESHOLD_MS = 1_000;
/** The most the playback rate moves away from 1 while catching up (1 ± this). */
export const MAX_RATE_DELTA = 0.05;
/**
 * The rate moves away from 1 by the drift divided by this, ms (up to {@link MAX_RATE_DELTA}): at the
 * rate taken, the drift would be gone in about this long, were it not checked again before.
 */
export const RATE_WINDOW_MS = 2_000;

/**
 * The playhead of `session` at shared-clock time `sharedNow`, ms.
 *
 * - Paused: the state as set.
 * - Playing: `positionMs + (sharedNow − atMs)`, rolling over into the next tracks of the queue by
 *   their `durationMs`; after the last track it stops (`playing: false`, at the end of the last).
 * - Playing but `atMs` still ahead (the {@link START_LEAD_MS} lead): `playing: false` at `positionMs`
 *   until `atMs`, so a player waits, ready, and starts on time.
 * - An ended session plays nothing: `playing: false` at its last state's position.
 */
export function playheadAt(session: ListenSession, sharedNow: number): Playhead {
  const { queue, state } = session;
  const last = queue.length - 1;
  let index = Math.min(Math.max(state.index, 0), last);
  if (!state.playing || session.endedAt !== undefined || sharedNow < state.atMs) {
    return { index, positionMs: state.positionMs, playing: false };
  }
  let positionMs = state.positionMs + (sharedNow - state.atMs);
  for (;;) {
    const duration = queue[index]?.durationMs ?? 0;
    if (positionMs < duration) return { index, positionMs, playing: true };
    if (index >= last) return { index: last, positionMs: duration, playing: false };
    positionMs -= duration;
    index += 1;
  }
}

/** How {@link followPlayhead} reacts to drift; each field has its exported constant as default. */
export interface FollowOptions {
  /** In sync within ± this, ms. @default SYNC_TOLERANCE_MS (40) */
  toleranceMs?: number;
  /** Seek from this drift on, ms. @default SEEK_THRESHOLD_MS (1,000) */
  seekThresholdMs?: number;
  /** Largest move of the rate away from 1. @default MAX_RATE_DELTA (0.05) */
  maxRateDelta?: number;
  /** The rate moves away from 1 by drift / this, ms. @default RATE_WINDOW_MS (2,000) */
  rateWindowMs?: number;
  /** The player is at another track than the playhead's: it seeks (once it has loaded that track) whatever the drift. @default false */
  otherTrack?: boolean;
}

const FOLLOW_DEFAULTS: Required<FollowOptions> = {
  toleranceMs: SYNC_TOLERANCE_MS,
  seekThresholdMs: SEEK_THRESHOLD_MS,
  maxRateDelta: MAX_RATE_DELTA,
  rateWindowMs: RATE_WINDOW_MS,
  otherTrack: false,
};

/** The options with their defaults; a bad value throws `TypeError` naming it. */
function parseFollowOptions(options: FollowOptions | undefined): Required<FollowOptions> {
  const o = { ...FOLLOW_DEFAULTS, ...options };
  for (const key of ["toleranceMs", "seekThresholdMs", "maxRateDelta", "rateWindowMs"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0)) throw new TypeError(`followPlayhead: ${key} must be a number >= 0`);
  }
  if (o.maxRateDelta >= 1) throw new TypeError("followPlayhead: maxRateDelta must be below 1");
  if (o.rateWindowMs === 0) throw new TypeError("followPlayhead: rateWindowMs must be above 0");
  return o;
}

/**
 * What a player at `actualMs` should do to follow the shared position `expectedMs` (both in the same
 * track, ms). With `d = expectedMs − actualMs`:
 *
 * - `|d| ≤ SYNC_TOLERANCE_MS` (40 ms): in sync, rate 1.
 * - `|d| < SEEK_THRESHOLD_MS` (1 s): rate `1 ± min(MAX_RATE_DELTA, |d| / RATE_WINDOW_MS)` (at most
 *   1 ± 0.05), faster when behind, slower when ahead: no audible jump, the drift shrinks over a few
 *   seconds.
 * - Further off, or `otherTrack`: seek to `expectedMs`, rate 1.
 *
 * Call it every few hundred ms while playing, with the element's rate set to the last answer.
 */
export function followPlayhead(expectedMs: number, actualMs: number, options?: FollowOptions): DriftAction {
  const o = parseFollowOptions(options);
  const drift = expectedMs - actualMs;
  const distance = Math.abs(drift);
  if (o.otherTrack || !(distance < o.seekThresholdMs)) return { seekToMs: Math.max(0, expectedMs), rate: 1 };
  if (distance <= o.toleranceMs) return { rate: 1 };
  const delta = Math.min(o.maxRateDelta, distance / o.rateWindowMs);
  return { rate: drift > 0 ? 1 + delta : 1 - delta };
}

/**
 * The playback state a change sends (what `client.listen.control` sends, before the lead): from the
 * playhead at `sharedNow`, what `change` gives changes and the rest goes on.
 *
 * - `index`: that track (clamped to the queue), from 0 unless `positionMs` is given.
 * - `positionMs`: seek; clamped to 0..the track's duration.
 * - `playing`: play or pause; when not given, the session's own `playing` is kept (a session whose
 *   queue ran out, or that waits for its lead, is still "playing" for this).
 *
 * `atMs` is `sharedNow` and positions are whole ms. Adding {@link START_LEAD_MS} when playback
 * starts is the sender's part.
 */
export function nextChange(session: ListenSession, sharedNow: number, change: PlaybackChange): PlaybackState {
  const head = playheadAt(session, sharedNow);
  const last = session.queue.length - 1;
  const index = change.index === undefined ? head.index : Math.min(Math.max(Math.trunc(change.index), 0), last);
  const from = change.positionMs ?? (change.index === undefined ? head.positionMs : 0);
  const duration = session.queue[index]?.durationMs ?? 0;
  return {
    index,
    playing: change.playing ?? session.state.playing,
    positionMs: Math.min(Math.max(Math.round(from), 0), duration),
    atMs: Math.round(sharedNow),
  };
}
