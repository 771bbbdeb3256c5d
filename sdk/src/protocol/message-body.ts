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
