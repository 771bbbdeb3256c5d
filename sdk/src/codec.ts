/**
 * Turning message bodies into envelopes and back. The client talks to a
 * {@link EnvelopeCodec}: the end-to-end codec by default (`createE2ECodec` in
 * `@parley/sdk/crypto`), or the plaintext codec here (`alg: "none"`) for a
 * client with encryption off; both fill the same envelope shape.
 */
import { fromBase64Url, toBase64Url } from "./base64url.js";
import type { Envelope, EnvelopeHeader } from "./protocol/index.js";
import { type MessageBody, parseMessageBody } from "./protocol/message-body.js";

export type { FileRef } from "./protocol/files.js";
/** Moved to `protocol/message-body.ts`; re-exported here so existing imports keep working. */
export type { MessageBody } from "./protocol/message-body.js";
export { parseMessageBody } from "./protocol/message-body.js";

/** Turns a message body into an envelope and back. */
export interface EnvelopeCodec {
  /** Seals `body` under `header` into an envelope. */
  seal(header: EnvelopeHeader, body: MessageBody): Promise<Envelope>;
  /** Resolves the body, or rejects when the envelope cannot be read (the caller reports it). */
  open(envelope: Envelope): Promise<MessageBody>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

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
