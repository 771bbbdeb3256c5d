/**
 * The part of `client.calls` that loads on first use, through the one
 * dynamic import in `calls.ts`: the calls schemas (zod), the fold, the calls
 * ringing on this device (with the timer that ends their ringing), the
 * automatic `busy`, and the `decline` this runtime sends itself. This
 * device's own call goes to the WebRTC engine, loaded through one more
 * dynamic import on the first call started or accepted. Nothing reachable
 * from the SDK's entry imports this module statically, so a chat where
 * nobody calls never downloads any of it.
 */
import type { ActiveCall, CallJoinOptions, CallRecord, IncomingCall } from "../calls/api.js";
import { CallsBoardFolder } from "../calls/board-folder.js";
import type { CallEngineApi, CallEngineHost } from "../calls/engine-api.js";
import { ringsFor } from "../calls/fold.js";
import { callProblem } from "../calls/schemas.js";
import type { ChatMessage } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import { gapless } from "../gapless.js";
import type { CallEvent, CallMedia } from "../protocol/calls/wire.js";
import { RING_MS } from "../protocol/calls/wire.js";
import type { CallsHost } from "./calls.js";
import type { LiveChannel } from "./live-channel.js";

/** The longest a timer waits (setTimeout's limit), ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** The host the engine gets: what it needs of the client, read when used (the device id is set on connect). */
export function engineHost(host: CallsHost): CallEngineHost {
  const { core, live } = host;
  return {
    get self() {
      return core.requireSession().principal.id;
    },
    get deviceId() {
      return core.deviceId;
    },
    encrypted: core.o.encryption,
    get live(): LiveChannel {
      if (!live) throw new ParleyError("call_unavailable", "this client has no live signal channel");
      return live;
    },
    send: host.send,
    iceServers: host.iceServers,
    board: host.board,
    now: host.now,
    report: core.report,
    members: async (convId) => (await core.request("conv.get", { convId })).members.map((m) => m.principalId),
  };
}

/** The incoming call `call` makes, for the ringing list. */
function incomingOf(call: CallRecord): IncomingCall {
  const inCall = call.participants.filter((p) => p.leftAt === undefined).map((p) => p.principalId);
  return {
    id: call.id,
    convId: call.convId,
    caller: call.caller,
    fromTeam: call.fromTeam,
    media: call.media,
    ringsUntil: call.startedAt + RING_MS,
    participants: [...new Set(inCall)],
  };
}

/** `client.calls` once loaded: a folder per followed conversation, the ringing list, and the engine. */
export class CallsRuntime {
  readonly #host: CallsHost;
  readonly #folders = new Map<string, CallsBoardFolder>();
  readonly #unsubscribe: (() => void)[] = [];
  /** Calls that rang here (each answered `busy` at most once). */
  readonly #rang = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #engine: Promise<CallEngineApi> | undefined;
  #loaded: CallEngineApi | undefined;
  #closed = false;

  constructor(host: CallsHost) {
    this.#host = host;
    // Ringing is judged on the shared clock: measure it once, then judge again.
    void host.synced().then(() => this.#tick());
    // A clock measured anew may move rings past their end (or back): judge them again.
    this.#unsubscribe.push(host.onClock(() => this.#tick()));
  }

  /** Folds the conversation into its board store from now on (once per conversation); returns its folder. */
  follow(convId: string): CallsBoardFolder {
    let folder = this.#folders.get(convId);
    if (folder) return folder;
    const made = new CallsBoardFolder();
    folder = made;
    this.#folders.set(convId, made);
    const off = this.#host.core.tracker(convId).state.subscribe((s) => {
      if (this.#closed) return;
      this.#host.board(convId).set(made.update(gapless(s.messages, s.lastSeq), this.#host.now()));
      this.#refresh();
    });
    this.#unsubscribe.push(off);
    return made;
  }

  /** Reads every board again at the shared clock's now (a ring or a silence ran out). */
  #tick(): void {
    if (this.#closed) return;
    const now = this.#host.now();
    for (const [convId, folder] of this.#folders) this.#host.board(convId).set(folder.at(now));
    this.#refresh();
  }

  /** Sets the ringing list from the boards, answers `busy` for a call new to it while in another, and sets the timer. */
  #refresh(): void {
    const { core, incoming } = this.#host;
    const now = this.#host.now();
    const self = core.session?.principal.id;
    const ringing: IncomingCall[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const folder of this.#folders.values()) {
      const board = folder.at(now);
      next = Math.min(next, folder.nextChange);
      if (self === undefined) continue;
      for (const call of board.calls.values()) if (ringsFor(call, self, now)) ringing.push(incomingOf(call));
    }
    ringing.sort((a, b) => b.ringsUntil - a.ringsUntil || (a.id < b.id ? -1 : 1));
    for (const call of ringing) next = Math.min(next, call.ringsUntil);
    if (JSON.stringify(ringing) !== JSON.stringify(incoming.value)) incoming.set(ringing);
    for (const call of ringing) {
      if (this.#rang.has(call.id)) continue;
      this.#rang.add(call.id);
      if (this.#loaded?.busy()) this.#event(call.convId, { call: call.id, op: "busy", at: 0 }).catch(core.report);
    }
    this.#schedule(next - now);
  }

  #schedule(delay: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!Number.isFinite(delay) || this.#closed) return;
    // One ms past the instant: the board reads the change at it.
    this.#timer = setTimeout(() => this.#tick(), Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(delay) + 1)));
  }

  /** The conversation of a call on a followed board, or undefined. */
  #find(callId: string): { convId: string; call: CallRecord } | undefined {
    const now = this.#host.now();
    for (const [convId, folder] of this.#folders) {
      const call = folder.at(now).calls.get(callId);
      if (call) return { convId, call };
    }
    return undefined;
  }

