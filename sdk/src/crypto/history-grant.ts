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
import {
  GRANT_ENTRY_BYTES as ENTRY_BYTES,
  type HistoryGrantBody,
  MAX_GRANT_DEVICES,
  MAX_GRANTED_EPOCHS,
} from "../protocol/history-grant.js";
import type { DeviceRecord } from "../protocol/models.js";
import type { DeviceIdentity } from "./device-keys.js";
import { DecryptError, EPOCH_KEY_BYTES } from "./message-crypto.js";
import { loadSodium } from "./sodium.js";

export type { HistoryGrantBody } from "../protocol/history-grant.js";
export { isHistoryGrantBody, MAX_GRANT_DEVICES, MAX_GRANTED_EPOCHS } from "../protocol/history-grant.js";

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
