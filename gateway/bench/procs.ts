/**
 * Child processes of the benchmark: every one is tracked and killed when the
 * run ends, fails or is interrupted (SIGINT/SIGTERM). Also reads CPU time of
 * processes from /proc (Linux) so each phase can say which process was busy.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const c of children) c.kill("SIGKILL");
  });
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nbench: ${signal}, stopping children\n`);
    void runCleanups().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

/** Registers an async cleanup (stop a server, remove a temp dir); run in reverse order by {@link runCleanups}. */
export function onCleanup(fn: () => Promise<void>): void {
  hook();
  cleanups.push(fn);
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    await Promise.race([fn?.().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
  }
  for (const c of children) c.kill("SIGKILL");
}

export interface NodeChild {
  child: ChildProcess;
  pid: number;
  /** The JSON the child printed on its `READY ` line. */
  ready: Record<string, unknown>;
  /** Sends one command line to the child's stdin and resolves with its `DONE <json>` answer. */
  command(line: string): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node --conditions=source --import tsx gateway/bench/child.ts` (from the repository root)
 * with `options` as JSON in BENCH_CHILD; resolves once it prints `READY {json}`.
 */
export async function spawnNodeChild(options: Record<string, unknown>, nodeArgs: string[] = []): Promise<NodeChild> {
  hook();
  // `source`: @parley/* resolve to their TypeScript sources (the packages' export condition), as in the tests.
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--conditions=source", "--import", "tsx", "gateway/bench/child.ts"],
    {
      cwd: process.cwd(),
      env: { ...process.env, BENCH_CHILD: JSON.stringify(options) },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => children.delete(child));
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  let onReady: ((v: Record<string, unknown>) => void) | undefined;
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on("line", (line) => {
    if (line.startsWith("READY ")) onReady?.(JSON.parse(line.slice(6)) as Record<string, unknown>);
    else if (line.startsWith("DONE ")) waiting.shift()?.(JSON.parse(line.slice(5)) as Record<string, unknown>);
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    onReady = resolve;
    const timer = setTimeout(() => reject(new Error(`child ${String(options.role)} not ready:\n${stderr}`)), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${String(options.role)} exited (${code}):\n${stderr}`));
    });
    void exited;
  }).finally(() => {
    onReady = undefined;
  });
  return {
    child,
    pid: child.pid ?? 0,
    ready,
    command(line) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin?.write(`${line}\n`);
      });
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (Linux /proc), or 0 when unknown. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Pids of this process's direct children whose command name is `comm` (e.g. `nats-server`). */
export function childPidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (name === comm && ppid === process.pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds of named processes over a window: call `start()`, run, call the returned `stop()`. */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const self = process.cpuUsage();
  return () => {
    const out: Record<string, number> = {};
    for (const [k, pid] of Object.entries(pids)) out[k] = cpuSeconds(pid) - (before[k] ?? 0);
    const d = process.cpuUsage(self);
    out.bench = (d.user + d.system) / 1e6;
    return out;
  };
}

/** CPU seconds (user, system) of a process's threads so far, by thread name, the main thread apart (Linux /proc). */
export function threadCpuSeconds(pid: number): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const name = tid === String(pid) ? `${comm} (main)` : comm;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const entry = out[name] ?? { user: 0, system: 0 };
      entry.user += Number(fields[11]) / TICKS_PER_SECOND;
      entry.system += Number(fields[12]) / TICKS_PER_SECOND;
      out[name] = entry;
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
