/**
 * The seam between the calls runtime (boards, incoming calls: what every
 * client folds from messages) and the WebRTC engine (this device's call: its
 * media, its peer connections, the signalling over live signals). The runtime
 * makes one engine per client, on the first call started or accepted, and
 * hands it what it needs through a {@link CallEngineHost}.
 */
import type { LiveChannel } from "../client/live-channel.js";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import type { CallMedia } from "../protocol/calls/wire.js";
import type { IceServer } from "../protocol/rpc.js";
import type { StateStore } from "../state-store.js";
import type { ActiveCall, CallJoinOptions, CallsBoard } from "./api.js";

/** What the engine uses of the client. */
export interface CallEngineHost {
  /** This principal's id. */
  self: string;
  /** This device's id (the `senderDevice` of what it seals). */
  deviceId: string;
  /** Whether end-to-end encryption is on (calls need it: signalling must be signed). */
  encrypted: boolean;
  /** Live signals: offers, answers and media states go out and come in here. */
  live: LiveChannel;
  /** Sends a message (a `call` or `call-event` body) through the outbox; resolves once stored. */
  send(convId: string, body: MessageBody): Promise<ChatMessage>;
  /** ICE servers with fresh TURN credentials (`call.ice`). */
  iceServers(): Promise<IceServer[]>;
  /** A conversation's calls, folded from its messages (the runtime follows it on first use). */
  board(convId: string): StateStore<CallsBoard>;
  /** Shared-clock time now, ms. */
  now(): number;
  /** Reports an error that has no caller to reject (the client's `error` event). */
  report(error: unknown): void;
  /**
   * The conversation's members (principal ids): a ringing call whose every other member declined or was
   * busy ends (`declined`, `busy`). Without it, or when it names no other member (a customer's
   * conversation with the shop's team), the first `decline` or `busy` ends a call nobody joined yet.
   */
  members?(convId: string): Promise<readonly string[]>;
  /**
   * Tests only: how long an outgoing call rings before it ends with `no_answer`, ms (so a test of a
   * missed call need not wait RING_MS). The runtime leaves it unset. @default RING_MS
   */
  ringMs?: number;
}

/** This device's call: what `client.calls` delegates to once a call is started or accepted. */
export interface CallEngineApi {
  /** This device's call, or undefined (an ended one stays until the next starts or `dismiss`). */
  readonly current: StateStore<ActiveCall | undefined>;
  /** Starts a call (gets media, posts the `call` message, rings). */
  start(convId: string, media: CallMedia, options?: CallJoinOptions): Promise<ActiveCall>;
  /** Joins a call of the conversation (posts `join`, offers to the devices already in it). */
  accept(convId: string, callId: string, options?: CallJoinOptions): Promise<ActiveCall>;
  /** Leaves the current call. */
  hangUp(): Promise<void>;
  /** Mutes or unmutes the microphone. */
  setMuted(muted: boolean): void;
  /** Camera on or off. */
  setCamera(on: boolean): Promise<void>;
  /** Another microphone or camera, without renegotiating. */
  switchDevice(kind: "audioinput" | "videoinput", deviceId: string): Promise<void>;
  /** Screen in place of the camera, or back. */
  shareScreen(on: boolean): Promise<void>;
  /** Clears an ended call from `current`. */
  dismiss(): void;
  /**
   * A live signal in `convId` claimed to be from `sender` failed to open or verify (`reason`: the
   * decrypt error's reason). Refuses the current call when it is in that conversation and still
   * setting up with that sender (`call_refused`, `unsigned`).
   */
  unverified(convId: string, sender: string, reason: string): void;
  /** Whether this device is in a call now (for answering `busy`). */
  busy(): boolean;
  /** Hangs up (without posting when the client is closing) and releases the media. */
  close(): void;
}
