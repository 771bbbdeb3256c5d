/**
 * A device's long-term keys: an Ed25519 pair that signs its messages and its
 * registration record, and an X25519 pair that epoch keys are sealed to. Made
 * locally; the secret keys never leave the injected storage.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { DeviceIdentityError } from "../errors.js";
import type { DeviceKeys } from "../protocol/index.js";
import type { KeyValueStorage } from "../storage.js";
import { deviceRecordSignatureInput, fingerprintInput } from "./canonical.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";

/** A public key and its secret key. */
export interface KeyPair {
  /** The public key. */
  publicKey: Uint8Array;
  /** The secret key: never leaves the device's storage. */
  secretKey: Uint8Array;
}

/** This device's long-term keys and id. */
export interface DeviceIdentity {
  /** `d_` and 128 random bits in base64url (subject-safe). */
  deviceId: string;
  /** Ed25519: 32-byte public key, 64-byte secret key. */
  sign: KeyPair;
  /** X25519: 32-byte public and secret keys. */
  box: KeyPair;
}

/** A device's self-signed registration: binds both public keys to a principal and a device id. */
export interface DeviceRecord extends DeviceKeys {
  /** The principal the device belongs to. */
  principal: string;
  /** base64url Ed25519 signature by `sigPk` over the canonical encoding of the other fields. */
  sig: string;
}

const SEED_BYTES = 32;
const KEY_BYTES = 32;
const SIGN_SECRET_KEY_BYTES = 64;
const SIGNATURE_BYTES = 64;
/** Format of the stored identity JSON. */
const STORED_VERSION = 1;

/** Makes a new device identity: a fresh id and both key pairs. */
export async function createDeviceIdentity(): Promise<DeviceIdentity> {
  const sodium = await loadSodium();
  const signSeed = randomBytes(SEED_BYTES);
  const boxSecret = randomBytes(KEY_BYTES);
  const sign = sodium.crypto_sign_seed_keypair(signSeed);
  sodium.memzero(signSeed);
  return {
    deviceId: `d_${toBase64Url(randomBytes(16))}`,
    sign: { publicKey: sign.publicKey, secretKey: sign.privateKey },
    box: { publicKey: sodium.crypto_scalarmult_base(boxSecret), secretKey: boxSecret },
  };
}

export { DeviceIdentityError } from "../errors.js";

const pending = new WeakMap<KeyValueStorage, Map<string, Promise<DeviceIdentity>>>();

/**
 * Returns the identity stored under `key`, or makes one and stores it. Calls
 * that overlap on the same storage and key share one result. A stored value
 * that does not parse, or whose keys do not match each other, rejects with
 * {@link DeviceIdentityError} rather than minting a new device behind the
 * user's back; delete the key to start over.
 */
export function loadOrCreateDeviceIdentity(storage: KeyValueStorage, key: string): Promise<DeviceIdentity> {
  let byKey = pending.get(storage);
  if (!byKey) {
    byKey = new Map();
    pending.set(storage, byKey);
  }
  const inFlight = byKey.get(key);
  if (inFlight) return inFlight;
  const map = byKey;
  const result = loadOrCreate(storage, key).finally(() => map.delete(key));
  map.set(key, result);
  return result;
}

async function loadOrCreate(storage: KeyValueStorage, key: string): Promise<DeviceIdentity> {
  const stored = await storage.get(key);
  if (stored !== undefined) return parseStoredIdentity(stored);
  const identity = await createDeviceIdentity();
  await storage.set(
    key,
    JSON.stringify({
      v: STORED_VERSION,
      deviceId: identity.deviceId,
      signSk: toBase64Url(identity.sign.secretKey),
      boxSk: toBase64Url(identity.box.secretKey),
    }),
  );
  return identity;
}

async function parseStoredIdentity(text: string): Promise<DeviceIdentity> {
  const sodium = await loadSodium();
  let value: { v?: unknown; deviceId?: unknown; signSk?: unknown; boxSk?: unknown };
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DeviceIdentityError("stored device identity is not JSON", { cause });
  }
  if (
    value === null ||
    typeof value !== "object" ||
    value.v !== STORED_VERSION ||
    typeof value.deviceId !== "string" ||
    !/^d_[A-Za-z0-9_-]{22}$/.test(value.deviceId)
  ) {
    throw new DeviceIdentityError("stored device identity has an unknown format");
  }
  const signSk = decodeKey(value.signSk, SIGN_SECRET_KEY_BYTES);
  const boxSk = decodeKey(value.boxSk, KEY_BYTES);
  if (!signSk || !boxSk) throw new DeviceIdentityError("stored device keys have the wrong length");
  // An Ed25519 secret key is seed || public key: re-derive it to catch corruption.
  const sign = sodium.crypto_sign_seed_keypair(signSk.subarray(0, SEED_BYTES));
  if (!sodium.memcmp(sign.privateKey, signSk)) throw new DeviceIdentityError("stored signing key is inconsistent");
  return {
    deviceId: value.deviceId,
    sign: { publicKey: sign.publicKey, secretKey: sign.privateKey },
    box: { publicKey: sodium.crypto_scalarmult_base(boxSk), secretKey: boxSk },
  };
}

