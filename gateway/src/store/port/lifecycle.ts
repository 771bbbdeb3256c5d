/** Opening, closing and probing a store: the part of the port no aggregate owns. */

export interface StoreLifecycle {
  readonly kind: "embedded" | "mongodb";
  /** Creates tables or indexes; idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip used by the readiness probe; rejects when the store is down. */
  ping(): Promise<void>;
  /**
   * Writes one row to a scratch table (collection), reads it back and deletes it, each write
   * committed as the store commits data: `parley-gateway doctor` proves the store takes writes.
   */
  probeWrite(): Promise<void>;
}
