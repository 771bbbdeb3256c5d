/**
 * Canonical byte encodings for everything that is signed or authenticated.
 * Every variable-length field carries a 4-byte big-endian length prefix,
 * integers have a fixed width, fields come in a fixed order, and each encoding
 * starts with its own label, so two different inputs never encode to the same
 * bytes and a signature made for one purpose never verifies for another.
 * Never JSON: key order and number formatting are not stable across engines.
 */
import type { EnvelopeHeader, EpochCommit, TeamKeyRecord, TeamKeyWrap } from "../protocol/index.js";

/** The first byte of the header encoding; bump it when the layout changes. */
export const HEADER_AAD_FORMAT = 1;

/** Domain labels, one per kind of signed or hashed encoding. */
export const Labels = {
  messageSignature: "parley/msg-sig/v1",
  deviceRecord: "parley/device-record/v1",
  fingerprint: "parley/fingerprint/v1",
  commitSignature: "parley/commit-sig/v1",
  commitHash: "parley/commit-hash/v1",
  teamKeyRecord: "parley/team-key/v1",
  teamKeyWrap: "parley/team-wrap/v1",
  teamVouch: "parley/team-vouch/v1",
} as const;

/** The longest id accepted in a header, in UTF-8 bytes (ids are 64 characters at most on the wire). */
export const MAX_HEADER_ID_BYTES = 256;

const encoder = new TextEncoder();
/** Matches an unpaired surrogate: TextEncoder would turn it into U+FFFD, making two strings encode alike. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Appends fixed-width integers and length-prefixed fields, then joins them once. */
export class CanonicalWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`not a u8: ${value}`);
    return this.#push(Uint8Array.of(value));
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`not a u32: ${value}`);
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.#push(out);
  }

  /** A non-negative safe integer as 8 bytes, big-endian. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative safe integer: ${value}`);
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, Math.floor(value / 0x1_0000_0000));
    view.setUint32(4, value >>> 0);
    return this.#push(out);
  }

  bytes(value: Uint8Array): this {
    this.u32(value.length);
    return this.#push(value);
  }

  /** UTF-8, length-prefixed; strings with unpaired surrogates are refused (they have no exact UTF-8 form). */
  string(value: string): this {
    if (typeof value !== "string") throw new TypeError("not a string");
    if (LONE_SURROGATE.test(value)) throw new TypeError("string has an unpaired surrogate");
    return this.bytes(encoder.encode(value));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  #push(part: Uint8Array): this {
    this.#parts.push(part);
    this.#length += part.length;
    return this;
  }
}

/**
 * Whether a string without lone surrogates is at most {@link MAX_HEADER_ID_BYTES} in UTF-8. Each
 * UTF-16 code unit takes 1 to 3 bytes, so only lengths in between are encoded to find out (every
 * message is checked three times on its way in: the codec, opening, the AAD).
 */
function fitsIdBytes(value: string): boolean {
  if (value.length * 3 <= MAX_HEADER_ID_BYTES) return true;
  if (value.length > MAX_HEADER_ID_BYTES) return false;
  return encoder.encode(value).length <= MAX_HEADER_ID_BYTES;
}

/** Why a header cannot be encoded, or undefined when it can. */
export function headerProblem(header: unknown): string | undefined {
  if (header === null || typeof header !== "object") return "header is not an object";
  const h = header as Record<string, unknown>;
  if (h.v !== 1) return "unsupported header version";
  for (const field of ["convId", "msgId", "senderDevice"] as const) {
    const value = h[field];
    if (typeof value !== "string" || value.length === 0) return `${field} is not a non-empty string`;
    if (LONE_SURROGATE.test(value) || !fitsIdBytes(value)) return `${field} is invalid`;
  }
  for (const field of ["epoch", "ts"] as const) {
    const value = h[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      return `${field} is not a non-negative safe integer`;
    }
  }
  return undefined;
}

/**
 * The associated data of a message: format byte, algorithm, then the header
 * fields in the order of {@link EnvelopeHeader}. Binding `alg` means an
 * envelope cannot be relabelled as another algorithm. Throws on a header that
 * {@link headerProblem} refuses.
 */
export function encodeHeaderAad(header: EnvelopeHeader, alg: string): Uint8Array {
  const problem = headerProblem(header);
  if (problem) throw new TypeError(problem);
  return new CanonicalWriter()
    .u8(HEADER_AAD_FORMAT)
    .string(alg)
    .u32(header.v)
    .string(header.convId)
    .u64(header.epoch)
    .string(header.msgId)
    .string(header.senderDevice)
    .u64(header.ts)
    .finish();
}

