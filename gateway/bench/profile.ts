/**
 * Summarises a V8 CPU profile (`.cpuprofile`): self time by function and by
 * where the code lives (a package, the gateway, the SDK, Node internals, GC).
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  total_ms: number;
  /** Percent of samples per area. */
  areas: { area: string; pct: number }[];
  /** Top functions by self time. */
  top: { fn: string; where: string; pct: number }[];
}

function area(url: string, fn: string): string {
  if (fn === "(garbage collector)") return "gc";
  if (fn === "(idle)") return "idle";
  if (fn === "(program)") return "program (native, outside JS)";
  if (url === "") return "native/builtin";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith("node:")) return "node internals";
  if (url.includes("/gateway/src/")) return `gateway/src/${url.split("/gateway/src/")[1]?.split("/")[0] ?? ""}`;
  if (url.includes("/sdk/src/")) return "sdk/src";
  if (url.includes("/gateway/bench/")) return "bench";
  return url.replace(/^.*\//, "");
}

export async function summariseProfile(file: string, topN = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    // tsx-compiled sources report line 1; keep the line only where it means something.
    const file = url.replace(/^.*\/(node_modules|gateway|sdk)\//, "$1/");
    const where = url ? (lineNumber > 0 ? `${file}:${lineNumber + 1}` : file) : "";
    const key = `${functionName}@${where}`;
    const entry = fns.get(key) ?? { fn: functionName || "(anonymous)", where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, total)) / 10;
  return {
    file,
    total_ms: Math.round(total / 1000),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 14)
      .map(([a, us]) => ({ area: a, pct: pct(us) })),
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ fn: f.fn, where: f.where, pct: pct(f.us) })),
  };
}
