/**
 * What a message says once its envelope is opened: the `MessageBody` union and
 * the one parser that checks a decoded body before the app sees it, by the
 * kind its `type` names (each kind's checks live in its module in
 * `body-kinds/`). Shared by the plaintext and end-to-end codecs; no crypto.
 */
import { bodyKinds } from "./body-kinds/registry.js";
import type { FileRef } from "./files.js";
import type { HistoryGrantBody } from "./history-grant.js";

/**
 * What a message says, after decoding. Cards and card events are checked here for their shape only;
 * their schemas (`@parley/sdk/cards`) check the rest when they are folded.
 */
export type MessageBody =
  | {
      /** A text message. */
      type: "text";
      /** What was written (untrusted text). */
      text: string;
    }
  | {
      /** A card: a structured message that a renderer for its `kind` shows. */
      type: "card";
      /** The card: its `kind` and the fields that kind defines. */
      card: {
        /** Which card this is. */
        kind: string;
        [key: string]: unknown;
      };
    }
  | {
      /** Something that happens to a card (see `protocol/cards/wire.ts`). */
      type: "card-event";
      /** The event: the card's id (its message's msgId), the operation and its fields. */
      event: {
        /** The card's id. */
        card: string;
        /** What happens. */
        op: string;
        [key: string]: unknown;
      };
    }
  /**
   * A place pinned once, or the start of a live share (`location.live`); see
   * `@parley/sdk/location` and live/wire.ts. Checked here for its shape only.
   */
  | {
      /** A location message. */
      type: "location";
      /** The place (coordinates, accuracy, time, label, and `live.until` for a live share). */
      location: {
        /** Latitude, degrees. */
        lat: number;
        /** Longitude, degrees. */
        lon: number;
        [key: string]: unknown;
      };
    }
  /** Something that happens to a live location share (today only `stop`). */
  | {
      /** A location event. */
      type: "location-event";
      /** The share (msgId of its location message) and the operation. */
      event: {
        /** The share. */
        share: string;
        /** What happens. */
        op: string;
        [key: string]: unknown;
      };
    }
  /** A listening session starts (see `@parley/sdk/listen`). Checked here for its shape only. */
  | {
      /** A listen message. */
      type: "listen";
      /** The queue and what plays first. */
      listen: {
        /** The tracks. */
        queue: unknown[];
        [key: string]: unknown;
      };
    }
  /** Something that happens in a listening session: join, leave, play, pause, seek, next, end. */
  | {
      /** A listen event. */
      type: "listen-event";
      /** The session (msgId of its listen message), the operation and its fields. */
      event: {
        /** The session. */
        session: string;
        /** What happens. */
        op: string;
        [key: string]: unknown;
      };
    }
  /** A voice or video call starts and rings (see `@parley/sdk/calls` and calls/wire.ts). Checked here for its shape only. */
  | {
      /** A call message. */
      type: "call";
      /** What the call sends and when it started. */
      call: {
        /** `audio` or `video`. */
        media: string;
        [key: string]: unknown;
      };
    }
  /** Someone joins, declines, is busy or leaves a call. */
  | {
      /** A call event. */
      type: "call-event";
      /** The call (msgId of its call message), the operation and its fields. */
      event: {
        /** The call. */
        call: string;
        /** What happens. */
        op: string;
        [key: string]: unknown;
      };
    }
  /**
   * The payload of a live signal (`client` sends it with `signal.live`, the
   * gateway relays and never stores it). A stored message of this kind is
   * shown as nothing and changes nothing.
   */
  | {
      /** A live payload. */
      type: "live";
      /** What it is (`kind: "location"`: a live location update) and its fields. */
      live: {
        /** The kind of update. */
        kind: string;
        [key: string]: unknown;
      };
    }
  /** An encrypted file: the blob id and everything needed to decrypt and check it (see `ParleyClient.sendFile`). */
  | {
      /** A file message. */
      type: "file";
      /** Where the encrypted file is and how to open and check it. */
      file: FileRef;
      /** Text shown with the file. */
      caption?: string;
    }
  | {
      /** A line from the system rather than a person. */
      type: "system";
      /** What it says. */
      text: string;
    }
  /** Keys of earlier epochs sealed to an invited member's devices (end-to-end encryption); see `history-grant.ts`. */
  | HistoryGrantBody;

/**
 * Checks a decoded body and copies it field by field: the parse of the body
 * kind its `type` names (see `body-kinds/`). Throws a `TypeError` for anything
 * that is not a body of a registered kind.
 */
export function parseMessageBody(value: unknown): MessageBody {
  const type = (value as { type?: unknown } | null | undefined)?.type;
  const kind = typeof type === "string" ? bodyKinds.get(type) : undefined;
  if (!kind) throw new TypeError("not a message body");
  return kind.parse(value) as MessageBody;
}
