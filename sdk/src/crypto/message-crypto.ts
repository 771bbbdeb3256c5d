/**
 * Sealing and opening message envelopes (`alg: "xc20p-ed25519"`).
 *
 * - AAD: the canonical header encoding ({@link encodeHeaderAad}).
 * - Plaintext: the body's JSON, framed with a 4-byte length and zero-padded
 *   ({@link paddedLength}), so the ciphertext shows only a size bucket. On a
 *   team device it also carries a team vouch (`vouch` key, team-vouch.ts).
 * - XChaCha20-Poly1305-IETF under the epoch key with a random 24-byte nonce.
 * - Ed25519 detached signature of the sender's device over a labelled encoding
 *   of AAD, nonce and ciphertext: members share the epoch key, so the AEAD alone
 *   would let any member forge another's message; the signature does not.
 *
 * Opening checks in this order and stops at the first failure: header and
 * field lengths (before libsodium), signature, AEAD, padding, JSON and schema.
 * Every failure is a {@link DecryptError}; no partial plaintext is returned or
 * attached to the error.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { type MessageBody, parseMessageBody } from "../codec.js";
import { DecryptError, SealError } from "../errors.js";
import { type Envelope, type EnvelopeHeader, MAX_CIPHERTEXT_CHARS } from "../protocol/envelope.js";
import { publicRandomBytes } from "../protocol/random-pool.js";
import { CanonicalWriter, encodeHeaderAad, headerProblem, Labels, messageSignatureInput } from "./canonical.js";
import { loadSodium } from "./sodium.js";
import type { VouchKit } from "./team-vouch-rules.js";

/** The team vouch's signing and checking, loaded on demand: only team devices sign, readers check on the first vouch. */
export const vouchRules = () => import("./team-vouch-rules.js");

/** What the vouch rules use from the rest of the SDK (passed in: see team-vouch-rules.ts). */
export async function vouchKit(): Promise<VouchKit> {
  return {
    sodium: await loadSodium(),
    writer: () => new CanonicalWriter(),
    label: Labels.teamVouch,
    fromBase64Url,
    toBase64Url,
  };
}

/**
 * Bytes the plaintext keeps free for a team vouch (`,"vouch":{"v":N,"sig":"…86…"}` is at most 126):
 * `MAX_BODY_BYTES` is the same on every device, team or not.
 */
export const TEAM_VOUCH_RESERVE_BYTES = 128;

/** A team key's version and its Ed25519 secret key (`TeamKeyHolder.signer()`): what signs a team vouch. */
export interface TeamSigner {
  /** The team key version. */
  version: number;
  /** The 64-byte Ed25519 secret key. */
  signSk: Uint8Array;
}

/**
 * Splits a decoded plaintext into the body's fields and the team vouch it carries
 * (`undefined` when it has no `vouch` key). Never throws; the body is parsed after.
 */
export function splitVouch(value: unknown): {
  /** The value without its `vouch` key (the value itself when it has none). */
  fields: unknown;
  /** The `vouch` key's value, unchecked; `undefined` when there is none. */
  vouch: unknown;
} {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, "vouch")) {
    return { fields: value, vouch: undefined };
  }
  const { vouch, ...fields } = value as { vouch: unknown };
  return { fields, vouch };
}

/** The envelope `alg` of end-to-end messages. */
export const E2E_ALG = "xc20p-ed25519";
/** Bytes of an epoch key. */
export const EPOCH_KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const SIGNATURE_BYTES = 64;
export const SIGN_PUBLIC_KEY_BYTES = 32;
export const SIGN_SECRET_KEY_BYTES = 64;
/** Every padded plaintext is at least this long: all short messages look alike. */
export const MIN_PADDED_BYTES = 256;
const LENGTH_PREFIX_BYTES = 4;

/** The largest ciphertext the wire accepts, in bytes (`MAX_CIPHERTEXT_CHARS` of base64url). */
export const MAX_CIPHERTEXT_BYTES = Math.floor((MAX_CIPHERTEXT_CHARS * 3) / 4);

/**
 * Padmé (Nikitin et al., PETS 2019) with a floor of `MIN_PADDED_BYTES`:
 * rounds a length L up so that only its top ~log2(log2(L)) + 1 bits remain,
 * which leaks O(log log L) bits of the size and costs at most 12% (power-of-two
 * buckets would cost up to 100% and cap bodies at 32 KiB under the wire limit).
 */
export function paddedLength(framedLength: number): number {
  if (!Number.isSafeInteger(framedLength) || framedLength < 0 || framedLength > 0x7fff_ffff) {
    throw new RangeError(`cannot pad ${framedLength} bytes`);
  }
  const n = Math.max(framedLength, MIN_PADDED_BYTES);
  const e = 31 - Math.clz32(n); // floor(log2 n), n >= 256 so e >= 8
  const s = 32 - Math.clz32(e); // floor(log2 e) + 1
  const mask = 2 ** (e - s) - 1;
  return Math.ceil(n / (mask + 1)) * (mask + 1);
}

