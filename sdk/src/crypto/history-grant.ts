/**
 * History grants: an inviter hands the keys of earlier epochs to the person it
 * invited, so they can read what was said before they joined. The grant is an
 * ordinary end-to-end message (so it is signed by the inviter's device and
 * stored in order with everything else) whose body carries the keys sealed
 * (`crypto_box_seal`) to each of the invitee's devices: the other members, and
 * the gateway, cannot open it.
 *
 * Sealed plaintext, per device: for each granted epoch in ascending order, the
 * epoch as 4 bytes big-endian then its 32-byte key. The body lists the epochs
 * in the clear (they are no secret: every envelope names its epoch) and the
 * opener checks the two agree.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { DeviceRecord } from "../protocol/models.js";
import type { DeviceIdentity } from "./device-keys.js";
import { DecryptError } from "./message-crypto.js";
import { loadSodium } from "./sodium.js";

/** Most epochs one grant carries (a conversation rotating every 100 messages reaches this after ~100,000). */
export const MAX_GRANTED_EPOCHS = 1024;
/** Most devices one grant is sealed to (as for a member in a commit). */
export const MAX_GRANT_DEVICES = 16;
/** An epoch key's length. Spelled out, not imported: the codec imports this module, and message-crypto imports the codec, so an imported constant may not be set yet when this module loads. */
const EPOCH_KEY_BYTES = 32;
const ENTRY_BYTES = 4 + EPOCH_KEY_BYTES;

/** The body of a history grant message. */
export interface HistoryGrantBody {
  type: "history-grant";
  /** The principal the keys are for. */
  grantee: string;
  /** Granted epochs, ascending, no repeats. */
  epochs: number[];
  /** The keys, sealed to each device of the grantee. */
  sealed: Array<{ deviceId: string; box: string }>;
}

/** Seals `keys` (epoch to key) to each of the grantee's devices. */
export async function sealHistoryGrant(
  grantee: string,
  keys: ReadonlyMap<number, Uint8Array>,
  devices: readonly DeviceRecord[],
): Promise<HistoryGrantBody> {
  const epochs = [...keys.keys()].sort((a, b) => a - b);
  if (epochs.length === 0 || epochs.length > MAX_GRANTED_EPOCHS) {
    throw new RangeError(`a grant carries 1 to ${MAX_GRANTED_EPOCHS} epochs`);
  }
  if (devices.length === 0 || devices.length > MAX_GRANT_DEVICES) {
    throw new RangeError(`a grant is sealed to 1 to ${MAX_GRANT_DEVICES} devices`);
  }
  const plain = new Uint8Array(epochs.length * ENTRY_BYTES);
  const view = new DataView(plain.buffer);
  epochs.forEach((epoch, i) => {
    const key = keys.get(epoch) as Uint8Array;
    if (!Number.isInteger(epoch) || epoch < 1 || key.length !== EPOCH_KEY_BYTES) throw new RangeError("bad epoch key");
    view.setUint32(i * ENTRY_BYTES, epoch);
    plain.set(key, i * ENTRY_BYTES + 4);
  });
  const sodium = await loadSodium();
  try {
    const sealed = devices.map((d) => ({
      deviceId: d.deviceId,
      box: toBase64Url(sodium.crypto_box_seal(plain, fromBase64Url(d.boxPk))),
    }));
    return { type: "history-grant", grantee, epochs, sealed };
  } finally {
    sodium.memzero(plain);
  }
}

/**
 * Opens the part of a grant sealed to this device: the epoch keys, checked
 * against the epochs the body lists. Rejects with `DecryptError` when nothing
 * is sealed to this device or what is sealed does not match.
 */
export async function openHistoryGrant(
  body: HistoryGrantBody,
  identity: DeviceIdentity,
): Promise<Map<number, Uint8Array>> {
  const mine = body.sealed.find((s) => s.deviceId === identity.deviceId);
  if (!mine) throw new DecryptError("bad_ciphertext");
  const sodium = await loadSodium();
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_box_seal_open(fromBase64Url(mine.box), identity.box.publicKey, identity.box.secretKey);
  } catch (cause) {
    throw new DecryptError("bad_ciphertext", { cause });
  }
  if (plain.length !== body.epochs.length * ENTRY_BYTES) throw new DecryptError("bad_ciphertext");
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const keys = new Map<number, Uint8Array>();
  body.epochs.forEach((epoch, i) => {
    if (view.getUint32(i * ENTRY_BYTES) !== epoch) throw new DecryptError("bad_ciphertext");
    keys.set(epoch, plain.slice(i * ENTRY_BYTES + 4, (i + 1) * ENTRY_BYTES));
  });
  sodium.memzero(plain);
  return keys;
}

/** Whether `value` has the shape of a {@link HistoryGrantBody} (checked after decryption, like every body). */
export function isHistoryGrantBody(value: unknown): value is HistoryGrantBody {
  const v = value as Partial<HistoryGrantBody> | null;
  if (v?.type !== "history-grant" || typeof v.grantee !== "string" || v.grantee.length > 64) return false;
  if (!Array.isArray(v.epochs) || v.epochs.length === 0 || v.epochs.length > MAX_GRANTED_EPOCHS) return false;
  for (let i = 0; i < v.epochs.length; i++) {
    const e = v.epochs[i];
    if (!Number.isInteger(e) || (e as number) < 1 || (i > 0 && (e as number) <= (v.epochs[i - 1] as number))) {
      return false;
    }
  }
  if (!Array.isArray(v.sealed) || v.sealed.length === 0 || v.sealed.length > MAX_GRANT_DEVICES) return false;
  return v.sealed.every(
    (s) =>
      s !== null &&
      typeof s === "object" &&
      Object.keys(s).length === 2 &&
      typeof s.deviceId === "string" &&
      s.deviceId.length <= 64 &&
      typeof s.box === "string" &&
      s.box.length <= 2 * (MAX_GRANTED_EPOCHS * ENTRY_BYTES + 48),
  );
}
