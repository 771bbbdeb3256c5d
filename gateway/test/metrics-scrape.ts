/** Reading a real `/metrics` scrape in tests: fetch it, sum the samples of one series, list metric names. */

/** The scrape text of `url` (a gateway's `metricsUrl`) with `token` as its bearer token. */
export async function scrape(url: string, token: string): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
  return res.text();
}

/** `name{a="x",b="y"} 12` → labels and value; undefined for comments and other lines. */
function parseLine(line: string): { name: string; labels: Record<string, string>; value: number } | undefined {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!match?.[1] || match[3] === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    if (pair[1]) labels[pair[1]] = pair[2] ?? "";
  }
  return { name: match[1], labels, value: Number(match[3]) };
}

/** The sum of every sample of `name` whose labels include `labels` (0 when there is none). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const s = parseLine(line);
    if (!s || s.name !== name) continue;
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** Every label set of `name`'s samples. */
export function labelSets(text: string, name: string): Array<Record<string, string>> {
  return text
    .split("\n")
    .map(parseLine)
    .filter((s) => s?.name === name)
    .map((s) => s?.labels ?? {});
}

/**
 * Whether the scrape declares `name`: a `# TYPE` line for it, or for the histogram whose
 * `_bucket`, `_sum` or `_count` series it is.
 */
export function declares(text: string, name: string): boolean {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) if (m[1] && m[2]) types.set(m[1], m[2]);
  if (types.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return base !== name && (types.get(base) === "histogram" || types.get(base) === "summary");
}
