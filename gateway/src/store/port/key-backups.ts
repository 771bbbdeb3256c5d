/** Key backups: a principal's sealed epoch keys (ADR 0016). */
import type { KeyBackupEntry } from "@parley/sdk/protocol";

export interface KeyBackupStore {
  /**
   * Stores a principal's sealed epoch keys (ADR 0016), inserting or replacing
   * each by (principalId, convId, epoch); an entry never replaces one of a
   * higher secret version `v` (it is then dropped). SQLite writes them in one
   * transaction; MongoDB one by one (each write is idempotent, so a put cut
   * off by an outage is completed by the client's retry). The gateway checked
   * the principal may hold them; the store keeps the ciphertext as given.
   */
  putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void>;
  /** The principal's entries of one conversation with epoch > `after`, epoch ascending, at most `limit`. */
  listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]>;
}