  /** Sends a call event (its `at` the shared clock's now), checked against its schema. */
  #event(convId: string, event: CallEvent): Promise<ChatMessage> {
    const body = { ...event, at: Math.round(this.#host.now()) };
    const problem = callProblem(body, "event");
    if (problem !== undefined) throw new ParleyError("call_unavailable", `the call event is not valid: ${problem}`);
    return this.#host.send(convId, { type: "call-event", event: body });
  }

  /** The engine, made once (again after a failed load); its call is mirrored into `client.calls.current`. */
  engine(): Promise<CallEngineApi> {
    this.#engine ??= import("../calls/engine/index.js")
      .then((m) => {
        const engine: CallEngineApi = new m.CallEngine(engineHost(this.#host));
        this.#loaded = engine;
        this.#unsubscribe.push(engine.current.subscribe((call) => this.#host.current.set(call)));
        // A signal that failed to open while a call sets up with its sender refuses that call (`unsigned`).
        const off = this.#host.live?.onUnverified((convId, sender, reason) =>
          engine.unverified(convId, sender, reason),
        );
        if (off) this.#unsubscribe.push(off);
        if (this.#closed) engine.close();
        return engine;
      })
      .catch((error: unknown) => {
        this.#engine = undefined;
        throw error;
      });
    return this.#engine;
  }

  /** Starts a call (the engine posts the `call` message). */
  async start(convId: string, media: CallMedia, options?: CallJoinOptions): Promise<ActiveCall> {
    this.follow(convId);
    return (await this.engine()).start(convId, media, options);
  }

  /** Takes a call on a followed board; `call_unavailable` when no such call is loaded or it has ended. */
  async accept(callId: string, options?: CallJoinOptions): Promise<ActiveCall> {
    const found = this.#find(callId);
    if (!found) throw new ParleyError("call_unavailable", `no call ${callId} is loaded here`);
    if (found.call.state === "ended") throw new ParleyError("call_unavailable", "the call has ended");
    return (await this.engine()).accept(found.convId, callId, options);
  }

  /** Declines a call that rings for this principal (`call_unavailable` when it does not). */
  async decline(callId: string): Promise<ChatMessage> {
    const found = this.#find(callId);
    const self = this.#host.core.requireSession().principal.id;
    if (!found) throw new ParleyError("call_unavailable", `no call ${callId} is loaded here`);
    if (found.call.state === "ended") throw new ParleyError("call_unavailable", "the call has ended");
    if (found.call.caller === self) throw new ParleyError("call_unavailable", "the caller hangs up, not declines");
    return this.#event(found.convId, { call: callId, op: "decline", at: 0 });
  }

  /** Leaves this device's call, if the engine has one. */
  async hangUp(): Promise<void> {
    await this.#loaded?.hangUp();
  }

  /** Mutes or unmutes (nothing without a call). */
  setMuted(muted: boolean): void {
    this.#loaded?.setMuted(muted);
  }

  /** Camera on or off. */
  async setCamera(on: boolean): Promise<void> {
    await this.#current().setCamera(on);
  }

  /** Another microphone or camera. */
  async switchDevice(kind: "audioinput" | "videoinput", deviceId: string): Promise<void> {
    await this.#current().switchDevice(kind, deviceId);
  }

  /** Screen in place of the camera, or back. */
  async shareScreen(on: boolean): Promise<void> {
    await this.#current().shareScreen(on);
  }

  /** Clears an ended call. */
  dismiss(): void {
    this.#loaded?.dismiss();
  }

  /** The engine of this device's call; `call_unavailable` before any call. */
  #current(): CallEngineApi {
    if (!this.#loaded) throw new ParleyError("call_unavailable", "this device is in no call");
    return this.#loaded;
  }

  /** Stops following, stops the timer, and closes the engine (its call hangs up without posting). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#loaded?.close();
  }
}
