/**
 * A shop team's key: an X25519 pair that conversations seal each epoch key to
 * (`EpochCommit.teamWrap`) and an Ed25519 pair for the team, made by an admin
 * agent's device. The public halves travel as a {@link TeamKeyRecord} signed by
 * the creating device; the secret halves reach each agent device as a
 * {@link TeamKeyWrap}: `crypto_box_seal(boxSk || sigSeed)` to the device's box
 * key (64 + 48 = 112 bytes, 150 base64url characters), signed by the wrapping
 * device. Opening a wrap re-derives both public keys from the secret and
 * compares them with the record, so a wrap can only ever yield the record's key.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { TeamKeyError } from "../errors.js";
import { ID_PATTERN } from "../protocol/ids.js";
import type { DeviceRecord, TeamKeyRecord, TeamKeyWrap } from "../protocol/models.js";
import { teamKeyRecordSignatureInput, teamKeyWrapSignatureInput } from "./canonical.js";
import { type DeviceIdentity, verifyDeviceRecord } from "./device-keys.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";

/** The team key's secret halves, held by agent devices. */
export interface TeamKeySecret {
  /** X25519 secret key: opens `teamWrap`. */
  boxSk: Uint8Array;
  /** X25519 public key (derived from `boxSk`). */
  boxPk: Uint8Array;
  /** Ed25519 seed of the team signing pair. */
  sigSeed: Uint8Array;
}

export { TeamKeyError, type TeamKeyFailure, TeamKeyFailures } from "../errors.js";

const KEY_BYTES = 32;
const SECRET_BYTES = 64;
/** `crypto_box_seal` of the 64-byte secret. */
export const SEALED_TEAM_SECRET_BYTES = SECRET_BYTES + 48;
const KEY32 = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const SEALED = /^[A-Za-z0-9_-]{150}$/;

