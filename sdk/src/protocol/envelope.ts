/**
 * The envelope is what travels and what the gateway stores. The gateway reads
 * only its header fields (ids, epoch, sizes); `nonce`, `ct` and `sig` are opaque
 * to it. `alg: "none"` carries plaintext (base64url) until the encryption layer
 * lands; the encryption layer fills the same fields with `alg: "xc20p-ed25519"`
 * without changing the wire shape.
 */
export const ENVELOPE_VERSION = 1;

/** The largest accepted `ct` field, in base64url characters (48 KiB of bytes). */
export const MAX_CIPHERTEXT_CHARS = 65_536;

export const EnvelopeAlgs = ["none", "xc20p-ed25519"] as const;
export type EnvelopeAlg = (typeof EnvelopeAlgs)[number];

/** The authenticated header: associated data of the AEAD and covered by the signature. */
export interface EnvelopeHeader {
  v: typeof ENVELOPE_VERSION;
  convId: string;
  epoch: number;
  msgId: string;
  senderDevice: string;
  /** Sender's clock, milliseconds since the epoch. Informational; seq orders. */
  ts: number;
}

export interface Envelope extends EnvelopeHeader {
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
  convId: string;
  id: string;
  /** Principal id of the author, set by the gateway. */
  author: string;
  /** The author's display name when served (not stored). */
  authorName?: string;
  /** Server time of acceptance, ms. */
  ts: number;
  envelope: Envelope;
}

/** A message as the gateway stores and delivers it. */
export interface StoredMessage {
  convId: string;
  /** Per-conversation sequence number, from 1, without gaps. */
  seq: number;
  msgId: string;
  /** Principal id of the sender, set by the gateway from the subject (never from the body). */
  sender: string;
  /** Server time of acceptance, milliseconds since the epoch. */
  ts: number;
  envelope: Envelope;
}
