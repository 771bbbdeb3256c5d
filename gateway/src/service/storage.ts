/**
 * The per-shop storage quota and the files no message claimed.
 *
 * Every stored envelope (its JSON bytes) and every stored file (its
 * ciphertext bytes) counts against its shop's quota, in a counter the store
 * keeps per shop (`UsageStore`), shared by every gateway. A send or an upload
 * that would take the shop past its quota is refused with `quota_exceeded`
 * before anything is written: the check comes first, the write is whole or
 * absent (append, blob put), and the counter moves after the write. Sends are
 * the hot path, so a gateway adds up what it stored and writes the sum to the
 * store at most every {@link FLUSH_MS} (and when it stops), and reads a shop's
 * stored total at most that often, adding its own unwritten bytes. Gateways
 * admitting at the same moment may pass the quota by what they admitted in
 * that time; it is a quota, not a reservation. A crash loses the unwritten
 * sum (an undercount).
 *
 * Files are uploaded before the message that refers to them is sent, and the
 * gateway cannot read the (end-to-end encrypted) message to see which file it
 * names: `msg.send` carries the ids in the clear (`blobs`), which claims them.
 * The sweep deletes files no message claimed within the claim window (a day by
 * default) and gives their bytes back to the shop. {@link ShopStorage.deleteConversationFiles}
 * deletes a conversation's files, for when conversations can be deleted.
 */
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { BlobStore } from "../store/blobs/index.js";
import type { UsageStore } from "../store/port.js";

/** The default per-shop quota: 5 GiB of envelopes and files. */
export const DEFAULT_SHOP_STORAGE_QUOTA = 5 * 1024 ** 3;

/** How often a gateway writes its counted bytes to the store and re-reads a shop's total, at most, ms. */
export const FLUSH_MS = 1000;

/** Blobs looked at per sweep, at most (the next sweep takes the rest). */
const SWEEP_BATCH = 500;

export interface ShopStorageOptions {
  usage: UsageStore;
  /** Bytes a shop may store. @default {@link DEFAULT_SHOP_STORAGE_QUOTA} */
  quotaBytes?: number;
  /** The blob store, for claims and the sweep; without it claims are ignored and nothing is swept. */
  blobs?: BlobStore;
  /** How long a file may stay unclaimed, ms. @default a day */
  claimWindowMs?: number;
  log?: Logger;
  now?: () => number;
}

/** The storage quota and the sweep of unclaimed files; one per gateway. */
export class ShopStorage {
  readonly #o: ShopStorageOptions;
  readonly quotaBytes: number;
  readonly claimWindowMs: number;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;
  /** Bytes counted per shop and not yet written to the store. */
  readonly #pending = new Map<string, number>();
  /** Each shop's total as last read from (or written to) the store, and when. */
  readonly #known = new Map<string, { bytes: number; at: number }>();
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(options: ShopStorageOptions) {
    this.#o = options;
    this.quotaBytes = options.quotaBytes ?? DEFAULT_SHOP_STORAGE_QUOTA;
    this.claimWindowMs = options.claimWindowMs ?? 86_400_000;
  }

  /** Bytes the shop may still store (0 when at or over its quota). */
  async room(shopId: string): Promise<number> {
    let known = this.#known.get(shopId);
    if (!known || Date.now() - known.at >= FLUSH_MS) {
      known = { bytes: await this.#o.usage.shopBytes(shopId), at: Date.now() };
      this.#known.set(shopId, known);
    }
    return Math.max(0, this.quotaBytes - known.bytes - (this.#pending.get(shopId) ?? 0));
  }

  /** Throws `quota_exceeded` when storing `bytes` more would take the shop past its quota. */
  async admit(shopId: string, bytes: number): Promise<void> {
    if (bytes > (await this.room(shopId))) throw quotaExceeded();
  }

  /** Counts `bytes` stored (negative: freed) for the shop; written to the store within {@link FLUSH_MS}. */
  count(shopId: string, bytes: number): void {
    if (bytes === 0) return;
    this.#pending.set(shopId, (this.#pending.get(shopId) ?? 0) + bytes);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      this.flush().catch((err: unknown) => this.#o.log?.warn({ err }, "could not write storage counters"));
    }, FLUSH_MS);
    this.#flushTimer.unref?.();
  }

  /** Writes every shop's counted bytes to the store now. */
  flush(): Promise<void> {
    const run = (this.#flushing ?? Promise.resolve()).then(() => this.#flush());
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  async #flush(): Promise<void> {
    for (const [shopId, delta] of [...this.#pending]) {
      this.#pending.delete(shopId);
      try {
        this.#known.set(shopId, { bytes: await this.#o.usage.addShopBytes(shopId, delta), at: Date.now() });
      } catch (error) {
        // Kept for the next flush.
        this.#pending.set(shopId, (this.#pending.get(shopId) ?? 0) + delta);
        throw error;
      }
    }
  }

  /** Claims the files `ids` for a message of `convId`; ids of other conversations or unknown ones are ignored. */
  async claim(convId: string, ids: readonly string[] | undefined): Promise<void> {
    const blobs = this.#o.blobs;
    if (!blobs || !ids) return;
    for (const id of new Set(ids)) await blobs.claim(id, convId);
  }

  /** Deletes every file uploaded to `convId` and gives the bytes back; resolves how many were deleted. */
  async deleteConversationFiles(convId: string): Promise<number> {
    const blobs = this.#o.blobs;
    if (!blobs) return 0;
    let deleted = 0;
    for (;;) {
      const batch = await blobs.list({ convId }, SWEEP_BATCH);
      if (batch.length === 0) return deleted;
      for (const info of batch) {
        if (!(await blobs.delete(info.id))) continue;
        deleted++;
        if (info.shopId) this.count(info.shopId, -info.size);
      }
      await this.flush();
    }
  }

  /** Deletes files no message claimed within the window; resolves how many. One sweep at a time. */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<number> {
    const blobs = this.#o.blobs;
    if (!blobs) return 0;
    const now = (this.#o.now ?? Date.now)();
    const stale = await blobs.list({ unclaimedBefore: now - this.claimWindowMs }, SWEEP_BATCH);
    let deleted = 0;
    for (const info of stale) {
      // Of several gateways sweeping at once, only the one that deleted it gives the bytes back.
      if (!(await blobs.delete(info.id))) continue;
      deleted++;
      if (info.shopId) this.count(info.shopId, -info.size);
    }
    await this.flush();
    if (deleted > 0) this.#o.log?.info({ deleted }, "deleted files no message claimed");
    return deleted;
  }

  /** Sweeps every quarter of the claim window (at least every second, at most every 15 minutes). */
  start(): void {
    const every = Math.min(15 * 60_000, Math.max(1000, Math.floor(this.claimWindowMs / 4)));
    this.#timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.#o.log?.warn({ err }, "file sweep failed"));
    }, every);
    this.#timer.unref();
  }

  /** Stops sweeping, waits for a sweep under way and writes the counted bytes. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    await this.#sweeping?.catch(() => undefined);
    await this.flush().catch((err: unknown) => this.#o.log?.warn({ err }, "could not write storage counters"));
  }
}

/** `quota_exceeded`: the shop's storage is full. */
export function quotaExceeded(): GatewayError {
  return new GatewayError("quota_exceeded", "the shop's storage quota is used up; nothing was stored");
}
