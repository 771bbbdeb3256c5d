/**
 * Stand-in for `@parley/sdk/listen` and `client.clock` while the SDK side is
 * built on its own branches (listen-sdk, live-transport): the contract's
 * shapes (sdk/src/listen/api.ts, sdk/src/clock-api.ts) and the playhead math
 * the UI needs. Replaced by re-exports from the SDK once those are merged.
 */
import type { ChatMessage, StateStore } from "@parley/sdk";
import type { PlaybackState, Track } from "@parley/sdk/protocol";

/** One listening session (sdk/src/listen/api.ts). */
export interface ListenSession {
  id: string;
  seq: number;
  starter: string;
  queue: Track[];
  state: PlaybackState;
  listeners: string[];
  endedAt?: number;
  changedBy: string;
}

/** The sessions of one conversation. */
export interface ListenBoard {
  sessions: ReadonlyMap<string, ListenSession>;
  active?: ListenSession;
}

/** Where a session is at a shared-clock instant. */
export interface Playhead {
  index: number;
  positionMs: number;
  playing: boolean;
}

/** A change of what plays. */
export interface PlaybackChange {
  playing?: boolean;
  index?: number;
  positionMs?: number;
}

/** What a player should do to follow the shared position. */
export interface DriftAction {
  seekToMs?: number;
  rate: number;
}

/** `client.listen`. */
export interface ListenApi {
  board(convId: string): StateStore<ListenBoard>;
  start(convId: string, queue: Track[]): Promise<ChatMessage>;
  join(convId: string, session: string): Promise<ChatMessage>;
  leave(convId: string, session: string): Promise<ChatMessage>;
  end(convId: string, session: string): Promise<ChatMessage>;
  control(convId: string, session: string, change: PlaybackChange): Promise<ChatMessage>;
}

/** `client.clock`. */
export interface SharedClockApi {
  now(): number;
  sync(samples?: number): Promise<unknown>;
}

/** Where `session` is at shared-clock `now`: its position runs on with the clock while playing, through the queue. */
export function playheadAt(session: ListenSession, now: number): Playhead {
  const { state, queue } = session;
  let index = Math.min(Math.max(state.index, 0), queue.length - 1);
  if (!state.playing || session.endedAt !== undefined) return { index, positionMs: state.positionMs, playing: false };
  let positionMs = state.positionMs + Math.max(0, now - state.atMs);
  for (let track = queue[index]; track && positionMs >= track.durationMs; track = queue[index]) {
    if (index === queue.length - 1) return { index, positionMs: track.durationMs, playing: false };
    positionMs -= track.durationMs;
    index++;
  }
  return { index, positionMs, playing: true };
}

/** How to follow `expectedMs` from `actualMs`: a rate nudge within ±5 % while close, a seek when over a second off. */
export function followPlayhead(expectedMs: number, actualMs: number): DriftAction {
  const drift = expectedMs - actualMs;
  if (Math.abs(drift) > 1000) return { seekToMs: expectedMs, rate: 1 };
  if (Math.abs(drift) < 30) return { rate: 1 };
  return { rate: 1 + Math.max(-0.05, Math.min(0.05, drift / 4000)) };
}
