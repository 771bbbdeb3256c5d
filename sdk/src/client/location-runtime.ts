/**
 * The part of `client.location` that loads on first use, through the one
 * dynamic import in `location.ts`: the location schemas (zod), the fold, the
 * live-share handles, and the checks made before a location message is
 * queued. Nothing reachable from the SDK's entry imports this module
 * statically, so a chat that shows no location never downloads any of it.
 */
import type { ChatMessage } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import { gapless } from "../gapless.js";
import { type FixInput, isLive, type LiveShare, type LocationBoard, type PinState } from "../location/api.js";
import { LocationBoardFolder } from "../location/board-folder.js";
import { fixOf } from "../location/fold.js";
import { LiveShareHandle, MIN_LIVE_MS } from "../location/live-share.js";
import { locationProblem } from "../location/schemas.js";
import type { GeoFix, LiveLocation, LocationPin } from "../protocol/live/wire.js";
import { LIVE_UPDATE_MIN_MS, MAX_LIVE_MS } from "../protocol/live/wire.js";
import type { ReceivedLive } from "./live-channel.js";
import type { LocationHost } from "./location.js";

/** `client.location` once loaded: a folder per followed conversation, this device's live shares, and the checked sends. */
export class LocationRuntime {
  readonly #host: LocationHost;
  readonly #folders = new Map<string, LocationBoardFolder>();
  /** This device's running live shares, by share id. */
  readonly #shares = new Map<string, LiveShareHandle>();
  readonly #unsubscribe: (() => void) | undefined;

  constructor(host: LocationHost) {
    this.#host = host;
    this.#unsubscribe = host.live?.onSignal((signal) => this.#received(signal));
  }

  /** Folds the conversation into its board store from now on (once per conversation); returns its folder. */
  follow(convId: string): LocationBoardFolder {
    let folder = this.#folders.get(convId);
    if (folder) return folder;
    const made = new LocationBoardFolder();
    folder = made;
    this.#folders.set(convId, made);
    this.#host.core
      .tracker(convId)
      .state.subscribe((s) => this.#set(convId, made.update(gapless(s.messages, s.lastSeq))));
    return made;
  }

  /** Publishes the board, and ends a live share of this device that was stopped elsewhere. */
  #set(convId: string, board: LocationBoard): void {
    this.#host.board(convId).set(board);
    for (const handle of this.#shares.values()) {
      if (handle.convId === convId && board.pins.get(handle.share)?.live?.stoppedAt !== undefined) handle.end();
    }
  }

  /** A live signal from another principal or another device of this one. */
  #received(signal: ReceivedLive): void {
    const folder = this.#folders.get(signal.convId);
    if (folder) this.#set(signal.convId, folder.live(signal, this.#host.now()));
  }

  /** A checked `location` body from the app's fix; throws `live_invalid`. */
  #pin(fix: FixInput, label: string | undefined, until?: number): LocationPin {
    const pin: LocationPin = { ...fix, at: Math.round(fix.at ?? this.#host.now()) };
    if (label !== undefined && label !== "") pin.label = label;
    if (until !== undefined) pin.live = { until };
    const problem = locationProblem(pin, "pin");
    if (problem !== undefined) throw new ParleyError("live_invalid", `the location is not valid: ${problem}`);
    return pin;
  }

  /** Shares a place once. */
  async share(convId: string, fix: FixInput, options: { label?: string }): Promise<ChatMessage> {
    const pin = this.#pin(fix, options.label);
    return this.#host.send(convId, { type: "location", location: { ...pin } });
  }

  /** Starts a live share; resolves once its message is stored, with its handle. */
  async startLive(convId: string, fix: FixInput, options: { durationMs: number; label?: string }): Promise<LiveShare> {
    const { durationMs } = options;
    if (!Number.isSafeInteger(durationMs) || durationMs < MIN_LIVE_MS || durationMs > MAX_LIVE_MS) {
      throw new ParleyError("live_invalid", `a live share lasts ${MIN_LIVE_MS} to ${MAX_LIVE_MS} ms`);
    }
    await this.#host.synced();
    const pin = this.#pin(fix, options.label, Math.round(this.#host.now()) + durationMs);
    const message = await this.#host.send(convId, { type: "location", location: { ...pin } });
    return this.#handle(convId, message.msgId, pin.live?.until ?? 0, { first: fixOf(pin), lastN: 0 });
  }

  /**
   * A handle on this principal's live share `share`, still live. A new handle numbers its updates
   * above any an earlier handle could have sent: one per LIVE_UPDATE_MIN_MS since the share's message.
   */
  async resume(convId: string, share: string): Promise<LiveShare | undefined> {
    const running = this.#shares.get(share);
    if (running && !running.ended) return running;
    await this.#host.synced();
    const pin = this.follow(convId).board.pins.get(share);
    const self = this.#host.core.requireSession().principal.id;
    const now = this.#host.now();
    if (!pin?.live || pin.sender !== self || !isLive(pin, now)) return undefined;
    const message = this.#host.core.tracker(convId).state.value.messages.find((m) => m.msgId === share);
    const since = Math.max(0, now - (message?.ts ?? pin.first.at));
    const lastN = Math.max(pin.live.n, Math.floor(since / LIVE_UPDATE_MIN_MS) + 2);
    return this.#handle(convId, share, pin.live.until, { lastN });
  }

  #handle(convId: string, share: string, until: number, from: { first?: GeoFix; lastN: number }): LiveShareHandle {
    const handle = new LiveShareHandle({
      convId,
      share,
      until,
      now: this.#host.now,
      send: (update) => this.#sendLive(convId, update),
      stop: async () => {
        await this.#sendStop(convId, share);
      },
      report: this.#host.core.report,
      ...from,
      onEnd: () => {
        if (this.#shares.get(share) === handle) this.#shares.delete(share);
      },
    });
    if (!handle.ended) this.#shares.set(share, handle);
    return handle;
  }

  /** Sends a live update and, once the gateway took it, shows it on this device's own board too. */
  async #sendLive(convId: string, update: LiveLocation): Promise<void> {
    const { live, core } = this.#host;
    if (!live) throw new ParleyError("unavailable", "this client has no live signal channel");
    await live.send(convId, update);
    const folder = this.#folders.get(convId);
    const self = core.session?.principal.id;
    if (folder && self) this.#set(convId, folder.live({ sender: self, live: update }, this.#host.now()));
  }

  /** Stops a live share of this principal's (`live_rejected` when it is not, or is over). */
  async stop(convId: string, share: string): Promise<ChatMessage> {
    const pin: PinState | undefined = this.follow(convId).board.pins.get(share);
    const self = this.#host.core.requireSession().principal.id;
    if (!pin?.live)
      throw new ParleyError("live_rejected", `no live share ${share} in this conversation (is it loaded?)`);
    if (pin.sender !== self) throw new ParleyError("live_rejected", "only its sharer stops a live share");
    if (!isLive(pin, this.#host.now())) throw new ParleyError("live_rejected", "the live share is already over");
    return this.#sendStop(convId, share);
  }

  #sendStop(convId: string, share: string): Promise<ChatMessage> {
    this.#shares.get(share)?.end();
    return this.#host.send(convId, { type: "location-event", event: { share, op: "stop" } });
  }

  /** Ends every live share of this device (no stop message) and stops receiving live signals. */
  close(): void {
    this.#unsubscribe?.();
    for (const handle of [...this.#shares.values()]) handle.end();
  }
}
