/**
 * The location fold: every client turns a conversation's confirmed messages
 * into the same places by applying them in `seq` order. It is pure and
 * deterministic (no clock, no randomness); times it compares are the ones
 * the messages carry (server `ts`, the sharer's `at` and `until`). Live
 * updates (signals, never stored) go on top with {@link applyLive}, judged
 * at the shared-clock instant they were received.
 */

import type { ReceivedLive } from "../client/live-channel.js";
import type { FoldMessage } from "../gapless.js";
import type { GeoFix, LiveLocation, LocationPin } from "../protocol/live/wire.js";
import { MAX_LIVE_MS } from "../protocol/live/wire.js";
import type { IgnoredLocation, LocationBoard, PinState } from "./api.js";
import { parseLiveLocation, parseLocationEvent, parseLocationPin } from "./schemas.js";

/** How far after a share's `until` a live update's fix may be taken (clock differences between devices), ms. */
export const LIVE_AT_SLACK_MS = 5_000;

/**
 * A message as the location fold reads it (a `ChatMessage` fits): `location` and `location-event` bodies
 * are folded; `ts` is a stop's `stoppedAt` and the bound of a share's `until`.
 */
export type LocationMessage = FoldMessage;

/** The fix fields of `value` (a pin or a live update), without anything else it carries. */
export function fixOf(value: GeoFix): GeoFix {
  const fix: GeoFix = { lat: value.lat, lon: value.lon, accuracy: value.accuracy, at: value.at };
  if (value.heading !== undefined) fix.heading = value.heading;
  if (value.speed !== undefined) fix.speed = value.speed;
  return fix;
}

/** The state of a pin as its `location` message posts it. */
function pinState(message: LocationMessage, pin: LocationPin): PinState {
  const fix = fixOf(pin);
  const state: PinState = {
    id: message.msgId,
    seq: message.seq,
    sender: message.sender,
    fromTeam: !!message.fromTeam,
    first: fix,
    fix,
  };
  if (pin.label !== undefined) state.label = pin.label;
  // A share lives at most MAX_LIVE_MS after it was stored, whatever clock its `at` came from.
  if (pin.live) state.live = { until: Math.min(pin.live.until, message.ts + MAX_LIVE_MS), n: 0 };
  return state;
}

/**
 * Whether the pin is a live share that was live at shared-clock time `t`: before its `until`
 * and before it was stopped. (`isLive(pin, now)` is the same question for now.)
 */
export function liveAt(pin: PinState, t: number): boolean {
  const live = pin.live;
  return live !== undefined && t < live.until && (live.stoppedAt === undefined || t < live.stoppedAt);
}

const EMPTY: LocationBoard = { pins: new Map(), ignored: new Map() };

/**
 * An incremental fold. Give it a conversation's messages in increasing `seq` with {@link apply};
 * {@link board} is the result so far. A message whose `seq` is not above every seq applied before is
 * refused (a duplicate, or an older message: fold again from the start with {@link foldLocations}).
 */
export class LocationFolder {
  readonly #pins = new Map<string, PinState>();
  readonly #ignored = new Map<string, IgnoredLocation>();
  #lastSeq = Number.NEGATIVE_INFINITY;
  #board: LocationBoard = EMPTY;
  #dirty = false;

