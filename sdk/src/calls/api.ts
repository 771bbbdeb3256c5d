/**
 * `client.calls`: voice and video calls in a conversation (1:1 and groups, a
 * full mesh of up to MAX_CALL_PARTICIPANTS devices). What the history shows is
 * folded from the conversation's `call` and `call-event` messages, alike on
 * every client ({@link CallRecord}); this device's own call, with its media
 * and its connections, is {@link ActiveCall}. The fold, the checks and the
 * WebRTC engine load on first use (a dynamic import); the engine needs a
 * browser (`RTCPeerConnection`, `navigator.mediaDevices`).
 */
import type { ChatMessage } from "../conversation-tracker.js";
import { type CallMedia, RING_MS } from "../protocol/calls/wire.js";
import type { IceServer } from "../protocol/rpc.js";
import type { StateStore } from "../state-store.js";

/** A device in a call, as the fold knows it. */
export interface CallParticipant {
  /** The principal. */
  principalId: string;
  /** The device that joined (signed its join). */
  device: string;
  /** Whether a reader can verify the join came from the shop's team (team vouch). */
  fromTeam: boolean;
  /** When it joined, shared-clock ms (the join's `at`; the call's `at` for the caller). */
  joinedAt: number;
  /** When it left, shared-clock ms; absent while in the call. */
  leftAt?: number;
  /** Set when another participant left for it (its connection dropped). */
  dropped?: boolean;
}

/** How a call ended, as the history shows it. */
export type CallOutcome =
  /** Someone besides the caller joined; `durationMs` is from the first such join to the last leave. */
  | "answered"
  /** No one joined within RING_MS (or the caller gave up first): missed for the others. */
  | "missed"
  /** Everyone it rang declined (in a 1:1 call: the other person). */
  | "declined"
  /** The other person was in another call (1:1). */
  | "busy";

/** One call of a conversation, folded from its messages (id: msgId of its `call` message). */
export interface CallRecord {
  /** The msgId of the `call` message. */
  id: string;
  /** Its seq. */
  seq: number;
  /** The conversation. */
  convId: string;
  /** Voice, or voice and video. */
  media: CallMedia;
  /** Who started it. */
  caller: string;
  /** The caller's device. */
  callerDevice: string;
  /** Whether the start verifiably came from the shop's team. */
  fromTeam: boolean;
  /** When it started, shared-clock ms. */
  startedAt: number;
  /** Every device that joined, caller first, in seq order (a device that joined twice: its latest stay). */
  participants: CallParticipant[];
  /** Principals that declined. */
  declined: string[];
  /** Principals that were busy. */
  busy: string[];
  /** `ringing` until someone joins or RING_MS passes; `active` while anyone is in it; then `ended`. */
  state: "ringing" | "active" | "ended";
  /** Set once ended. */
  outcome?: CallOutcome;
  /** When someone besides the caller first joined, shared-clock ms. */
  answeredAt?: number;
  /** When it ended, shared-clock ms (the last leave, or the ring's end). */
  endedAt?: number;
  /** From `answeredAt` to `endedAt`, ms (answered calls only). */
  durationMs?: number;
}

/** Why the fold ignored a call message, alike on every client. */
export type IgnoredCallReason =
  /** It breaks its schema. */
  | "invalid"
  /** An event for a call that is not on the board (not loaded, or no such call). */
  | "unknown_call"
  /** An event for a call that has ended (or a join beyond MAX_CALL_PARTICIPANTS). */
  | "not_now";

/** A call or call-event message the fold ignored. */
export interface IgnoredCall {
  /** Its seq. */
  seq: number;
  /** Who sent it. */
  sender: string;
  /** Why it was ignored. */
  reason: IgnoredCallReason;
}

/** The calls of one conversation. */
export interface CallsBoard {
  /** Every call by id, in seq order. */
  calls: ReadonlyMap<string, CallRecord>;
  /** The call and call-event messages the fold ignored, by msgId (absent on a board made before the fold loaded). */
  ignored?: ReadonlyMap<string, IgnoredCall>;
}

/** How a connection to one other device is doing (from `getStats`, every 2 s). */
export type CallQuality = "good" | "fair" | "poor" | "connecting" | "lost";

/** Another device in this device's call. */
export interface RemotePeer {
  /** Its principal. */
  principalId: string;
  /** Its device. */
  device: string;
  /** What it receives from it (audio and video tracks as they arrive). */
  stream: MediaStream | undefined;
  /** What it says it sends (its last `media` signal). */
  audio: boolean;
  /** Camera on. */
  video: boolean;
  /** Screen shared. */
  screen: boolean;
  /** The connection's state, from ICE and DTLS. */
  connection: "new" | "connecting" | "connected" | "failed" | "closed";
  /** Quality from round-trip time and loss. */
  quality: CallQuality;
  /** Round-trip time, ms, once measured. */
  rttMs?: number;
}

/** Why this device's call ended. */
export type CallEndReason =
  /** This device hung up. */
  | "hung_up"
  /** The others all left. */
  | "ended"
  /** No one answered within RING_MS. */
  | "no_answer"
  /** The other person declined (1:1). */
  | "declined"
  /** The other person was in another call (1:1). */
  | "busy"
  /** Another device of this principal took or declined the call. */
  | "answered_elsewhere"
  /** Signalling failed its checks (`refusal` says which); see the `call_refused` error code. */
  | "refused"
  /** Every connection failed and none came back. */
  | "failed"
  /** The camera or microphone could not be had. */
  | "media_denied";

