/**
 * The wire format of what is live in a conversation: shared locations (once
 * and live) and listening sessions. Everything here travels end-to-end
 * encrypted, either as a message body (stored, ordered by seq, folded alike on
 * every client) or as a live signal (relayed by the gateway to the members,
 * never stored; see {@link LiveBody}).
 *
 * - A location message (`location`) pins a place once, or starts a live share
 *   when it carries `live.until`. The share's id is the msgId of that message.
 * - Live updates of a share travel as live signals (`live` bodies with
 *   `kind: "location"`), at most every {@link LIVE_UPDATE_MIN_MS}, numbered
 *   by `n` so a replayed or late update never moves the position back.
 * - A `location-event` with `op: "stop"` ends a share early (only its sharer).
 *   A share also ends for everyone when `until` passes, whatever its device does.
 * - A `listen` message starts a listening session with a queue of tracks; its
 *   id is the msgId of that message. `listen-event`s join, leave, change what
 *   plays (`state`: track, playing or paused, and the position at an instant
 *   of the shared clock) and end it.
 *
 * Times named `at`, `atMs` or `until` are on the shared clock: milliseconds
 * since the Unix epoch as the gateway counts them (each client estimates its
 * offset to the gateway, `client.clock`). Coordinates are WGS 84 degrees.
 */
import type { LiveCall } from "../calls/wire.js";

/** Version of the location and listen bodies. */
export const LIVE_VERSION = 1;

/** Least time between two live location updates of one share, ms. */
export const LIVE_UPDATE_MIN_MS = 5_000;
/** A sharer re-sends its last position at least this often, so a viewer that just arrived sees it, ms. */
export const LIVE_HEARTBEAT_MS = 30_000;
/** The durations the widget offers for a live share, ms: 15 minutes, 1 hour, 8 hours. */
export const LIVE_DURATIONS_MS = [15 * 60_000, 60 * 60_000, 8 * 60 * 60_000] as const;
/** The longest live share, ms (8 hours). */
export const MAX_LIVE_MS = 8 * 60 * 60_000;
/** The longest place label, characters. */
export const MAX_LABEL_CHARS = 200;
/** The largest accuracy radius taken, metres. */
export const MAX_ACCURACY_M = 100_000;

/** A position fix as a device reports it. */
export interface GeoFix {
  /** Latitude, degrees, -90..90. */
  lat: number;
  /** Longitude, degrees, -180..180. */
  lon: number;
  /** Accuracy radius, metres (0..{@link MAX_ACCURACY_M}). */
  accuracy: number;
  /** When the fix was taken, shared-clock ms. */
  at: number;
  /** Direction of travel, degrees clockwise from true north (0..360), when moving. */
  heading?: number;
  /** Speed over ground, metres per second (0..1000), when known. */
  speed?: number;
}

/** The body of a `location` message: a place pinned once, or the start of a live share. */
export interface LocationPin extends GeoFix {
  /** What the place is, as the sharer named it ("Courier", "Main entrance"); plain text. */
  label?: string;
  /** Present on a live share: it is live until this shared-clock instant (at most {@link MAX_LIVE_MS} after `at`). */
  live?: {
    /** The share ends at this instant, shared-clock ms. */
    until: number;
  };
}

/** The body of a `location-event` message. */
export interface LocationEvent {
  /** The share (msgId of its `location` message). */
  share: string;
  /** `stop`: the sharer ends the share now. */
  op: "stop";
}

/** A live update of a share, sent as a live signal. */
export interface LiveLocation extends GeoFix {
  /** A live location update. */
  kind: "location";
  /** The share (msgId of its `location` message). */
  share: string;
  /**
   * Counts up per share: from 1 when the share starts; a handle resumed later (after a reload) starts
   * above any number the earlier one could have sent. A receiver ignores an `n` at or below the last it took.
   */
  n: number;
}

/** The payload of a live signal (a `live` body): a live location update, or a call's signalling (../calls/wire.ts). */
export type LiveUpdate = LiveLocation | LiveCall;

/** The most tracks a listening session's queue holds. */
export const MAX_QUEUE = 50;
/** The longest track, ms (3 hours). */
export const MAX_TRACK_MS = 3 * 60 * 60_000;
/** The longest track URL, characters. */
export const MAX_TRACK_URL_CHARS = 2_048;
/** The longest track title or artist, characters. */
export const MAX_TRACK_TEXT_CHARS = 200;

/** One track of a listening session. */
export interface Track {
  /** Where the audio is: `https:` (or `http:` for localhost); a widget plays only origins its shop allows. */
  url: string;
  /** Title, plain text. */
  title: string;
  /** Artist, plain text. */
  artist?: string;
  /** Length, ms (1..{@link MAX_TRACK_MS}); the shared position moves on to the next track after it. */
  durationMs: number;
  /** The id in the shop's catalog, when the track came from there. */
  catalogId?: string;
}

/** What plays: a track of the queue, playing or paused, at a position at an instant of the shared clock. */
export interface PlaybackState {
  /** Index into the session's queue. */
  index: number;
  /** Playing (the position moves with the shared clock) or paused. */
  playing: boolean;
  /** Position in the track at `atMs`, ms. */
  positionMs: number;
  /** The shared-clock instant `positionMs` holds for, ms. */
  atMs: number;
}

/** The body of a `listen` message: a session starts, with its queue; the starter has joined. */
export interface ListenStart {
  /** The tracks, in order (1..{@link MAX_QUEUE}). */
  queue: Track[];
  /** What plays first (usually index 0, playing, position 0 at the starter's now). */
  state: PlaybackState;
}

/** The body of a `listen-event` message. */
export type ListenEvent =
  | {
      /** The session (msgId of its `listen` message). */
      session: string;
      /** A listener changes what plays: play, pause, seek, next and previous are all this. */
      op: "state";
      /** What plays from now on (its index within the queue, its position within that track). */
      state: PlaybackState;
    }
  | {
      /** The session (msgId of its `listen` message). */
      session: string;
      /** The sender joins (listeners may change what plays). */
      op: "join";
    }
  | {
      /** The session (msgId of its `listen` message). */
      session: string;
      /** The sender leaves; when the last listener leaves, the session ends. */
      op: "leave";
    }
  | {
      /** The session (msgId of its `listen` message). */
      session: string;
      /** The starter ends the session for everyone. */
      op: "end";
    };

/**
 * The largest `ct` of a live signal's envelope, base64url characters (about 12 KiB sealed: room for a
 * call's session description with its candidates, ../calls/wire.ts).
 */
export const MAX_LIVE_CIPHERTEXT_CHARS = 16_384;
/** Live signals one principal may send per conversation: this many at once... */
export const LIVE_SIGNAL_BURST = 5;
/** ...and this many per second on average (the gateway counts LIVE_SIGNAL_BURST per window of LIVE_SIGNAL_BURST / LIVE_SIGNALS_PER_SECOND seconds). */
export const LIVE_SIGNALS_PER_SECOND = 1;