/** The largest padded plaintext whose ciphertext fits the wire limit. */
export const MAX_PADDED_BYTES = largestPaddedLength(MAX_CIPHERTEXT_BYTES - TAG_BYTES);
/**
 * The largest body JSON, in UTF-8 bytes, that {@link sealMessage} accepts: the
 * same on every device, as it leaves room for a team vouch (`TEAM_VOUCH_RESERVE_BYTES`).
 */
export const MAX_BODY_BYTES = MAX_PADDED_BYTES - LENGTH_PREFIX_BYTES - TEAM_VOUCH_RESERVE_BYTES;

function largestPaddedLength(limit: number): number {
  let n = limit;
  while (paddedLength(n) !== n) n--;
  return n;
}

/** Frames and pads `plaintext`; the result's length is `paddedLength(plaintext.length + 4)`. */
export function padPlaintext(plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedLength(plaintext.length + LENGTH_PREFIX_BYTES));
  new DataView(out.buffer).setUint32(0, plaintext.length);
  out.set(plaintext, LENGTH_PREFIX_BYTES);
  return out;
}

/**
 * Removes the framing. Exactly one padded form exists per plaintext: the total
 * length must be the one {@link paddedLength} gives, and every padding byte
 * must be zero. Throws `RangeError` otherwise.
 */
export function unpadPlaintext(padded: Uint8Array): Uint8Array {
  if (padded.length < MIN_PADDED_BYTES) throw new RangeError("padded plaintext too short");
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (length > padded.length - LENGTH_PREFIX_BYTES) throw new RangeError("length prefix out of range");
  if (paddedLength(length + LENGTH_PREFIX_BYTES) !== padded.length) throw new RangeError("wrong padded length");
  let nonZero = 0;
  for (let i = LENGTH_PREFIX_BYTES + length; i < padded.length; i++) nonZero |= padded[i] ?? 0;
  if (nonZero !== 0) throw new RangeError("non-zero padding");
  return padded.slice(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + length);
}

export {
  DecryptError,
  type DecryptFailure,
  DecryptFailures,
  SealError,
  type SealFailure,
  SealFailures,
} from "../errors.js";

/** What {@link sealMessage} needs. */
export interface SealMessageInput {
  /** The envelope header: bound to the ciphertext and signed. */
  header: EnvelopeHeader;
  /** The message body. */
  body: MessageBody;
  /** The conversation's key for `header.epoch` (32 bytes). */
  epochKey: Uint8Array;
  /** The sending device's Ed25519 secret key (64 bytes). */
  signer: Uint8Array;
  /** Team devices holding the team key: the plaintext then carries a team vouch (team-vouch.ts). */
  teamSigner?: TeamSigner;
}

const encoder = new TextEncoder();

/** Seals and signs a message body into an `xc20p-ed25519` envelope. */
export async function sealMessage(input: SealMessageInput): Promise<Envelope> {
  const { header, body, epochKey, signer, teamSigner } = input;
  const problem = headerProblem(header);
  if (problem) throw new SealError("bad_header", problem);
  if (!(epochKey instanceof Uint8Array) || epochKey.length !== EPOCH_KEY_BYTES) {
    throw new SealError("bad_key", `epoch key must be ${EPOCH_KEY_BYTES} bytes`);
  }
  if (!(signer instanceof Uint8Array) || signer.length !== SIGN_SECRET_KEY_BYTES) {
    throw new SealError("bad_key", `signing key must be ${SIGN_SECRET_KEY_BYTES} bytes`);
  }
  let parsed: MessageBody;
  let json: string;
  try {
    // Sealed as parsed: exactly the fields a reader parses, which are what a team vouch signs.
    parsed = parseMessageBody(splitVouch(body).fields);
    json = JSON.stringify(parsed);
  } catch {
    throw new SealError("bad_body", "not a message body");
  }
  const bodyBytes = encoder.encode(json).length;
  if (bodyBytes > MAX_BODY_BYTES) {
    throw new SealError("too_large", `body is ${bodyBytes} bytes; the limit is ${MAX_BODY_BYTES}`);
  }
  if (teamSigner) {
    const [{ signVouch }, kit] = await Promise.all([vouchRules(), vouchKit()]);
    const vouch = signVouch(kit, { convId: header.convId, msgId: header.msgId, body: parsed }, teamSigner);
    json = JSON.stringify({ ...parsed, vouch });
  }
  const plaintext = encoder.encode(json);
  const fields: EnvelopeHeader = {
    v: header.v,
    convId: header.convId,
    epoch: header.epoch,
    msgId: header.msgId,
    senderDevice: header.senderDevice,
    ts: header.ts,
  };
  const sodium = await loadSodium();
  const aad = encodeHeaderAad(fields, E2E_ALG);
  // A nonce is sent in the clear: from the pool of public random bytes, each byte handed out once.
  const nonce = publicRandomBytes(NONCE_BYTES);
  const padded = padPlaintext(plaintext);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, aad, null, nonce, epochKey);
  sodium.memzero(padded);
  sodium.memzero(plaintext);
  const sig = sodium.crypto_sign_detached(messageSignatureInput(aad, nonce, ciphertext), signer);
  return { ...fields, alg: E2E_ALG, nonce: toBase64Url(nonce), ct: toBase64Url(ciphertext), sig: toBase64Url(sig) };
}

