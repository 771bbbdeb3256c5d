/**
 * Turning message bodies into envelopes and back. The client talks to a
 * {@link EnvelopeCodec}: the end-to-end codec by default (`createE2ECodec` in
 * `@parley/sdk/crypto`), or the plaintext codec here (`alg: "none"`) for a
 * client with encryption off; both fill the same envelope shape.
 */
import { fromBase64Url, toBase64Url } from "./base64url.js";
import { type FileRef, fileRefProblem } from "./protocol/files.js";
import { type HistoryGrantBody, isHistoryGrantBody } from "./protocol/history-grant.js";
import type { Envelope, EnvelopeHeader } from "./protocol/index.js";

export type { FileRef } from "./protocol/files.js";

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

/** Turns a message body into an envelope and back. */
export interface EnvelopeCodec {
  /** Seals `body` under `header` into an envelope. */
  seal(header: EnvelopeHeader, body: MessageBody): Promise<Envelope>;
  /** Resolves the body, or rejects when the envelope cannot be read (the caller reports it). */
  open(envelope: Envelope): Promise<MessageBody>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Checks a decoded JSON value and returns it as a {@link MessageBody}; throws a `TypeError` for anything else. */
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

/** Plaintext envelopes (`alg: "none"`): base64url JSON, no confidentiality; for clients with encryption off. */
export const plainCodec: EnvelopeCodec = {
  async seal(header, body) {
    return { ...header, alg: "none", nonce: "", ct: toBase64Url(encoder.encode(JSON.stringify(body))), sig: "" };
  },
  async open(envelope) {
    if (envelope.alg !== "none") throw new TypeError(`cannot open ${envelope.alg} envelopes`);
    return parseMessageBody(JSON.parse(decoder.decode(fromBase64Url(envelope.ct))));
  },
};

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
