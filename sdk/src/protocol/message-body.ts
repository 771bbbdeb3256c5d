/**
 * What a message says once its envelope is opened: the body kinds and the one
 * parser that checks a decoded body before the app sees it. Shared by the
 * plaintext and end-to-end codecs; a leaf of the protocol (no crypto).
 */
import { type FileRef, fileRefProblem } from "./files.js";
import { type HistoryGrantBody, isHistoryGrantBody } from "./history-grant.js";

/** What a message says, after decoding. Cards are opaque objects until the card schemas land. */
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

/** Checks a decoded body and copies it field by field; throws a `TypeError` for anything that is not one. */
export function parseMessageBody(value: unknown): MessageBody {
  const v = value as { type?: unknown; text?: unknown; card?: unknown; file?: unknown; caption?: unknown } | null;
  if (v && (v.type === "text" || v.type === "system") && typeof v.text === "string") {
    return { type: v.type, text: v.text };
  }
  if (
    v &&
    v.type === "card" &&
    v.card &&
    typeof v.card === "object" &&
    typeof (v.card as { kind?: unknown }).kind === "string"
  ) {
    return { type: "card", card: v.card as { kind: string } };
  }
  if (v && v.type === "file") return parseFileBody(v);
  if (isHistoryGrantBody(v)) {
    return {
      type: "history-grant",
      grantee: v.grantee,
      epochs: [...v.epochs],
      sealed: v.sealed.map((s) => ({ ...s })),
    };
  }
  throw new TypeError("not a message body");
}

/** Longest caption on a file message. */
const MAX_CAPTION_CHARS = 4000;

function parseFileBody(v: { file?: unknown; caption?: unknown }): MessageBody {
  const problem = fileRefProblem(v.file);
  if (problem) throw new TypeError(`not a file reference: ${problem}`);
  const f = v.file as FileRef;
  // Copy field by field so nothing unexpected rides along into the app.
  const file: FileRef = {
    id: f.id,
    name: f.name,
    mime: f.mime,
    size: f.size,
    sha256: f.sha256,
    key: f.key,
    header: f.header,
    chunkSize: f.chunkSize,
    ...(f.image ? { image: { width: f.image.width, height: f.image.height } } : {}),
  };
  if (v.caption === undefined) return { type: "file", file };
  if (typeof v.caption !== "string" || v.caption.length > MAX_CAPTION_CHARS) throw new TypeError("bad caption");
  return { type: "file", file, caption: v.caption };
}