/** What the sender's Ed25519 key signs: label, AAD (the header), nonce, ciphertext. */
export function messageSignatureInput(aad: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return new CanonicalWriter().string(Labels.messageSignature).bytes(aad).bytes(nonce).bytes(ciphertext).finish();
}

/** What a device signs to register itself: label, principal, device id, both public keys. */
export function deviceRecordSignatureInput(fields: {
  principal: string;
  deviceId: string;
  sigPk: Uint8Array;
  boxPk: Uint8Array;
}): Uint8Array {
  return new CanonicalWriter()
    .string(Labels.deviceRecord)
    .string(fields.principal)
    .string(fields.deviceId)
    .bytes(fields.sigPk)
    .bytes(fields.boxPk)
    .finish();
}

/** What the display fingerprint hashes: label and the Ed25519 public key. */
export function fingerprintInput(sigPk: Uint8Array): Uint8Array {
  return new CanonicalWriter().string(Labels.fingerprint).bytes(sigPk).finish();
}

/**
 * The fields of an epoch commit other than `sig` and `teamSig`, in the order of
 * {@link EpochCommit}. Arrays carry a u32 count and keep the order they are
 * given in (`buildCommit` sorts members, device ids and wraps by id, and
 * `verifyCommit` refuses any other order, so one commit has one encoding).
 * Every wrap is included whole, so the signature covers every sealed key.
 */
function writeCommitFields(writer: CanonicalWriter, commit: Omit<EpochCommit, "sig" | "teamSig">): CanonicalWriter {
  writer
    .u32(commit.v)
    .string(commit.convId)
    .u64(commit.epoch)
    .string(commit.prevHash)
    .string(commit.committer.principalId)
    .string(commit.committer.deviceId)
    .u32(commit.members.length);
  for (const member of commit.members) {
    writer.string(member.principalId).u32(member.deviceIds.length);
    for (const deviceId of member.deviceIds) writer.string(deviceId);
  }
  writer.u32(commit.wraps.length);
  for (const wrap of commit.wraps) writer.string(wrap.deviceId).string(wrap.sealed);
  writer
    .string(commit.teamWrap)
    .string(commit.historyPolicy)
    .string(commit.reason)
    .u64(commit.ts)
    .u32(commit.teamVersion);
  // Format 2 (its `v` is the first field written, so the two formats never share an encoding).
  if (commit.v === 2) writer.u32(commit.teamWrapVersion ?? 0);
  return writer;
}

/**
 * What the committer device signs (and, for a team commit, the team key too):
 * label, then every field but the two signatures. Throws on values with no
 * exact encoding.
 */
export function encodeCommitForSignature(commit: Omit<EpochCommit, "sig" | "teamSig">): Uint8Array {
  return writeCommitFields(new CanonicalWriter().string(Labels.commitSignature), commit).finish();
}

/**
 * What the next commit's `prevHash` hashes (BLAKE2b-256): its own label, every
 * field, and the signature, so the chain pins the exact signed commit.
 */
export function encodeCommitForHash(commit: EpochCommit): Uint8Array {
  return writeCommitFields(new CanonicalWriter().string(Labels.commitHash), commit)
    .string(commit.sig)
    .string(commit.teamSig)
    .finish();
}

/**
 * What the creating device signs for a team key: label, shop, version, both
 * public keys (raw bytes), the creator and the timestamp.
 */
export function teamKeyRecordSignatureInput(
  record: Omit<TeamKeyRecord, "boxPk" | "sigPk" | "sig"> & { boxPk: Uint8Array; sigPk: Uint8Array },
): Uint8Array {
  return new CanonicalWriter()
    .string(Labels.teamKeyRecord)
    .string(record.shopId)
    .u32(record.version)
    .bytes(record.boxPk)
    .bytes(record.sigPk)
    .string(record.createdBy.principalId)
    .string(record.createdBy.deviceId)
    .u64(record.ts)
    .finish();
}

/**
 * What the wrapping device signs for a team key wrap: label, every field of
 * the wrap but `sig`, and the team key's box public key, so a wrap is bound to
 * the exact record (not only its version) it seals the secret of.
 */
export function teamKeyWrapSignatureInput(wrap: Omit<TeamKeyWrap, "sig">, teamBoxPk: Uint8Array): Uint8Array {
  return new CanonicalWriter()
    .string(Labels.teamKeyWrap)
    .string(wrap.shopId)
    .u32(wrap.version)
    .string(wrap.principalId)
    .string(wrap.deviceId)
    .string(wrap.sealed)
    .string(wrap.wrappedBy.principalId)
    .string(wrap.wrappedBy.deviceId)
    .u64(wrap.ts)
    .bytes(teamBoxPk)
    .finish();
}