/** The public half, as registered with the gateway. */
export function publicDeviceKeys(identity: DeviceIdentity): DeviceKeys {
  return {
    deviceId: identity.deviceId,
    sigPk: toBase64Url(identity.sign.publicKey),
    boxPk: toBase64Url(identity.box.publicKey),
  };
}

/** The device's self-signed record for `principalId`, to register with `device.register`. */
export async function signDeviceRecord(identity: DeviceIdentity, principalId: string): Promise<DeviceRecord> {
  const sodium = await loadSodium();
  const input = deviceRecordSignatureInput({
    principal: principalId,
    deviceId: identity.deviceId,
    sigPk: identity.sign.publicKey,
    boxPk: identity.box.publicKey,
  });
  const sig = sodium.crypto_sign_detached(input, identity.sign.secretKey);
  return { principal: principalId, ...publicDeviceKeys(identity), sig: toBase64Url(sig) };
}

/**
 * Whether `record` is well formed and signed by its own `sigPk`. This proves
 * the keys belong together and were bound to that principal by the holder of
 * the signing key; that the principal really owns them is what pinning and
 * fingerprint comparison establish. Never throws.
 */
export async function verifyDeviceRecord(record: unknown): Promise<boolean> {
  if (record === null || typeof record !== "object") return false;
  const r = record as Partial<Record<keyof DeviceRecord, unknown>>;
  if (typeof r.principal !== "string" || typeof r.deviceId !== "string") return false;
  const sigPk = decodeKey(r.sigPk, KEY_BYTES);
  const boxPk = decodeKey(r.boxPk, KEY_BYTES);
  const sig = decodeKey(r.sig, SIGNATURE_BYTES);
  if (!sigPk || !boxPk || !sig) return false;
  const sodium = await loadSodium();
  try {
    const input = deviceRecordSignatureInput({ principal: r.principal, deviceId: r.deviceId, sigPk, boxPk });
    return sodium.crypto_sign_verify_detached(sig, input, sigPk);
  } catch {
    return false;
  }
}

/** Number of 5-digit groups in a fingerprint. */
const FINGERPRINT_GROUPS = 12;
/** Bytes of hash per group: 40 bits reduced mod 100,000 (bias below 1e-7). */
const BYTES_PER_GROUP = 5;

/**
 * A device's fingerprint for out-of-band comparison: BLAKE2b-480 of a labelled
 * encoding of the Ed25519 public key, shown as 12 groups of 5 decimal digits
 * ("01234 56789 ..."), each group from 5 bytes of hash mod 100,000. Digits read
 * aloud in any language and look like Signal's safety numbers; 60 digits carry
 * about 199 bits, so no key-stretching is needed to resist finding a colliding
 * key. Only the signing key is covered: it signs the box key in the record.
 */
export async function fingerprint(sigPk: Uint8Array | string): Promise<string> {
  const key = typeof sigPk === "string" ? decodeKey(sigPk, KEY_BYTES) : sigPk;
  if (!key || key.length !== KEY_BYTES) throw new RangeError(`a signing public key is ${KEY_BYTES} bytes`);
  const sodium = await loadSodium();
  const hash = sodium.crypto_generichash(FINGERPRINT_GROUPS * BYTES_PER_GROUP, fingerprintInput(key), null);
  const groups: string[] = [];
  for (let g = 0; g < FINGERPRINT_GROUPS; g++) {
    let value = 0;
    for (let i = 0; i < BYTES_PER_GROUP; i++) value = value * 256 + (hash[g * BYTES_PER_GROUP + i] ?? 0);
    groups.push(String(value % 100_000).padStart(5, "0"));
  }
  return groups.join(" ");
}

/** Strict base64url of exactly `length` bytes, or undefined. */
function decodeKey(text: unknown, length: number): Uint8Array | undefined {
  if (typeof text !== "string" || text.length !== Math.ceil((length * 4) / 3)) return undefined;
  try {
    const bytes = fromBase64Url(text);
    return bytes.length === length && toBase64Url(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}
