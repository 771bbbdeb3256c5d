/**
 * The principal records behind recent API requests, kept for a moment so a
 * busy client's requests do not each read the same record from the store (a
 * round trip per request on MongoDB).
 *
 * Safe because what the request path decides with is immutable: a principal's
 * id, kind, shop and external id never change and principals are never
 * deleted. Only the display name and handle change; they may show up to
 * `ttlMs` late on another gateway (in a note's author name or a typing event),
 * and this gateway forgets a principal as soon as it changed its profile.
 */
import type { PrincipalRecord, Store } from "../store/port.js";

export interface RecentPrincipalsOptions {
  store: Pick<Store, "getPrincipal">;
  /** @default 2000 */
  ttlMs?: number;
  /** @default 10000 */
  maxEntries?: number;
  now?: () => number;
}

export class RecentPrincipals {
  readonly #store: Pick<Store, "getPrincipal">;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /** Oldest first (a hit moves its entry to the end). */
  readonly #entries = new Map<string, { record: PrincipalRecord; at: number }>();

  constructor(o: RecentPrincipalsOptions) {
    this.#store = o.store;
    this.#ttlMs = o.ttlMs ?? 2_000;
    this.#max = o.maxEntries ?? 10_000;
    this.#now = o.now ?? Date.now;
  }

  /** The record, from memory when read within the last `ttlMs`; unknown principals are never kept. */
  async get(id: string): Promise<PrincipalRecord | undefined> {
    const now = this.#now();
    const hit = this.#entries.get(id);
    this.#entries.delete(id);
    if (hit && now - hit.at < this.#ttlMs) {
      this.#entries.set(id, hit);
      return hit.record;
    }
    const record = await this.#store.getPrincipal(id);
    if (!record) return undefined;
    this.#entries.set(id, { record, at: now });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(oldest);
    }
    return record;
  }

  /** Drops `id`: its next request reads the store. */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}
