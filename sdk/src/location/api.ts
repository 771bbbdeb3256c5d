/**
 * `client.location`: places shared in a conversation, once or live. The
 * fold and the checks load on first use (a dynamic import), so a chat that
 * shows no location never downloads them.
 */
import type { ChatMessage } from "../conversation-tracker.js";
import type { GeoFix } from "../protocol/live/wire.js";
import type { StateStore } from "../state-store.js";

/** A fix as the app hands it in: `at` defaults to the shared clock's now. */
export type FixInput = Omit<GeoFix, "at"> & {
  /** When the fix was taken, shared-clock ms. @default client.clock.now() */
  at?: number;
};

/** One shared place, as every client folds it (id: msgId of its `location` message). */
export interface PinState {
  /** The msgId of the `location` message. */
  id: string;
  /** Its seq. */
  seq: number;
  /** Who shared it. */
  sender: string;
  /** Whether a reader can verify it came from the shop's team (team vouch). */
  fromTeam: boolean;
  /** The label the sharer gave, if any. */
  label?: string;
  /** The position as first shared (the message). */
  first: GeoFix;
  /** The newest position known: the message's, or a later live update's. */
  fix: GeoFix;
  /** Present on a live share. */
  live?: {
    /** It ends at this shared-clock instant whatever happens. */
    until: number;
    /** Set when the sharer stopped it early: the stop message's server time, ms. */
    stoppedAt?: number;
    /** The `n` of the newest update taken (0: none yet). */
    n: number;
  };
}

/** Why the fold ignored a location message, alike on every client. */
export type IgnoredReason =
  /** It breaks its schema (`@parley/sdk/location` `locationProblem` says how). */
  | "invalid"
  /** A stop for a share that is not on the board (not loaded, or no such share). */
  | "unknown_share"
  /** A stop from someone who is not the share's sharer. */
  | "not_sharer"
  /** A stop for a place shared once, or for a share already over (stopped, or `until` passed). */
  | "not_live";

/** A location or location-event message the fold ignored (the widget shows it as a short note, or not at all). */
export interface IgnoredLocation {
  /** The message's seq. */
  seq: number;
  /** Who sent it. */
  sender: string;
  /** Its body kind. */
  type: "location" | "location-event";
  /** Why it was ignored. */
  reason: IgnoredReason;
}

/** The places of one conversation. */
export interface LocationBoard {
  /** Every shared place by id, in seq order. */
  pins: ReadonlyMap<string, PinState>;
  /** The location and location-event messages the fold ignored, by msgId (absent on a board made before the fold loaded). */
  ignored?: ReadonlyMap<string, IgnoredLocation>;
}

/** This device's own live share, which it keeps sending updates for. */
export interface LiveShare {
  /** The conversation it is shared in. */
  readonly convId: string;
  /** The share id (msgId of its `location` message). */
  readonly share: string;
  /** When it ends, shared-clock ms. */
  readonly until: number;
  /** Whether it has ended (stopped, or `until` passed): `update` then does nothing. */
  readonly ended: boolean;
  /**
   * A new fix from the device. Sent as an encrypted live signal when it moved
   * (by more than its accuracy or 10 m) and no update went out in the last
   * LIVE_UPDATE_MIN_MS (else the newest is sent when that time is up); the
   * last fix is re-sent every LIVE_HEARTBEAT_MS while nothing moves.
   */
  update(fix: FixInput): void;
  /** Stops the share for everyone (a `location-event` stop message); resolves once stored. */
  stop(): Promise<void>;
}

/** Places of a client's conversations. */
export interface LocationApi {
  /**
   * Every place shared in a conversation, folded from its loaded messages and
   * the live updates received since. Empty until the fold has loaded; then live.
   */
  board(convId: string): StateStore<LocationBoard>;
  /** Shares a place once; resolves with its message. `live_invalid` for a fix out of range. */
  share(convId: string, fix: FixInput, options?: { label?: string }): Promise<ChatMessage>;
  /**
   * Starts a live share for `durationMs` (1 minute .. 8 hours); resolves once
   * its message is stored, with the handle that sends updates.
   */
  startLive(convId: string, fix: FixInput, options: { durationMs: number; label?: string }): Promise<LiveShare>;
  /** This principal's live share `share` in `convId`, still running (after a reload, say): a handle to go on with it. */
  resume(convId: string, share: string): Promise<LiveShare | undefined>;
  /** Stops a live share of this principal's. `live_rejected` when it is not this principal's or already over. */
  stop(convId: string, share: string): Promise<ChatMessage>;
}

/** Whether the pin is a live share still live at shared-clock time `now`. */
export function isLive(pin: PinState, now: number): boolean {
  return pin.live !== undefined && pin.live.stoppedAt === undefined && now < pin.live.until;
}
