/**
 * `client.listen`: listening together. A session is a queue of tracks and
 * one shared playback state (track, playing or paused, position at an
 * instant of the shared clock); every listener's player follows it. The fold
 * and the checks load on first use.
 */
import type { ChatMessage } from "../conversation-tracker.js";
import type { PlaybackState, Track } from "../protocol/live/wire.js";
import type { StateStore } from "../state-store.js";

/** One listening session, as every client folds it (id: msgId of its `listen` message). */
export interface ListenSession {
  /** The msgId of the `listen` message. */
  id: string;
  /** Its seq. */
  seq: number;
  /** Who started it (the only one who may end it). */
  starter: string;
  /** The tracks. */
  queue: Track[];
  /** What plays, as last set. */
  state: PlaybackState;
  /** Who listens now (joined and not left), in order of joining. */
  listeners: string[];
  /** Set once it ended (the starter ended it, or the last listener left): the seq of that event. */
  endedAt?: number;
  /** Who set `state` last. */
  changedBy: string;
}

/** The sessions of one conversation. */
export interface ListenBoard {
  /** Every session by id, in seq order. */
  sessions: ReadonlyMap<string, ListenSession>;
  /** The session running now (at most one per conversation: a start while one runs is ignored). */
  active?: ListenSession;
}

/** Where a session is at a shared-clock instant. */
export interface Playhead {
  /** Index into the queue. */
  index: number;
  /** Position in that track, ms. */
  positionMs: number;
  /** Playing or paused (false too once the last track has run out, and while a change waits for its `atMs`: the start lead). */
  playing: boolean;
}

/** A change of what plays: what is given changes, the rest goes on from where it is now. */
export interface PlaybackChange {
  /** Play or pause. */
  playing?: boolean;
  /** Another track (its position starts at 0 unless `positionMs` is given). */
  index?: number;
  /** Seek, ms. */
  positionMs?: number;
}

/** What a player should do to follow the shared position (see `followPlayhead`). */
export interface DriftAction {
  /** Jump to this position, ms (only when far off: an audible jump). */
  seekToMs?: number;
  /** Playback rate to use until the next check (1 when in sync; slightly above or below to catch up smoothly). */
  rate: number;
}

/** Listening sessions in a client's conversations. */
export interface ListenApi {
  /** Every session of a conversation, folded from its loaded messages. Empty until the fold has loaded; then live. */
  board(convId: string): StateStore<ListenBoard>;
  /**
   * Starts a session with `queue` (1..50 tracks), playing the first from 0 at
   * the shared clock's now plus a short lead (`START_LEAD_MS`, so every listener
   * starts on time); the starter has joined. `live_invalid` for a bad queue,
   * `live_rejected` while another session runs in the conversation.
   */
  start(convId: string, queue: Track[]): Promise<ChatMessage>;
  /** Joins a running session. */
  join(convId: string, session: string): Promise<ChatMessage>;
  /** Leaves it (the last to leave ends it). */
  leave(convId: string, session: string): Promise<ChatMessage>;
  /** The starter ends it for everyone. */
  end(convId: string, session: string): Promise<ChatMessage>;
  /**
   * A listener changes what plays (play, pause, seek, next, previous), from where the session is at the
   * shared clock's now (`nextChange`). `live_invalid` for a malformed change (an index outside the queue),
   * `live_rejected` for a non-listener or a session that is not running.
   */
  control(convId: string, session: string, change: PlaybackChange): Promise<ChatMessage>;
}
