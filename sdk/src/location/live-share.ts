/**
 * The sending side of a live share: the handle `startLive` and `resume` give.
 * It throttles the device's fixes to what is worth sending (moved, and not
 * more often than LIVE_UPDATE_MIN_MS), re-sends the last one every
 * LIVE_HEARTBEAT_MS, numbers updates with `n`, and stops every timer once the
 * share ends. Timers and the send are passed in, so the timing is testable.
 */
import { ParleyError } from "../errors.js";
import type { GeoFix, LiveLocation } from "../protocol/live/wire.js";
import { LIVE_HEARTBEAT_MS, LIVE_UPDATE_MIN_MS } from "../protocol/live/wire.js";
import type { FixInput, LiveShare } from "./api.js";
import { fixOf } from "./fold.js";
import { distanceM } from "./geo.js";
import { locationProblem } from "./schemas.js";

/** The shortest live share, ms (1 minute); the longest is MAX_LIVE_MS. */
export const MIN_LIVE_MS = 60_000;

/** The least movement that counts, metres (below a fix's accuracy counts as not moved either). */
export const MIN_MOVE_M = 10;

/** What a {@link LiveShareHandle} is made with. */
export interface LiveShareOptions {
  /** The conversation it is shared in. */
  convId: string;
  /** The share id (msgId of its `location` message). */
  share: string;
  /** When it ends, shared-clock ms. */
  until: number;
  /** Shared-clock time now, ms (`client.clock.now`). */
  now: () => number;
  /** Sends one update as a live signal; a rejection is reported, never thrown. */
  send: (update: LiveLocation) => Promise<void>;
  /** Sends the stop message for everyone; resolves once stored. */
  stop: () => Promise<void>;
  /** Where failures go (the client's `error` event). */
  report: (error: unknown) => void;
  /** The fix the share started with (its message's), sent as the heartbeat until a newer one comes; none on resume. */
  first?: GeoFix;
  /** The `n` already used: the first update is `lastN + 1`. @default 0 */
  lastN?: number;
  /** Called once when the share ends (stopped, `until` passed, or closed). */
  onEnd?: () => void;
}

/** A live share of this device: see {@link LiveShare}. */
export class LiveShareHandle implements LiveShare {
  /** The conversation it is shared in. */
  readonly convId: string;
  readonly share: string;
  readonly until: number;
  readonly #o: LiveShareOptions;
  #n: number;
  #ended = false;
  /** The newest fix from the device (what a heartbeat sends). */
  #latest: GeoFix | undefined;
  /** The fix of the last update sent, and whether the gateway took it. */
  #sent: GeoFix | undefined;
  #delivered = true;
  /** Shared-clock time of the last send (or of the start), ms. */
  #sentAt: number;
  #due: ReturnType<typeof setTimeout> | undefined;
  #beat: ReturnType<typeof setTimeout> | undefined;
  #end: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LiveShareOptions) {
    this.#o = options;
    this.convId = options.convId;
    this.share = options.share;
    this.until = options.until;
    this.#n = options.lastN ?? 0;
    this.#latest = options.first;
    this.#sent = options.first;
    this.#sentAt = options.now();
    const left = this.until - this.#sentAt;
    if (left <= 0) {
      this.#finish();
      return;
    }
    this.#end = setTimeout(() => this.#finish(), left);
    this.#schedule();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The `n` of the last update sent (0 before any). */
  get n(): number {
    return this.#n;
  }

  update(input: FixInput): void {
    if (this.#ended) return;
    const fix = { ...input, at: Math.round(input.at ?? this.#o.now()) };
    const problem = locationProblem({ kind: "location", share: this.share, n: 1, ...fix }, "live");
    if (problem !== undefined) {
      this.#o.report(new ParleyError("live_invalid", `the fix is not valid: ${problem}`));
      return;
    }
    const taken = fixOf(fix);
    this.#latest = taken;
    if (!this.#moved(taken)) return;
    const wait = this.#sentAt + LIVE_UPDATE_MIN_MS - this.#o.now();
    if (wait <= 0) this.#send(taken);
    else this.#due ??= setTimeout(() => this.#flush(), wait);
  }

  async stop(): Promise<void> {
    if (this.#ended) throw new ParleyError("live_rejected", "the live share is already over");
    this.#finish();
    await this.#o.stop();
  }

  /** Ends the share here without a stop message (the client closes, or the share was stopped elsewhere). */
  end(): void {
    this.#finish();
  }

  /** Whether `fix` is worth sending: moved beyond its accuracy and {@link MIN_MOVE_M}, or the last send failed. */
  #moved(fix: GeoFix): boolean {
    if (!this.#sent || !this.#delivered) return true;
    return distanceM(this.#sent, fix) > Math.max(fix.accuracy, MIN_MOVE_M);
  }

  /** The wait after the last send is up: sends the newest fix if it still moved. */
  #flush(): void {
    this.#due = undefined;
    if (this.#latest && this.#moved(this.#latest)) this.#send(this.#latest);
  }

  #send(fix: GeoFix): void {
    if (this.#ended) return;
    const now = this.#o.now();
    if (now >= this.until) {
      this.#finish();
      return;
    }
    if (this.#due !== undefined) clearTimeout(this.#due);
    this.#due = undefined;
    this.#n += 1;
    this.#sent = fix;
    this.#sentAt = now;
    this.#delivered = true;
    this.#schedule();
    const sent = fix;
    this.#o.send({ kind: "location", share: this.share, n: this.#n, ...fix }).catch((error: unknown) => {
      if (this.#sent === sent) this.#delivered = false;
      this.#o.report(error);
    });
  }

  /** (Re)starts the heartbeat: the newest fix goes again LIVE_HEARTBEAT_MS after the last send. */
  #schedule(): void {
    if (this.#beat !== undefined) clearTimeout(this.#beat);
    this.#beat = setTimeout(() => {
      this.#beat = undefined;
      if (this.#latest) this.#send(this.#latest);
      else this.#schedule();
    }, LIVE_HEARTBEAT_MS);
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const timer of [this.#due, this.#beat, this.#end]) if (timer !== undefined) clearTimeout(timer);
    this.#due = this.#beat = this.#end = undefined;
    this.#o.onEnd?.();
  }
}
