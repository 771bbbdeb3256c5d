/** Small numeric helpers for the benchmark: percentiles, rounding, timing. */

/** The p-th percentile (0-100) of `values` by nearest rank; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds since the Unix epoch with sub-millisecond resolution: monotonic
 * within a process, and comparable between the benchmark's processes on one
 * machine (each one's `timeOrigin` is read from the same clock).
 */
export const now = () => performance.timeOrigin + performance.now();

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; resolves whether it did. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
export async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Counts how many times each key was seen. */
export class Tally {
  readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  has(key: string): boolean {
    return this.counts.has(key);
  }
  /** Extra sightings beyond the first, summed over keys. */
  get duplicated(): number {
    let extra = 0;
    for (const c of this.counts.values()) extra += c - 1;
    return extra;
  }
  get size(): number {
    return this.counts.size;
  }
}
