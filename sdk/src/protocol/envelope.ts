/**
 * The envelope is what travels and what the gateway stores. The gateway reads
 * only its header fields (ids, epoch, sizes); `nonce`, `ct` and `sig` are opaque
 * to it. End-to-end encryption (the default) fills them with
 * `alg: "xc20p-ed25519"`; a client with encryption off sends `alg: "none"`, its
 * body in plaintext (base64url), in the same shape.
 */

/** The envelope format version, `v` in every envelope. */
export const ENVELOPE_VERSION = 1;

/** The largest accepted `ct` field, in base64url characters (48 KiB of bytes). */
export const MAX_CIPHERTEXT_CHARS = 65_536;

/** How an envelope's body is sealed: `none` (plaintext) or `xc20p-ed25519` (XChaCha20-Poly1305 and an Ed25519 signature). */
export const EnvelopeAlgs = ["none", "xc20p-ed25519"] as const;
/** One of {@link EnvelopeAlgs}. */
export type EnvelopeAlg = (typeof EnvelopeAlgs)[number];

/** The authenticated header: associated data of the AEAD and covered by the signature. */
export interface EnvelopeHeader {
  /** Envelope version ({@link ENVELOPE_VERSION}). */
  v: typeof ENVELOPE_VERSION;
  /** The conversation; must equal the request's `convId`. */
  convId: string;
  /** The key epoch the body is sealed under (0 before the first commit; for a note, the team key version). */
  epoch: number;
  /** Chosen by the sender once per message: the idempotency key. */
  msgId: string;
  /** The sending device, whose signature `sig` is. */
  senderDevice: string;
  /** Sender's clock, milliseconds since the epoch. Informational; seq orders. */
  ts: number;
}

export interface Envelope extends EnvelopeHeader {
  /** How `nonce`, `ct` and `sig` are to be read. */
  alg: EnvelopeAlg;
  /** base64url nonce ("" for `none`). */
  nonce: string;
  /** base64url ciphertext (the plaintext itself for `none`). */
  ct: string;
  /** base64url Ed25519 signature over header, nonce and ciphertext ("" for `none`). */
  sig: string;
}

/**
 * An internal note of the shop's team on a conversation, as stored: an
 * envelope sealed with a key derived from the team key (customers and the
 * gateway cannot read it), addressed by `envelope.msgId`.
 */
export interface StoredNote {
  /** The conversation the note is about. */
  convId: string;
  /** The note id: its envelope's `msgId`. */
  id: string;
  /** Principal id of the author, set by the gateway. */
  author: string;
  /** The author's display name when served (not stored). */
  authorName?: string;
  /** Server time of acceptance, ms. */
  ts: number;
  /** The sealed note, as the author sent it. */
  envelope: Envelope;
}

/** A message as the gateway stores and delivers it. */
export interface StoredMessage {
  /** The conversation. */
  convId: string;
  /** Per-conversation sequence number, from 1, without gaps. */
  seq: number;
  /** The sender's message id (the envelope's `msgId`). */
  msgId: string;
  /** Principal id of the sender, set by the gateway from the subject (never from the body). */
  sender: string;
  /** Server time of acceptance, milliseconds since the epoch. */
  ts: number;
  /** The envelope as the sender sent it. */
  envelope: Envelope;
}
