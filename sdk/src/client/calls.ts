/**
 * `client.calls`: a board per conversation (its calls folded from its
 * confirmed messages), the calls ringing on this device, and this device's
 * own call. Only this thin part loads with the chat: the schemas, the fold
 * and the incoming calls (`calls-runtime.ts`) come in through one dynamic
 * import, once a call message is seen in any conversation or the app asks;
 * the WebRTC engine through another, from the runtime, on the first call
 * started or accepted.
 */
import type { ActiveCall, CallJoinOptions, CallsApi, CallsBoard, IncomingCall } from "../calls/api.js";
import type { SharedClockApi } from "../clock-api.js";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import type { CallMedia } from "../protocol/calls/wire.js";
import type { IceServer } from "../protocol/rpc.js";
import { StateStore } from "../state-store.js";
import type { CallsRuntime } from "./calls-runtime.js";
import type { ClientCore } from "./core.js";
import { LazyBoards } from "./lazy-boards.js";
import type { LiveChannel } from "./live-channel.js";

/** What the calls module uses of the client. */
export interface CallsHost {
  core: ClientCore;
  send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
  /** The conversation's board store (made empty on first use, and followed). */
  board: (convId: string) => StateStore<CallsBoard>;
  /** The calls ringing on this device (the runtime sets it). */
  incoming: StateStore<readonly IncomingCall[]>;
  /** This device's call (the runtime mirrors the engine's into it). */
  current: StateStore<ActiveCall | undefined>;
  /** Live signals, for the engine; without them no call can start. */
  live: LiveChannel | undefined;
  /** Shared-clock time now, ms. */
  now: () => number;
  /** Measures the shared clock once if it never was (failures leave this device's clock in use). */
  synced: () => Promise<void>;
  /** Calls `listener` whenever the shared clock is measured anew; returns the unsubscribe. */
  onClock: (listener: () => void) => () => void;
  /** ICE servers with TURN credentials (`call.ice`). */
  iceServers: () => Promise<IceServer[]>;
}

/** The board of a conversation whose calls have not been folded yet. */
const EMPTY_BOARD: CallsBoard = { calls: new Map() };

/** Whether a message is a call's (a `call` or `call-event` body). */
function isCallMessage(message: ChatMessage): boolean {
  const type = message.body?.type;
  return type === "call" || type === "call-event";
}

/** `client.calls` (see {@link CallsApi}): the stores, and the runtime loaded on first use. */
export class ClientCalls implements CallsApi {
  readonly incoming = new StateStore<readonly IncomingCall[]>([]);
  readonly current = new StateStore<ActiveCall | undefined>(undefined);
  readonly #host: CallsHost;
  readonly #lazy: LazyBoards<CallsRuntime, CallsBoard>;
  readonly #watch: (convId: string, messages: readonly ChatMessage[]) => void;
  #closed = false;

  /** `live` carries the engine's signalling; `clock` is the shared clock (`client.clock`; this device's own without it). */
  constructor(
    core: ClientCore,
    send: (convId: string, body: MessageBody) => Promise<ChatMessage>,
    links: { live?: LiveChannel; clock?: Pick<SharedClockApi, "now" | "sync" | "estimate"> } = {},
  ) {
    const { clock } = links;
    this.#host = {
      core,
      send,
      board: (convId) => this.board(convId),
      incoming: this.incoming,
      current: this.current,
      live: links.live,
      now: clock ? () => clock.now() : Date.now,
      synced: async () => {
        if (clock && clock.estimate.value === undefined) await clock.sync().catch(() => undefined);
      },
      onClock: (listener) => {
        let first = true;
        // The store calls back at once with what it holds: only the changes after that count.
        return (
          clock?.estimate.subscribe(() => {
            if (!first) listener();
            first = false;
          }) ?? (() => {})
        );
      },
      iceServers: async () => (await core.request("call.ice", {})).iceServers,
    };
    this.#lazy = new LazyBoards(
      () =>
        import("./calls-runtime.js").then((m) => {
          const runtime = new m.CallsRuntime(this.#host);
          if (this.#closed) runtime.close();
          return runtime;
        }),
      EMPTY_BOARD,
      (error) => core.report(error),
    );
    // A call message in any conversation: follow that conversation, so its calls can ring here.
    this.#watch = (convId, messages) => {
      if (!this.#closed && messages.some(isCallMessage)) this.board(convId);
    };
    core.ingested.add(this.#watch);
  }

  get available(): boolean {
    return (
      this.#host.core.o.encryption &&
      this.#host.live !== undefined &&
      typeof RTCPeerConnection === "function" &&
      typeof navigator !== "undefined" &&
      !!navigator.mediaDevices?.getUserMedia
    );
  }

  board(convId: string): StateStore<CallsBoard> {
    return this.#lazy.board(convId);
  }

  async start(convId: string, media: CallMedia, options?: CallJoinOptions): Promise<ActiveCall> {
    return (await this.#lazy.runtime()).start(convId, media, options);
  }

  async accept(callId: string, options?: CallJoinOptions): Promise<ActiveCall> {
    return (await this.#lazy.runtime()).accept(callId, options);
  }

  async decline(callId: string): Promise<ChatMessage> {
    return (await this.#lazy.runtime()).decline(callId);
  }

  async hangUp(): Promise<void> {
    await (await this.#lazy.loaded())?.hangUp();
  }

  setMuted(muted: boolean): void {
    void this.#lazy
      .loaded()
      ?.then((runtime) => runtime.setMuted(muted))
      .catch((error: unknown) => this.#host.core.report(error));
  }

  async setCamera(on: boolean): Promise<void> {
    return (await this.#lazy.runtime()).setCamera(on);
  }

  async switchDevice(kind: "audioinput" | "videoinput", deviceId: string): Promise<void> {
    return (await this.#lazy.runtime()).switchDevice(kind, deviceId);
  }

  async shareScreen(on: boolean): Promise<void> {
    return (await this.#lazy.runtime()).shareScreen(on);
  }

  dismiss(): void {
    void this.#lazy
      .loaded()
      ?.then((runtime) => runtime.dismiss())
      .catch((error: unknown) => this.#host.core.report(error));
  }

  iceServers(): Promise<IceServer[]> {
    return this.#host.iceServers();
  }

  /** Stops watching messages and the ring timer, and hangs up this device's call (without posting) and releases its media. */
  close(): void {
    this.#closed = true;
    this.#host.core.ingested.delete(this.#watch);
    void this.#lazy
      .loaded()
      ?.then((runtime) => runtime.close())
      .catch(() => undefined);
  }
}
