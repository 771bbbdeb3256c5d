/**
 * Key backup (ADR 0016): the epoch keys a customer's devices hold, sealed for
 * the gateway to keep, under a key only the customer's devices and the
 * shop's backend can make.
 *
 * - The shop's backend hands each of its customers' devices a per-customer
 *   secret, `v<version>.<32 bytes base64url>` (`keyBackupSecret` in
 *   `@parley/sdk/server`). It never travels to the gateway. The version lets a
 *   shop give a customer a new secret: entries say which version sealed them.
 * - The backup key is BLAKE2b-256 keyed with that secret over a context that
 *   names the shop and the principal: the same secret gives another principal
 *   (or shop) an unrelated key.
 * - Each entry is XChaCha20-Poly1305 of the 32-byte epoch key under the backup
 *   key, with a random 24-byte nonce and the associated data
 *   `context, principal, conversation, epoch, version`: an entry moved to
 *   another conversation, epoch or principal, relabelled with another version,
 *   or changed in any bit, does not open.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { ID_PATTERN } from "../protocol/ids.js";
import { KEY_BACKUP_CT_BYTES, type KeyBackupEntry } from "../protocol/key-backup.js";
import { DecryptError, EPOCH_KEY_BYTES } from "./message-crypto.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";

export type { KeyBackupEntry } from "../protocol/key-backup.js";

const CONTEXT = "parley/key-backup/v1";
const NONCE_BYTES = 24;
const encoder = new TextEncoder();

/** The form of a key backup secret: `v`, the version, a dot, 32 bytes in base64url. */
export const KEY_BACKUP_SECRET_PATTERN = /^v([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/;

/** Whether `value` is a key backup secret in its only accepted form. */
export function isKeyBackupSecret(value: unknown): value is string {
  return parseSecret(value) !== undefined;
}

function parseSecret(value: unknown): { version: number; text: string } | undefined {
  const match = typeof value === "string" ? KEY_BACKUP_SECRET_PATTERN.exec(value) : null;
  const text = match?.[2];
  if (!match || !text || toBase64Url(fromBase64Url(text)) !== text) return undefined;
  return { version: Number(match[1]), text };
}

/** A principal's backup key and the secret version it came from. */
export interface BackupKey {
  /** The 32-byte key that seals the entries. */
  key: Uint8Array;
  /** The version of the secret it was derived from. */
  version: number;
}

/** Derives the backup key of `principalId` at `shopId` from the customer's secret. */
export async function deriveBackupKey(secret: string, shopId: string, principalId: string): Promise<BackupKey> {
  const parsed = parseSecret(secret);
  if (!parsed) throw new TypeError("a key backup secret is v<version>.<32 bytes in base64url>");
  if (!ID_PATTERN.test(shopId) || !ID_PATTERN.test(principalId)) throw new TypeError("bad shop or principal id");
  const sodium = await loadSodium();
  const secretBytes = fromBase64Url(parsed.text);
  try {
    const context = encoder.encode(`${CONTEXT}\u0000key\u0000${shopId}\u0000${principalId}`);
    return { key: sodium.crypto_generichash(32, context, secretBytes), version: parsed.version };
  } finally {
    sodium.memzero(secretBytes);
  }
}

/** Associated data of one entry (ids never contain NUL, so the fields cannot run into each other). */
function entryAad(principalId: string, convId: string, epoch: number, version: number): Uint8Array {
  const text = encoder.encode(`${CONTEXT}\u0000${principalId}\u0000${convId}\u0000`);
  const out = new Uint8Array(text.length + 8);
  out.set(text);
  const view = new DataView(out.buffer);
  view.setUint32(text.length, epoch);
  view.setUint32(text.length + 4, version);
  return out;
}

/** Seals the key of (`convId`, `epoch`) under the backup key. */
export async function sealBackupEntry(
  backup: BackupKey,
  principalId: string,
  convId: string,
  epoch: number,
  epochKey: Uint8Array,
): Promise<KeyBackupEntry> {
  if (epochKey.length !== EPOCH_KEY_BYTES || !Number.isInteger(epoch) || epoch < 1)
    throw new RangeError("bad epoch key");
  const sodium = await loadSodium();
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    epochKey,
    entryAad(principalId, convId, epoch, backup.version),
    null,
    nonce,
    backup.key,
  );
  const ct = new Uint8Array(KEY_BACKUP_CT_BYTES);
  ct.set(nonce);
  ct.set(sealed, NONCE_BYTES);
  return { convId, epoch, v: backup.version, ct: toBase64Url(ct) };
}

/**
 * Opens an entry the gateway returned for `principalId`: the epoch key, or a
 * `DecryptError("bad_ciphertext")` when it was sealed under another key
 * (another secret, version, principal or shop), for another conversation or
 * epoch, or changed anywhere.
 */
export async function openBackupEntry(
  backup: BackupKey,
  principalId: string,
  entry: KeyBackupEntry,
): Promise<Uint8Array> {
  let ct: Uint8Array;
  try {
    ct = fromBase64Url(entry.ct);
  } catch (cause) {
    throw new DecryptError("bad_ciphertext", { cause });
  }
  if (ct.length !== KEY_BACKUP_CT_BYTES || entry.v !== backup.version) throw new DecryptError("bad_ciphertext");
  const sodium = await loadSodium();
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      ct.subarray(NONCE_BYTES),
      entryAad(principalId, entry.convId, entry.epoch, entry.v),
      ct.subarray(0, NONCE_BYTES),
      backup.key,
    );
  } catch (cause) {
    throw new DecryptError("bad_ciphertext", { cause });
  }
}