/** What {@link openMessage} needs. */
export interface OpenMessageInput {
  /** The envelope as received. */
  envelope: Envelope;
  /** The conversation's key for `envelope.epoch` (32 bytes). */
  epochKey: Uint8Array;
  /** The Ed25519 public key of `envelope.senderDevice` (32 bytes). */
  senderSigPk: Uint8Array;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Verifies and opens an envelope; rejects with {@link DecryptError} and no plaintext on any failure. */
export async function openMessage(input: OpenMessageInput): Promise<MessageBody> {
  return (await openVouchedMessage(input)).body;
}

/** An opened message: the body (never with a `vouch` key) and the team vouch the plaintext carried, unchecked. */
export interface OpenedEnvelope {
  /** The body, parsed. */
  body: MessageBody;
  /** The plaintext's `vouch` value when it had one (check it with `verifyTeamVouch`), else undefined. */
  vouch: unknown;
}

/** As {@link openMessage}, and hands back the team vouch the plaintext carried (not yet checked). */
export async function openVouchedMessage({
  envelope,
  epochKey,
  senderSigPk,
}: OpenMessageInput): Promise<OpenedEnvelope> {
  if (envelope === null || typeof envelope !== "object" || envelope.alg !== E2E_ALG || headerProblem(envelope)) {
    throw new DecryptError("bad_header");
  }
  if (!(epochKey instanceof Uint8Array) || epochKey.length !== EPOCH_KEY_BYTES) throw new DecryptError("unknown_epoch");
  if (!(senderSigPk instanceof Uint8Array) || senderSigPk.length !== SIGN_PUBLIC_KEY_BYTES) {
    throw new DecryptError("unknown_device");
  }
  const sig = decodeField(envelope.sig, SIGNATURE_BYTES, SIGNATURE_BYTES);
  if (!sig) throw new DecryptError("bad_signature");
  const nonce = decodeField(envelope.nonce, NONCE_BYTES, NONCE_BYTES);
  const ciphertext = decodeField(envelope.ct, MIN_PADDED_BYTES + TAG_BYTES, MAX_PADDED_BYTES + TAG_BYTES);
  if (!nonce || !ciphertext || paddedLength(ciphertext.length - TAG_BYTES) !== ciphertext.length - TAG_BYTES) {
    throw new DecryptError("bad_ciphertext");
  }

  const sodium = await loadSodium();
  const aad = encodeHeaderAad(envelope, E2E_ALG);
  let verified = false;
  try {
    verified = sodium.crypto_sign_verify_detached(sig, messageSignatureInput(aad, nonce, ciphertext), senderSigPk);
  } catch (cause) {
    throw new DecryptError("bad_signature", { cause });
  }
  if (!verified) throw new DecryptError("bad_signature");

  let padded: Uint8Array;
  try {
    padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, aad, nonce, epochKey);
  } catch (cause) {
    throw new DecryptError("bad_ciphertext", { cause });
  }
  let plaintext: Uint8Array | undefined;
  try {
    try {
      plaintext = unpadPlaintext(padded);
    } catch {
      throw new DecryptError("bad_padding");
    }
    // No cause past this point: JSON.parse's message quotes the input.
    try {
      const { fields, vouch } = splitVouch(JSON.parse(decoder.decode(plaintext)));
      return { body: parseMessageBody(fields), vouch };
    } catch {
      throw new DecryptError("bad_body");
    }
  } finally {
    sodium.memzero(padded);
    if (plaintext) sodium.memzero(plaintext);
  }
}

/**
 * Strict base64url: the text must be the canonical encoding of its bytes (no
 * padding, no stray bits, no whitespace), so one value has one spelling.
 * Lengths are checked on the text first, so oversized input is never decoded.
 */
function decodeField(text: unknown, minBytes: number, maxBytes: number): Uint8Array | undefined {
  if (typeof text !== "string") return undefined;
  if (text.length < Math.ceil((minBytes * 4) / 3) || text.length > Math.ceil((maxBytes * 4) / 3)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    return undefined;
  }
  if (bytes.length < minBytes || bytes.length > maxBytes || toBase64Url(bytes) !== text) return undefined;
  return bytes;
}
