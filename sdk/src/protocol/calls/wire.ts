/**
 * The wire format of voice and video calls (ADR 0031). What a call is made of
 * travels end-to-end encrypted in the conversation, two ways:
 *
 * - **Messages** (stored, ordered by seq, folded alike on every client) carry
 *   what the history shows and what a client that arrives late must know: a
 *   `call` message starts a call and rings the other members (the call's id is
 *   its msgId; its sender has joined), and `call-event` messages say who joined
 *   (accepted), declined, was busy, or left. The call ends when its last
 *   participant leaves; a call nobody joined within {@link RING_MS} is missed.
 * - **Live signals** (`live` bodies with `kind: "call"`, relayed by the
 *   gateway, never stored) carry the WebRTC session descriptions between two
 *   devices, and what each participant sends (muted, camera, screen).
 *
 * Every session description is sealed and signed by its sender's device like
 * a message, so the DTLS fingerprint in it is authenticated end to end: a
 * receiver takes an `offer` or `answer` only from a device of a current member
 * that joined the call, only when the SDP's `a=fingerprint` lines all equal the
 * signed {@link LiveCallDescription.fingerprint}, and it hangs up when the
 * certificate the peer shows in the DTLS handshake has another fingerprint.
 * ICE candidates travel inside the SDP (gathered before it is sent), so there is
 * no separate candidate signal to forge or to count against the relay's budget.
 *
 * Times named `at` are on the shared clock (`client.clock`), milliseconds since
 * the Unix epoch as the gateway counts them.
 */

/** Version of the call bodies. */
export const CALL_VERSION = 1;

/** What a call sends: voice only, or voice and video. */
export type CallMedia = "audio" | "video";

/** A call nobody joined this long after it started is missed: its caller stops ringing, ms. */
export const RING_MS = 45_000;
/** The most devices in one call (a full mesh: each pair has its own connection). */
export const MAX_CALL_PARTICIPANTS = 4;
/** A call still open this long after its last message is read as ended (its devices all vanished), ms. */
export const MAX_SILENT_CALL_MS = 4 * 60 * 60_000;
/** A participant whose connection failed and did not come back within this is left for them by the others, ms. */
export const DROP_AFTER_MS = 15_000;
/** The longest session description a signal carries, characters. */
export const MAX_SDP_CHARS = 12_000;
/** The longest DTLS fingerprint field, characters (`sha-256 ` and 32 hex pairs is 103). */
export const MAX_FINGERPRINT_CHARS = 200;

/** The body of a `call` message: a call starts and rings the conversation's other members. */
export interface CallStart {
  /** Voice, or voice and video (the caller's camera may still be off). */
  media: CallMedia;
  /** When the call started, shared-clock ms; it rings until `at` + {@link RING_MS}. */
  at: number;
}

/**
 * The body of a `call-event` message. The device is the message's signing
 * device; `device` on a `leave` names another participant's device that
 * dropped (connection lost for {@link DROP_AFTER_MS}), left for it by one
 * who stayed.
 */
export type CallEvent =
  | {
      /** The call (msgId of its `call` message). */
      call: string;
      /** The sender's device joins: it accepted the call (or joins one running). */
      op: "join";
      /** When, shared-clock ms. */
      at: number;
    }
  | {
      /** The call. */
      call: string;
      /** The sender does not take the call (all its devices stop ringing). */
      op: "decline";
      /** When, shared-clock ms. */
      at: number;
    }
  | {
      /** The call. */
      call: string;
      /** The sender's device was in another call when this one rang. */
      op: "busy";
      /** When, shared-clock ms. */
      at: number;
    }
  | {
      /** The call. */
      call: string;
      /** A device leaves (hangs up). When the last participant leaves, the call ends. */
      op: "leave";
      /** When, shared-clock ms. */
      at: number;
      /** Another participant's device that dropped, when the sender leaves it for them; absent for the sender's own. */
      device?: string;
    };

/** The operations of a {@link CallEvent}. */
export type CallEventOp = CallEvent["op"];

/** A WebRTC session description between two devices of a call, as a live signal. */
export interface LiveCallDescription {
  /** A call signal. */
  kind: "call";
  /** The call (msgId of its `call` message). */
  call: string;
  /** `offer` from the device that joined later to each device already in the call; `answer` back. */
  op: "offer" | "answer";
  /** The device it is for; every other device ignores it. */
  to: string;
  /** The session description (SDP), candidates included; at most {@link MAX_SDP_CHARS}. */
  sdp: string;
  /**
   * The DTLS certificate fingerprint the SDP names (`sha-256 AB:CD:…`, as in its
   * `a=fingerprint` line). Signed with the rest; a receiver refuses an SDP whose
   * fingerprint lines differ from it, and a connection whose peer shows another.
   */
  fingerprint: string;
}

/** What a participant sends now, as a live signal (after every change, and to each device that connects). */
export interface LiveCallMedia {
  /** A call signal. */
  kind: "call";
  /** The call. */
  call: string;
  /** The sender's media state. */
  op: "media";
  /** The microphone is on (not muted). */
  audio: boolean;
  /** The camera is on. */
  video: boolean;
  /** The screen is shared (in place of the camera). */
  screen: boolean;
}

/** The payload of a call's live signal. */
export type LiveCall = LiveCallDescription | LiveCallMedia;