const isId = (v: unknown): v is string => typeof v === "string" && ID_PATTERN.test(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const isBy = (v: unknown): v is { principalId: string; deviceId: string } =>
  v !== null &&
  typeof v === "object" &&
  isId((v as { principalId?: unknown }).principalId) &&
  isId((v as { deviceId?: unknown }).deviceId);

function recordShapeOk(r: unknown): r is TeamKeyRecord {
  if (r === null || typeof r !== "object") return false;
  const v = r as Record<string, unknown>;
  return (
    isId(v.shopId) &&
    isInt(v.version, 1, 2 ** 31) &&
    typeof v.boxPk === "string" &&
    KEY32.test(v.boxPk) &&
    typeof v.sigPk === "string" &&
    KEY32.test(v.sigPk) &&
    isBy(v.createdBy) &&
    isInt(v.ts, 0, 8.64e15) &&
    typeof v.sig === "string" &&
    SIGNATURE.test(v.sig) &&
    (v.prevSig === undefined ? true : v.version !== 1 && typeof v.prevSig === "string" && SIGNATURE.test(v.prevSig))
  );
}

function wrapShapeOk(w: unknown): w is TeamKeyWrap {
  if (w === null || typeof w !== "object") return false;
  const v = w as Record<string, unknown>;
  return (
    isId(v.shopId) &&
    isInt(v.version, 1, 2 ** 31) &&
    isId(v.deviceId) &&
    isId(v.principalId) &&
    typeof v.sealed === "string" &&
    SEALED.test(v.sealed) &&
    isBy(v.wrappedBy) &&
    isInt(v.ts, 0, 8.64e15) &&
    typeof v.sig === "string" &&
    SIGNATURE.test(v.sig)
  );
}

/** What {@link createTeamKey} needs. */
export interface CreateTeamKeyOptions {
  /** The admin agent's device: signs the record. */
  identity: DeviceIdentity;
  /** The admin agent's principal. */
  principalId: string;
  /** The shop. */
  shopId: string;
  /** 1 for the shop's first team key, then current + 1. */
  version: number;
  /**
   * A rotation (version > 1): the current team key, whose Ed25519 key vouches
   * for the new record (`prevSig`). Without it a later version carries no vouch
   * and no client accepts it.
   */
  previous?: {
    /** Version n's record (the new record is version n + 1 of its shop). */
    record: TeamKeyRecord;
    /** Version n's secret halves: its Ed25519 seed signs `prevSig`. */
    secret: TeamKeySecret;
  };
  /** @default Date.now() */
  now?: number;
}

/** Makes a fresh team key and its record, signed by `identity`. */
export async function createTeamKey(options: CreateTeamKeyOptions): Promise<{
  /** The signed public record, to store with `team.init`. */
  record: TeamKeyRecord;
  /** The secret halves, to keep and seal to the team's devices. */
  secret: TeamKeySecret;
}> {
  const { identity, principalId, shopId, version } = options;
  const sodium = await loadSodium();
  const boxSk = randomBytes(KEY_BYTES);
  const sigSeed = randomBytes(KEY_BYTES);
  const boxPk = sodium.crypto_scalarmult_base(boxSk);
  const sigPk = sodium.crypto_sign_seed_keypair(sigSeed).publicKey;
  const unsigned = {
    shopId,
    version,
    createdBy: { principalId, deviceId: identity.deviceId },
    ts: options.now ?? Date.now(),
  };
  const input = teamKeyRecordSignatureInput({ ...unsigned, boxPk, sigPk });
  const sig = sodium.crypto_sign_detached(input, identity.sign.secretKey);
  const record: TeamKeyRecord = {
    shopId,
    version,
    boxPk: toBase64Url(boxPk),
    sigPk: toBase64Url(sigPk),
    createdBy: unsigned.createdBy,
    ts: unsigned.ts,
    sig: toBase64Url(sig),
  };
  const { previous } = options;
  if (previous) {
    if (previous.record.shopId !== shopId || previous.record.version + 1 !== version) {
      throw new RangeError("a rotation makes the version right after the previous one, of the same shop");
    }
    const prevSk = sodium.crypto_sign_seed_keypair(previous.secret.sigSeed).privateKey;
    record.prevSig = toBase64Url(sodium.crypto_sign_detached(input, prevSk));
    sodium.memzero(prevSk);
  }
  if (!recordShapeOk(record)) throw new RangeError("cannot make a team key record with these ids or version");
  return { record, secret: { boxSk, boxPk, sigSeed } };
}

/**
 * Whether `record` is well formed and signed by `creatorDevice`, the pinned
 * record of the device it names in `createdBy` (itself self-signed). Never throws.
 */
export async function verifyTeamKeyRecord(record: unknown, creatorDevice: DeviceRecord | undefined): Promise<boolean> {
  if (!recordShapeOk(record) || !creatorDevice) return false;
  if (
    creatorDevice.principal !== record.createdBy.principalId ||
    creatorDevice.deviceId !== record.createdBy.deviceId ||
    !(await verifyDeviceRecord(creatorDevice))
  ) {
    return false;
  }
  return signsRecord(record, record.sig, creatorDevice.sigPk);
}

/**
 * Whether `record` (version n + 1) is vouched for by `previous` (version n of
 * the same shop): its `prevSig` verifies under the previous record's Ed25519
 * key over the record's canonical bytes. Checks nothing else (the creator's
 * signature is {@link verifyTeamKeyRecord}'s). Never throws.
 */
export async function verifyTeamKeyRotation(record: unknown, previous: TeamKeyRecord): Promise<boolean> {
  if (!recordShapeOk(record) || !recordShapeOk(previous) || record.prevSig === undefined) return false;
  if (record.shopId !== previous.shopId || record.version !== previous.version + 1) return false;
  return signsRecord(record, record.prevSig, previous.sigPk);
}

/** Whether `sig` is a signature by `signerPk` over the record's canonical bytes (both base64url). Never throws. */
async function signsRecord(record: TeamKeyRecord, sig: string, signerPk: string): Promise<boolean> {
  const sodium = await loadSodium();
  try {
    const input = teamKeyRecordSignatureInput({
      ...record,
      boxPk: fromBase64Url(record.boxPk),
      sigPk: fromBase64Url(record.sigPk),
    });
    return sodium.crypto_sign_verify_detached(fromBase64Url(sig), input, fromBase64Url(signerPk));
  } catch {
    return false;
  }
}

/** What {@link wrapTeamKey} needs. */
export interface WrapTeamKeyOptions {
  /** The team key's secret halves. */
  secret: TeamKeySecret;
  /** The team key's record. */
  record: TeamKeyRecord;
  /** The agent device to seal the secret to: a verified, pinned record. */
  to: DeviceRecord;
  /** The wrapping (admin) device: signs the wrap. */
  wrapper: DeviceIdentity;
  /** The wrapping admin's principal. */
  wrapperPrincipalId: string;
  /** @default Date.now() */
  now?: number;
}

/** Seals the team secret to one device and signs the result. */
export async function wrapTeamKey(options: WrapTeamKeyOptions): Promise<TeamKeyWrap> {
  const { secret, record, to, wrapper, wrapperPrincipalId } = options;
  const sodium = await loadSodium();
  if (!sodium.memcmp(sodium.crypto_scalarmult_base(secret.boxSk), fromBase64Url(record.boxPk))) {
    throw new RangeError("the secret does not belong to this team key record");
  }
  const plain = new Uint8Array(SECRET_BYTES);
  plain.set(secret.boxSk, 0);
  plain.set(secret.sigSeed, KEY_BYTES);
  let sealed: Uint8Array;
  try {
    sealed = sodium.crypto_box_seal(plain, fromBase64Url(to.boxPk));
  } catch (cause) {
    throw new RangeError("cannot seal to this device's box key", { cause });
  } finally {
    sodium.memzero(plain);
  }
  const unsigned: Omit<TeamKeyWrap, "sig"> = {
    shopId: record.shopId,
    version: record.version,
    deviceId: to.deviceId,
    principalId: to.principal,
    sealed: toBase64Url(sealed),
    wrappedBy: { principalId: wrapperPrincipalId, deviceId: wrapper.deviceId },
    ts: options.now ?? Date.now(),
  };
  const sig = sodium.crypto_sign_detached(
    teamKeyWrapSignatureInput(unsigned, fromBase64Url(record.boxPk)),
    wrapper.sign.secretKey,
  );
  const wrap: TeamKeyWrap = { ...unsigned, sig: toBase64Url(sig) };
  if (!wrapShapeOk(wrap)) throw new RangeError("cannot make a team key wrap with these ids");
  return wrap;
}

/**
 * Whether `wrap` is well formed, belongs to `record` and is signed by
 * `wrapperDevice`, the pinned record of the device named in `wrappedBy`.
 * Never throws.
 */
export async function verifyTeamKeyWrap(
  wrap: unknown,
  record: TeamKeyRecord,
  wrapperDevice: DeviceRecord | undefined,
): Promise<boolean> {
  if (!wrapShapeOk(wrap) || !recordShapeOk(record) || !wrapperDevice) return false;
  if (wrap.shopId !== record.shopId || wrap.version !== record.version) return false;
  if (wrapperDevice.principal !== wrap.wrappedBy.principalId || wrapperDevice.deviceId !== wrap.wrappedBy.deviceId) {
    return false;
  }
  if (!(await verifyDeviceRecord(wrapperDevice))) return false;
  const sodium = await loadSodium();
  try {
    const { sig, ...unsigned } = wrap;
    return sodium.crypto_sign_verify_detached(
      fromBase64Url(sig),
      teamKeyWrapSignatureInput(unsigned, fromBase64Url(record.boxPk)),
      fromBase64Url(wrapperDevice.sigPk),
    );
  } catch {
    return false;
  }
}

/**
 * Opens a wrap sealed to `identity` and checks that the secret it holds is the
 * one of `record` (both public keys re-derived and compared). Rejects with
 * {@link TeamKeyError}. The record itself must have been checked with
 * {@link verifyTeamKeyRecord}; the wrap's signature with {@link verifyTeamKeyWrap}
 * where the wrapper's device is known (the key check alone already ensures a
 * wrap can never substitute another key).
 */
export async function openTeamKeyWrap(
  wrap: TeamKeyWrap,
  identity: DeviceIdentity,
  record: TeamKeyRecord,
): Promise<TeamKeySecret> {
  if (!wrapShapeOk(wrap) || !recordShapeOk(record)) throw new TeamKeyError("bad_shape");
  if (wrap.shopId !== record.shopId || wrap.version !== record.version) throw new TeamKeyError("bad_shape");
  if (wrap.deviceId !== identity.deviceId) throw new TeamKeyError("wrong_device");
  const sodium = await loadSodium();
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_box_seal_open(fromBase64Url(wrap.sealed), identity.box.publicKey, identity.box.secretKey);
  } catch (cause) {
    throw new TeamKeyError("bad_ciphertext", { cause });
  }
  if (plain.length !== SECRET_BYTES) throw new TeamKeyError("bad_ciphertext");
  const boxSk = plain.slice(0, KEY_BYTES);
  const sigSeed = plain.slice(KEY_BYTES);
  sodium.memzero(plain);
  const boxPk = sodium.crypto_scalarmult_base(boxSk);
  const sigPk = sodium.crypto_sign_seed_keypair(sigSeed).publicKey;
  if (!sodium.memcmp(boxPk, fromBase64Url(record.boxPk)) || !sodium.memcmp(sigPk, fromBase64Url(record.sigPk))) {
    throw new TeamKeyError("wrong_key");
  }
  return { boxSk, boxPk, sigSeed };
}
