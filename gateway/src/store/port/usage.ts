/**
 * Storage used per shop: the bytes of its stored envelopes and files, counted
 * as they are written and deleted (the chat service adds each appended
 * envelope, the file routes each stored blob, the blob sweep subtracts deleted
 * ones), so the per-shop storage quota is one read, not a scan.
 */
export interface UsageStore {
  /**
   * Adds `bytes` to the shop's counter (negative to subtract; the counter never goes below 0) and
   * resolves the new total. Every process on the store counts into the same counter.
   */
  addShopBytes(shopId: string, bytes: number): Promise<number>;
  /** The shop's counted bytes; 0 when nothing was counted yet. */
  shopBytes(shopId: string): Promise<number>;
}
