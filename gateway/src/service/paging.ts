/**
 * The paging rule every list op with a continuation follows: a page ends at
 * `limit` items or when the next item would take the reply past
 * {@link REPLY_BUDGET_BYTES} of JSON, whichever comes first, and always holds
 * at least one item when there is one. `hasMore` says whether more follow;
 * the caller continues from the last item it got (its seq, epoch, ...), so a
 * page never ends on a false "that was all" and no count query is needed.
 *
 * Why bytes as well as a count: a reply travels as one NATS message, and a
 * page of 50 envelopes at the largest allowed ciphertext is 3.3 MB, far over
 * nats-server's `max_payload` (256 KiB); such a reply is never delivered and
 * the request times out, for every page of the conversation.
 *
 * Rows are read in batches after a cursor (one row more than the batch, to
 * know whether more exist): a first small batch, then as many as the rest of
 * the budget holds at the sizes seen so far. So a page of small items costs
 * two reads, and a page of the largest ones reads a few rows, not `limit`.
 */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/**
 * The most bytes of JSON the items of one reply may take: below the smallest
 * payload limit along the way (128 KiB, the principals' NATS JWT `payload`;
 * nats-server's `max_payload` and the accounts' are 256 KiB), with 16 KiB left
 * for the reply's own fields. One item larger than this is still sent alone
 * (a message envelope is at most ~66 KB of JSON, so none is).
 */
export const REPLY_BUDGET_BYTES = 112 * 1024;

/** Rows in the first read of a page, before any size is known. */
export const FIRST_BATCH = 8;

/** The size of an item in a reply: the UTF-8 bytes of its JSON. */
export function jsonBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item), "utf8");
}

/** How {@link readPage} reads one page. */
export interface PageSource<T, C> {
  /** The most items the page may hold (the request's limit). */
  limit: number;
  /** Where the page starts (the request's `before` or `after`). */
  start: C;
  /** Reads up to `rows` items after `cursor`, in page order. */
  read: (cursor: C, rows: number) => Promise<T[]>;
  /** The cursor after `item`: where the next read (and the caller's next page) continues. */
  cursorOf: (item: T) => C;
  /** @default REPLY_BUDGET_BYTES */
  budget?: number;
  /** @default jsonBytes */
  sizeOf?: (item: T) => number;
}

/** Reads one page: at most `limit` items and at most `budget` bytes of them, at least one when any exist. */
export async function readPage<T, C>(source: PageSource<T, C>): Promise<Page<T>> {
  const budget = source.budget ?? REPLY_BUDGET_BYTES;
  const sizeOf = source.sizeOf ?? jsonBytes;
  const items: T[] = [];
  let used = 0;
  let cursor = source.start;
  let batch = Math.min(source.limit, FIRST_BATCH);
  for (;;) {
    const want = Math.min(batch, source.limit - items.length);
    const rows = await source.read(cursor, want + 1);
    const taken = Math.min(rows.length, want);
    for (let i = 0; i < taken; i++) {
      const item = rows[i] as T;
      const size = sizeOf(item);
      if (items.length > 0 && used + size > budget) return { items, hasMore: true };
      items.push(item);
      used += size;
    }
    if (rows.length <= want) return { items, hasMore: false };
    if (items.length >= source.limit) return { items, hasMore: true };
    cursor = source.cursorOf(items[items.length - 1] as T);
    // As many rows as the rest of the budget holds at the average size so far (a few more never hurt: the loop stops at the budget).
    batch = Math.max(FIRST_BATCH, Math.ceil((budget - used) / (used / items.length)) + 1);
  }
}

/**
 * Takes items from the front of `items` while they fit `budget` bytes (at least one): for lists read
 * whole (bounded in count) whose reply must still fit one NATS message. `hasMore` when some were left.
 */
export function fitBudget<T>(
  items: readonly T[],
  budget = REPLY_BUDGET_BYTES,
  sizeOf: (item: T) => number = jsonBytes,
): Page<T> {
  let used = 0;
  let n = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (n > 0 && used + size > budget) break;
    used += size;
    n++;
  }
  return { items: items.slice(0, n), hasMore: n < items.length };
}
