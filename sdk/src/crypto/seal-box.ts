/**
 * Wrapping epoch keys to a device: `crypto_box_seal` (an ephemeral X25519 key,
 * then XSalsa20-Poly1305) to the device's X25519 public key. A sealed box is
 * anonymous: the recipient learns nothing about who sealed it, so the epoch
 * layer must authenticate wraps itself (the commit signature covers a hash of
 * every wrap).
 */
import { DecryptError, EPOCH_KEY_BYTES } from "./message-crypto.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";

const BOX_KEY_BYTES = 32;
/** `crypto_box_SEALBYTES`: ephemeral public key (32) and MAC (16). */
const SEAL_OVERHEAD_BYTES = 48;
/** Length of a sealed epoch key. */
export const SEALED_EPOCH_KEY_BYTES = EPOCH_KEY_BYTES + SEAL_OVERHEAD_BYTES;

/** 32 fresh random bytes for a new epoch. */
export function createEpochKey(): Uint8Array {
  return randomBytes(EPOCH_KEY_BYTES);
}

/**
 * Seals a 32-byte epoch key to a device's X25519 public key. Throws
 * `RangeError` on wrong lengths, and when libsodium refuses the public key (a
 * low-order point, which would make the shared secret all zeros).
 */
export async function sealEpochKey(epochKey: Uint8Array, recipientBoxPk: Uint8Array): Promise<Uint8Array> {
  if (!(epochKey instanceof Uint8Array) || epochKey.length !== EPOCH_KEY_BYTES) {
    throw new RangeError(`an epoch key is ${EPOCH_KEY_BYTES} bytes`);
  }
  if (!(recipientBoxPk instanceof Uint8Array) || recipientBoxPk.length !== BOX_KEY_BYTES) {
    throw new RangeError(`a box public key is ${BOX_KEY_BYTES} bytes`);
  }
  const sodium = await loadSodium();
  try {
    return sodium.crypto_box_seal(epochKey, recipientBoxPk);
  } catch (cause) {
    throw new RangeError("cannot seal to this public key", { cause });
  }
}

/**
 * Opens an epoch key sealed to `recipient` (the device's X25519 pair). Any
 * failure, including a wrong length checked before libsodium runs, rejects
 * with `DecryptError("bad_ciphertext")`.
 */
export async function openEpochKey(
  sealed: Uint8Array,
  recipient: { publicKey: Uint8Array; secretKey: Uint8Array },
): Promise<Uint8Array> {
  if (!(sealed instanceof Uint8Array) || sealed.length !== SEALED_EPOCH_KEY_BYTES) {
    throw new DecryptError("bad_ciphertext");
  }
  if (recipient.publicKey.length !== BOX_KEY_BYTES || recipient.secretKey.length !== BOX_KEY_BYTES) {
    throw new RangeError(`box keys are ${BOX_KEY_BYTES} bytes`);
  }
  const sodium = await loadSodium();
  try {
    return sodium.crypto_box_seal_open(sealed, recipient.publicKey, recipient.secretKey);
  } catch (cause) {
    throw new DecryptError("bad_ciphertext", { cause });
  }
}
