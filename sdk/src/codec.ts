/**
 * Turning message bodies into envelopes and back. The client talks to a
 * {@link EnvelopeCodec}; the plaintext codec here (`alg: "none"`) is what the
 * backbone ships, and the end-to-end codec replaces it without changing the
 * envelope's wire shape.
 */
import { fromBase64Url, toBase64Url } from "./base64url.js";
import type { Envelope, EnvelopeHeader } from "./protocol/index.js";

/** What a message says, after decoding. Cards are opaque objects until the card schemas land. */
export type MessageBody =
  | { type: "text"; text: string }
  | { type: "card"; card: { kind: string; [key: string]: unknown } }
  | { type: "system"; text: string };

export interface EnvelopeCodec {
  seal(header: EnvelopeHeader, body: MessageBody): Promise<Envelope>;
  /** Resolves the body, or rejects when the envelope cannot be read (the caller reports it). */
  open(envelope: Envelope): Promise<MessageBody>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function parseMessageBody(value: unknown): MessageBody {
  const v = value as { type?: unknown; text?: unknown; card?: unknown } | null;
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
  throw new TypeError("not a message body");
}

/** Plaintext envelopes (`alg: "none"`): base64url JSON, no confidentiality. Replaced by the E2E codec. */
export const plainCodec: EnvelopeCodec = {
  async seal(header, body) {
    return { ...header, alg: "none", nonce: "", ct: toBase64Url(encoder.encode(JSON.stringify(body))), sig: "" };
  },
  async open(envelope) {
    if (envelope.alg !== "none") throw new TypeError(`cannot open ${envelope.alg} envelopes`);
    return parseMessageBody(JSON.parse(decoder.decode(fromBase64Url(envelope.ct))));
  },
};
