/**
 * The one `<audio>` element a page plays listening sessions with, and the
 * loop that keeps it on the session's shared playhead. Every ~250 ms (and on
 * every change of the session) it computes where the session is now on the
 * shared clock (`playheadAt`), loads the track when the index differs, plays
 * or pauses, and follows the position with `followPlayhead`: small playback
 * rate nudges while close (pitch kept), a seek only when far off.
 *
 * Autoplay: nothing plays until a tap in this page (`prime`, called inside a
 * click handler: Join, Start, a control, "Tap to resume"), so a reloaded page
 * of a listener waits for "Tap to resume" instead of starting by itself.
 */
import type { ShopMedia, Track } from "@parley/sdk/protocol";
import { allowedOrigin, followPlayhead, type ListenSession, type Playhead, playheadAt } from "./sdk.js";

/** How often the loop checks the position, ms. */
export const SYNC_EVERY_MS = 250;
/** A paused element further than this from the paused position is moved there, ms. */
const PAUSED_SLACK_MS = 150;
/**
 * Within this of the shared position the rate goes back to 1, ms: tighter than the SDK's default
 * (40), since a nudge of 1 % (with the pitch kept) cannot be heard.
 */
const TOLERANCE_MS = 15;
/**
 * Once a start has really begun (the position moved), a player further off than this seeks once,
 * ms: the element's start-up delay (a few hundred ms) would otherwise take seconds of nudges to win
 * back, and a jump right as the sound begins is not heard as one.
 */
const START_SEEK_MS = 60;

let element: HTMLAudioElement | undefined;
/** The URL last given to the element (its `src` reads back normalised). */
let loaded: string | undefined;
let tapped = false;
/** After a play() the loop or a tap started: the seeks left for the start (see START_SEEK_MS). */
let startSeeks = 0;
/** How many seeks a start may take to land within START_SEEK_MS (each seek delays the sound a little again). */
const START_SEEKS = 3;

/** Plays, allowing the start its closer seeks (see START_SEEK_MS). */
function start(audio: HTMLAudioElement): void {
  startSeeks = START_SEEKS;
  audio.play().catch(() => undefined);
}

/** The page's audio element (made on first use, never in the DOM). */
export function audioElement(): HTMLAudioElement {
  if (!element) {
    element = new Audio();
    element.preload = "auto";
    element.preservesPitch = true;
  }
  return element;
}

/**
 * Inside a click handler: marks the page as tapped and starts `track` at
 * `positionMs` right away (the browser allows sound after this gesture); the
 * loop corrects the position from there. Without a track it only marks the tap.
 */
export function prime(track?: Track, positionMs = 0): void {
  tapped = true;
  if (!track) return;
  const audio = audioElement();
  if (loaded !== track.url) audio.src = loaded = track.url;
  audio.currentTime = positionMs / 1000;
  start(audio);
}

/** What the loop reports to the bar. */
export interface PlayerStatus {
  /** Where the session is now. */
  playhead: Playhead | undefined;
  /** The element's position, ms. */
  elementMs: number;
  /** Waiting for a tap before anything plays. */
  needsTap: boolean;
  /** The current track is not on the shop's media origins: not played. */
  blocked: boolean;
}

/** Options of a {@link ListenPlayer}. */
export interface PlayerOptions {
  /** Shared-clock now, ms. */
  now: () => number;
  /** The shop's media (only its origins are played). */
  media: () => ShopMedia | undefined;
  /** Called after every check, with what it found. */
  onStatus: (status: PlayerStatus) => void;
}

/** Keeps the page's audio element on a session's shared playhead (see the module comment). */
export class ListenPlayer {
  readonly #o: PlayerOptions;
  #session: ListenSession | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: PlayerOptions) {
    this.#o = options;
  }

  /** Follows `session` (the viewer listens in it), or stops (undefined). */
  follow(session: ListenSession | undefined): void {
    this.#session = session;
    if (!session) {
      this.stop();
      return;
    }
    this.#timer ??= setInterval(() => this.sync(), SYNC_EVERY_MS);
    this.sync();
  }

  /** Stops the loop and the sound. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#session = undefined;
    if (element && !element.paused) element.pause();
  }

  /** One check: the track, play or pause, and the position (see the module comment). */
  sync(): void {
    const session = this.#session;
    if (!session) return;
    const playhead = playheadAt(session, this.#o.now());
    const track = session.queue[playhead.index];
    const audio = audioElement();
    const blocked = !track || !allowedOrigin(track.url, this.#o.media());
    const status = (needsTap: boolean) =>
      this.#o.onStatus({ playhead, elementMs: audio.currentTime * 1000, needsTap, blocked });
    if (blocked || !track) {
      if (!audio.paused) audio.pause();
      status(false);
      return;
    }
    if (!tapped) {
      status(true);
      return;
    }
    if (loaded !== track.url) {
      audio.src = loaded = track.url;
      audio.currentTime = playhead.positionMs / 1000;
    }
    audio.preservesPitch = true;
    if (!playhead.playing) {
      if (!audio.paused) audio.pause();
      audio.playbackRate = 1;
      if (Math.abs(audio.currentTime * 1000 - playhead.positionMs) > PAUSED_SLACK_MS && !audio.seeking)
        audio.currentTime = playhead.positionMs / 1000;
      status(false);
      return;
    }
    if (audio.paused) start(audio);
    if (audio.readyState >= HTMLMediaElement.HAVE_METADATA && !audio.seeking) {
      // Just after a start, once the element has data to play, it seeks closer than usual (START_SEEK_MS).
      const fresh = startSeeks > 0 && audio.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA;
      const action = followPlayhead(playhead.positionMs, audio.currentTime * 1000, {
        toleranceMs: TOLERANCE_MS,
        ...(fresh ? { seekThresholdMs: START_SEEK_MS } : {}),
      });
      if (fresh) startSeeks = action.seekToMs === undefined ? 0 : startSeeks - 1;
      if (action.seekToMs !== undefined) audio.currentTime = action.seekToMs / 1000;
      if (audio.playbackRate !== action.rate) audio.playbackRate = action.rate;
    }
    status(false);
  }
}
