/**
 * The paging rule every list op follows: read one row more than `limit`, give
 * back at most `limit` and say whether there was more (`hasMore`), so no count
 * query is needed and a page never ends on a false "that was all".
 */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export async function readPage<T>(limit: number, read: (rows: number) => Promise<T[]>): Promise<Page<T>> {
  const rows = await read(limit + 1);
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
