/**
 * The wire shape of key backup entries (ADR 0016): a customer's devices keep
 * each epoch key they hold on the gateway, sealed under a key only the
 * customer's devices and the shop's backend can derive. A leaf module: the
 * gateway's schemas and the SDK's crypto both read these limits.
 */

/**
 * One backed-up epoch key: `ct` is base64url of nonce (24) || XChaCha20-Poly1305
 * of the 32-byte key (48); `v` is the version of the customer's secret it was
 * sealed under (a put never replaces an entry of a higher version).
 */
export interface KeyBackupEntry {
  /** The conversation whose epoch key this is. */
  convId: string;
  /** The epoch. */
  epoch: number;
  /** The version of the customer's backup secret it was sealed under. */
  v: number;
  /** base64url of nonce and ciphertext ({@link KEY_BACKUP_CT_CHARS} characters). */
  ct: string;
}

/** Highest secret version. */
export const MAX_KEY_BACKUP_VERSION = 999_999_999;

/** Bytes of an entry's ciphertext: 24-byte nonce, 32-byte key, 16-byte tag. */
export const KEY_BACKUP_CT_BYTES = 24 + 32 + 16;
/** Its base64url length (72 bytes, no padding). */
export const KEY_BACKUP_CT_CHARS = 96;
/** Most entries one `keys.backup.put` carries. */
export const MAX_KEY_BACKUP_PUT = 100;
/** Most entries one `keys.backup.list` page answers. */
export const MAX_KEY_BACKUP_PAGE = 500;
