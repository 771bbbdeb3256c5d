import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRINCIPAL_LIMITS } from "../nats/minter.js";
import { FIRST_BATCH, fitBudget, jsonBytes, REPLY_BUDGET_BYTES, readPage } from "./paging.js";

/** Items 1..n of the given sizes, read after a cursor like the stores do (`after`, ascending). */
function store(sizes: readonly number[]) {
  const items = sizes.map((size, i) => ({ seq: i + 1, size }));
  const reads: Array<{ after: number; rows: number }> = [];
  return {
    reads,
    source: (limit: number, after = 0, budget?: number) => ({
      limit,
      start: after,
      read: async (cursor: number, rows: number) => {
        reads.push({ after: cursor, rows });
        return items.filter((item) => item.seq > cursor).slice(0, rows);
      },
      cursorOf: (item: { seq: number }) => item.seq,
      sizeOf: (item: { size: number }) => item.size,
      ...(budget !== undefined ? { budget } : {}),
    }),
  };
}
const seqs = (page: { items: Array<{ seq: number }> }) => page.items.map((i) => i.seq);

describe("readPage", () => {
  it("asks for one row more than it needs and says there is more when it came", async () => {
    const s = store(Array(10).fill(1));
    const page = await readPage(s.source(3));
    expect(s.reads).toEqual([{ after: 0, rows: 4 }]);
    expect(seqs(page)).toEqual([1, 2, 3]);
    expect(page.hasMore).toBe(true);
  });

  it("says there is no more when exactly the limit, or fewer, exist", async () => {
    for (const n of [3, 1, 0]) {
      const page = await readPage(store(Array(n).fill(1)).source(3));
      expect(page.items).toHaveLength(n);
      expect(page.hasMore).toBe(false);
    }
  });

  it("ends a page before the item that would pass the byte budget, and says there is more", async () => {
    const page = await readPage(store([40, 40, 40, 40]).source(50, 0, 100));
    expect(seqs(page)).toEqual([1, 2]);
    expect(page.hasMore).toBe(true);
  });

  it("always gives one item, even one larger than the budget alone", async () => {
    const page = await readPage(store([500, 1]).source(50, 0, 100));
    expect(seqs(page)).toEqual([1]);
    expect(page.hasMore).toBe(true);
    const last = await readPage(store([500]).source(50, 0, 100));
    expect(last).toEqual({ items: [{ seq: 1, size: 500 }], hasMore: false });
  });

  it("reads a first small batch, then as many rows as the rest of the budget holds", async () => {
    const s = store(Array(300).fill(100));
    const page = await readPage(s.source(200, 0, 10_000));
    expect(seqs(page)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(page.hasMore).toBe(true);
    expect(s.reads[0]).toEqual({ after: 0, rows: FIRST_BATCH + 1 });
    expect(s.reads[1]?.after).toBe(FIRST_BATCH);
    expect(s.reads).toHaveLength(2);
  });

  it("reads only a few rows when the first ones already fill the budget", async () => {
    const s = store(Array(100).fill(70_000));
    const page = await readPage(s.source(100));
    expect(page.items).toHaveLength(1);
    expect(s.reads).toEqual([{ after: 0, rows: FIRST_BATCH + 1 }]);
  });

  it("following hasMore from the last item yields every item once, within limit and budget (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 1_000 }),
        async (sizes, limit, budget) => {
          const s = store(sizes);
          const seen: number[] = [];
          let after = 0;
          for (let i = 0; i <= sizes.length; i++) {
            const page = await readPage(s.source(limit, after, budget));
            expect(page.items.length).toBeLessThanOrEqual(limit);
            if (sizes.length > after) expect(page.items.length).toBeGreaterThanOrEqual(1);
            const bytes = page.items.reduce((sum, item) => sum + item.size, 0);
            if (page.items.length > 1) expect(bytes).toBeLessThanOrEqual(budget);
            seen.push(...seqs(page));
            if (!page.hasMore) break;
            after = page.items.at(-1)?.seq ?? after;
          }
          expect(seen).toEqual(sizes.map((_, i) => i + 1));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("fitBudget", () => {
  it("takes items from the front while they fit, at least one", () => {
    expect(fitBudget([40, 40, 40], 100, (n) => n)).toEqual({ items: [40, 40], hasMore: true });
    expect(fitBudget([400, 1], 100, (n) => n)).toEqual({ items: [400], hasMore: true });
    expect(fitBudget([1, 2], 100, (n) => n)).toEqual({ items: [1, 2], hasMore: false });
    expect(fitBudget([], 100, (n: number) => n)).toEqual({ items: [], hasMore: false });
  });
});

describe("the reply budget", () => {
  it("counts UTF-8 bytes of the JSON, not characters", () => {
    expect(jsonBytes({ a: "é" })).toBe(10);
    expect(JSON.stringify({ a: "é" }).length).toBe(9);
  });

  it("stays under the principals' NATS payload limit and nats-server's max_payload with room for the reply's fields", () => {
    expect(REPLY_BUDGET_BYTES + 16 * 1024).toBeLessThanOrEqual(PRINCIPAL_LIMITS.payload);
  });
});