/** Which check a refused call failed. */
export type CallRefusal =
  /** A session description that did not open or verify as a member's device's signed signal (or came in plaintext). */
  | "unsigned"
  /** Signed, but by a device that is not a participant of the call. */
  | "not_participant"
  /** The SDP's `a=fingerprint` lines differ from the signed fingerprint. */
  | "fingerprint_mismatch"
  /** The peer's DTLS certificate (from `getStats`) is not the one the signed SDP names. */
  | "certificate_mismatch";

/** This device's call: what it sends, who it is connected to, and the controls. */
export interface ActiveCall {
  /** The call (msgId of its `call` message). */
  id: string;
  /** The conversation. */
  convId: string;
  /** Voice, or voice and video. */
  media: CallMedia;
  /** Whether this device started it. */
  outgoing: boolean;
  /** `ringing` (outgoing, nobody joined yet), `connecting`, `connected` (media flows with at least one peer), `ended`. */
  phase: "ringing" | "connecting" | "connected" | "ended";
  /** This device's camera and microphone (and screen, while shared). */
  local: MediaStream | undefined;
  /** Microphone muted. */
  muted: boolean;
  /** Camera on. */
  camera: boolean;
  /** Screen shared (in place of the camera). */
  screen: boolean;
  /** The other devices in the call, by device id. */
  peers: ReadonlyMap<string, RemotePeer>;
  /** When media first flowed, local ms (for the duration shown). */
  connectedAt?: number;
  /** Set once ended. */
  endReason?: CallEndReason;
  /** Set when `endReason` is `refused`: which check failed, and who sent it. */
  refusal?: {
    /** The check that failed. */
    check: CallRefusal;
    /** The principal whose signalling failed it. */
    sender: string;
  };
}

/** A call ringing on this device: a `call` message of another principal, not yet joined, declined or missed. */
export interface IncomingCall {
  /** The call. */
  id: string;
  /** The conversation. */
  convId: string;
  /** Who calls. */
  caller: string;
  /** Whether the caller is verifiably the shop's team. */
  fromTeam: boolean;
  /** Voice, or voice and video. */
  media: CallMedia;
  /** When it stops ringing, shared-clock ms. */
  ringsUntil: number;
  /** Participants already in it (a group call running). */
  participants: string[];
}

/** Options for starting or joining a call. */
export interface CallJoinOptions {
  /** Start with the camera on (video calls only). @default true for video */
  camera?: boolean;
  /** Start muted. @default false */
  muted?: boolean;
  /** The microphone to use (`MediaDeviceInfo.deviceId`). */
  audioDevice?: string;
  /** The camera to use. */
  videoDevice?: string;
}

/** Calls of a client's conversations. */
export interface CallsApi {
  /**
   * Whether this client can start or take calls: end-to-end encryption on, live signals, and WebRTC
   * in this runtime (`RTCPeerConnection`, `navigator.mediaDevices`). Apps hide their call buttons
   * when it is false; `start` and `accept` then reject with `call_unavailable`.
   */
  readonly available: boolean;
  /** Every call of a conversation, folded from its loaded messages. Empty until the fold has loaded; then live. */
  board(convId: string): StateStore<CallsBoard>;
  /** The calls ringing on this device, across conversations, newest first. */
  readonly incoming: StateStore<readonly IncomingCall[]>;
  /** This device's call, or undefined. One at a time: an ended call stays here until the next starts or {@link dismiss}. */
  readonly current: StateStore<ActiveCall | undefined>;
  /**
   * Starts a call in a conversation: asks for the camera and microphone, posts the `call` message (which
   * rings the others) and waits for them. `call_unavailable` with encryption off, without WebRTC, or while
   * in another call; `media_denied` when the devices cannot be had.
   */
  start(convId: string, media: CallMedia, options?: CallJoinOptions): Promise<ActiveCall>;
  /** Takes a ringing call (or joins one running in the conversation): posts `join` and connects to everyone in it. */
  accept(callId: string, options?: CallJoinOptions): Promise<ActiveCall>;
  /** Declines a ringing call (a `decline` message; all this principal's devices stop ringing). */
  decline(callId: string): Promise<ChatMessage>;
  /** Leaves this device's call (a `leave` message; the call ends when the last leaves). */
  hangUp(): Promise<void>;
  /** Mutes or unmutes the microphone (the others see it). */
  setMuted(muted: boolean): void;
  /** Turns the camera on or off (the others see it). */
  setCamera(on: boolean): Promise<void>;
  /** Switches the microphone or camera to another device without renegotiating. */
  switchDevice(kind: "audioinput" | "videoinput", deviceId: string): Promise<void>;
  /** Shares the screen in place of the camera, or stops sharing (agents; `media_denied` when refused). */
  shareScreen(on: boolean): Promise<void>;
  /** Clears an ended call from {@link current}. */
  dismiss(): void;
  /** The ICE servers for a call, with TURN credentials minted for this principal (`call.ice`). */
  iceServers(): Promise<IceServer[]>;
}

/** Whether the record's call still rings at shared-clock time `now`. */
export function isRinging(call: CallRecord, now: number): boolean {
  return call.state === "ringing" && now < call.startedAt + RING_MS;
}
