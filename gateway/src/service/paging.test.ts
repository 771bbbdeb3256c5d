import { describe, expect, it } from "vitest";
import { readPage } from "./paging.js";

describe("readPage", () => {
  const source = (n: number) => async (rows: number) => Array.from({ length: Math.min(rows, n) }, (_, i) => i);

  it("asks for one row more than the limit and says there is more when it came", async () => {
    const asked: number[] = [];
    const page = await readPage(3, async (rows) => {
      asked.push(rows);
      return source(10)(rows);
    });
    expect(asked).toEqual([4]);
    expect(page).toEqual({ items: [0, 1, 2], hasMore: true });
  });

  it("says there is no more when exactly the limit, or fewer, exist", async () => {
    expect(await readPage(3, source(3))).toEqual({ items: [0, 1, 2], hasMore: false });
    expect(await readPage(3, source(1))).toEqual({ items: [0], hasMore: false });
    expect(await readPage(3, source(0))).toEqual({ items: [], hasMore: false });
  });
});
