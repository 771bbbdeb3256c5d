/**
 * A conversation's places kept in step with its confirmed messages and the
 * live updates received (what `client.location.board` follows). Live updates
 * are not messages: the folder keeps the few newest of each share and takes
 * them again whenever the messages fold anew, so loading older messages or a
 * stop arriving late never loses a position.
 */
import type { ReceivedLive } from "../client/live-channel.js";
import type { LiveLocation } from "../protocol/live/wire.js";
import type { LocationBoard } from "./api.js";
import { applyLive, type LiveRefusal, LocationFolder, type LocationMessage, liveRefusal } from "./fold.js";
import { parseLiveLocation } from "./schemas.js";

/** Live updates kept per share and sender (the newest by `n`). */
export const KEEP_PER_SHARE = 8;
/** Shares not on the board (yet) whose updates are kept, at most. */
export const KEEP_UNKNOWN_SHARES = 32;

/** A live update as kept: who sent it, what, and when it was received on the shared clock. */
interface Kept {
  signal: Pick<ReceivedLive, "sender" | "live">;
  sharedNow: number;
}

/**
 * Refusals a later change can lift: a share not on the board yet, and an update below the newest
 * taken (which counts again should a late stop cut off the newer ones). Any other is for good.
 */
const LATER: ReadonlySet<LiveRefusal> = new Set<LiveRefusal>(["unknown_share", "stale"]);

/**
 * The places of a conversation: messages added at the end are folded on top of what was folded;
 * anything else (older ones prepended, one replaced once readable) folds everything again. The live
 * updates kept are taken again after every change the messages make.
 */
export class LocationBoardFolder {
  #folder = new LocationFolder();
  #folded: readonly LocationMessage[] = [];
  /** Kept updates by share and sender (`share sender`), ascending `n`. */
  readonly #kept = new Map<string, Kept[]>();
  #base: LocationBoard | undefined;
  #board: LocationBoard = this.#folder.board;

  /** The board of the messages last passed to {@link update}, with the live updates taken. */
  get board(): LocationBoard {
    return this.#board;
  }

  /** Folds `messages` (ascending seq, each seq once); returns the board, a new object only when it changed. */
  update(messages: readonly LocationMessage[]): LocationBoard {
    const prev = this.#folded;
    if (messages === prev) return this.#board;
    this.#folded = messages;
    let from = prev.length;
    if (!extends_(prev, messages)) {
      this.#folder = new LocationFolder();
      from = 0;
    }
    for (let i = from; i < messages.length; i++) this.#folder.apply(messages[i] as LocationMessage);
    return this.#refresh();
  }

  /**
   * A live update received at shared-clock time `sharedNow`: kept (unless no later message could
   * make it count) and taken when the rules allow; returns the board, a new object only when it changed.
   */
  live(signal: Pick<ReceivedLive, "sender" | "live">, sharedNow: number): LocationBoard {
    const refusal = liveRefusal(this.#board, signal, sharedNow);
    if (refusal !== undefined && !LATER.has(refusal)) return this.#board;
    this.#keep({ signal, sharedNow });
    this.#board = applyLive(this.#board, signal, sharedNow);
    return this.#board;
  }

  #keep(entry: Kept): void {
    const live = parseLiveLocation(entry.signal.live);
    if (!live) return;
    const key = `${live.share} ${entry.signal.sender}`;
    const list = this.#kept.get(key) ?? [];
    // Only location updates are kept (parsed above).
    const n = (k: Kept) => (k.signal.live as LiveLocation).n;
    if (list.some((k) => n(k) === live.n)) return;
    list.push(entry);
    list.sort((a, b) => n(a) - n(b));
    if (list.length > KEEP_PER_SHARE) list.shift();
    this.#kept.delete(key);
    this.#kept.set(key, list);
    this.#pruneUnknown();
  }

  /** Drops the oldest-kept shares that are not on the board beyond {@link KEEP_UNKNOWN_SHARES}. */
  #pruneUnknown(): void {
    const pins = this.#board.pins;
    const unknown = [...this.#kept.keys()].filter((key) => !pins.has(key.slice(0, key.indexOf(" "))));
    for (const key of unknown.slice(0, Math.max(0, unknown.length - KEEP_UNKNOWN_SHARES))) this.#kept.delete(key);
  }

  /** Takes the kept updates again on top of the messages' board, when that changed. */
  #refresh(): LocationBoard {
    const base = this.#folder.board;
    if (base === this.#base) return this.#board;
    this.#base = base;
    let board = base;
    for (const [key, list] of this.#kept) {
      const pin = base.pins.get(key.slice(0, key.indexOf(" ")));
      if (pin) {
        // On the messages' board no update is stale (no `n` taken yet): any refusal is for good
        // (not the sharer's, after `until`, after the stop), so such an update is dropped.
        const keep = list.filter((k) => liveRefusal(base, k.signal, k.sharedNow) === undefined);
        if (keep.length === 0) this.#kept.delete(key);
        else this.#kept.set(key, keep);
      }
      for (const k of this.#kept.get(key) ?? []) board = applyLive(board, k.signal, k.sharedNow);
    }
    this.#board = board;
    return board;
  }
}

/** Whether `next` starts with exactly the message objects of `prev` (only appended to). */
function extends_(prev: readonly LocationMessage[], next: readonly LocationMessage[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}