  /** The highest seq applied so far (`-Infinity` before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Applies the next message. Returns whether it pinned a place or stopped a share; an ignored one is
   * recorded in `board.ignored` and changes nothing else. Returns `false` without reading it when its
   * seq is not above {@link lastSeq}, or when its msgId was folded before.
   */
  apply(message: LocationMessage): boolean {
    if (!(message.seq > this.#lastSeq)) return false;
    this.#lastSeq = message.seq;
    const body = message.body as { type?: unknown; location?: unknown; event?: unknown } | undefined;
    if (body?.type !== "location" && body?.type !== "location-event") return false;
    if (this.#pins.has(message.msgId) || this.#ignored.has(message.msgId)) return false;
    this.#dirty = true;
    if (body.type === "location") {
      const pin = parseLocationPin(body.location);
      if (!pin) return this.#ignore(message, "location", "invalid");
      this.#pins.set(message.msgId, pinState(message, pin));
      return true;
    }
    const event = parseLocationEvent(body.event);
    if (!event) return this.#ignore(message, "location-event", "invalid");
    const pin = this.#pins.get(event.share);
    if (!pin) return this.#ignore(message, "location-event", "unknown_share");
    if (pin.sender !== message.sender) return this.#ignore(message, "location-event", "not_sharer");
    if (!pin.live || !liveAt(pin, message.ts)) return this.#ignore(message, "location-event", "not_live");
    this.#pins.set(pin.id, { ...pin, live: { ...pin.live, stoppedAt: message.ts } });
    return true;
  }

  #ignore(message: LocationMessage, type: IgnoredLocation["type"], reason: IgnoredLocation["reason"]): false {
    this.#ignored.set(message.msgId, { seq: message.seq, sender: message.sender, type, reason });
    return false;
  }

  /** Every pin and ignored message so far; the same object until a message changes something. */
  get board(): LocationBoard {
    if (this.#dirty) {
      this.#board = { pins: new Map(this.#pins), ignored: new Map(this.#ignored) };
      this.#dirty = false;
    }
    return this.#board;
  }
}

/**
 * Folds a conversation's messages into its places: sorted by `seq`, each seq counted once (of two
 * different messages under one seq, the one with the smaller `msgId`), messages of other kinds (or
 * whose seq is not a safe integer) skipped. The same messages in any order, repeated or not, give an
 * equal board.
 */
export function foldLocations(messages: Iterable<LocationMessage>): LocationBoard {
  const bySeq = new Map<number, LocationMessage>();
  for (const message of messages) {
    if (!Number.isSafeInteger(message.seq)) continue;
    const held = bySeq.get(message.seq);
    if (!held || message.msgId < held.msgId) bySeq.set(message.seq, message);
  }
  const folder = new LocationFolder();
  for (const message of [...bySeq.values()].sort((a, b) => a.seq - b.seq)) folder.apply(message);
  return folder.board;
}

/** Why a live update is not taken: see {@link liveRefusal}. */
export type LiveRefusal =
  /** It breaks its schema. */
  | "invalid"
  /** Its share is not on the board (not loaded yet, or no such share). */
  | "unknown_share"
  /** The share was not live when it was received (shared once, stopped, or `until` passed). */
  | "not_live"
  /** It is not from the share's sharer. */
  | "not_sharer"
  /** Its fix was taken after the share's `until` (beyond {@link LIVE_AT_SLACK_MS}). */
  | "too_late"
  /** Its `n` is not above the newest update taken. */
  | "stale";

/**
 * Why a live update would not be taken on `board` at shared-clock time `sharedNow`, or `undefined`
 * when it would: it must be a valid update, from the share's own sender, for a share live at
 * `sharedNow`, numbered above the last taken, with a fix taken before `until` (plus
 * {@link LIVE_AT_SLACK_MS}).
 */
export function liveRefusal(
  board: LocationBoard,
  signal: Pick<ReceivedLive, "sender" | "live">,
  sharedNow: number,
): LiveRefusal | undefined {
  const live = parseLiveLocation(signal.live);
  if (!live) return "invalid";
  const pin = board.pins.get(live.share);
  if (!pin) return "unknown_share";
  if (!pin.live) return "not_live";
  if (pin.sender !== signal.sender) return "not_sharer";
  if (!liveAt(pin, sharedNow)) return "not_live";
  if (live.at > pin.live.until + LIVE_AT_SLACK_MS) return "too_late";
  if (live.n <= pin.live.n) return "stale";
  return undefined;
}

/**
 * `board` with a live update taken (the share's `fix` and `live.n` moved on), or `board` itself when
 * the update is ignored (see {@link liveRefusal}). Taking updates in any order, each any number of
 * times, ends at the update with the highest `n` among those the rules allow.
 */
export function applyLive(
  board: LocationBoard,
  signal: Pick<ReceivedLive, "sender" | "live">,
  sharedNow: number,
): LocationBoard {
  if (liveRefusal(board, signal, sharedNow) !== undefined) return board;
  // liveRefusal parsed it: a location update.
  const live = signal.live as LiveLocation;
  const pin = board.pins.get(live.share) as PinState & { live: NonNullable<PinState["live"]> };
  const pins = new Map(board.pins);
  pins.set(pin.id, { ...pin, fix: fixOf(live), live: { ...pin.live, n: live.n } });
  return { ...board, pins };
}
