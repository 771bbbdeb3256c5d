/**
 * Counted instead of timed: what nats-server handled over a window, for the
 * per-message figures that do not move with the neighbours' load (CPU seconds
 * do, about 2x on this shared machine). The NATS messages in and out come from
 * the server's `/varz` counters; its socket system calls from `perf stat` on
 * its pid, when perf is installed and allowed (otherwise they are left out).
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsHarness } from "../test/harness/nats.js";

interface MsgCounters {
  in_msgs: number;
  out_msgs: number;
}

async function msgCounters(nats: NatsHarness): Promise<MsgCounters> {
  const res = await fetch(`${nats.monitorUrl}/varz`, { signal: AbortSignal.timeout(5_000) });
  const { in_msgs, out_msgs } = (await res.json()) as MsgCounters;
  return { in_msgs, out_msgs };
}

/** The system calls counted: socket reads and writes, and the waits between them. */
const SYSCALLS = ["read", "write", "writev", "epoll_pwait", "futex"] as const;

/** What one window counted. */
export interface NatsCounts {
  in_msgs: number;
  out_msgs: number;
  /** By system call name; absent when perf could not attach. */
  syscalls?: Record<string, number>;
}

/** A window over nats-server's counters: started now, read by `stop()`. */
export interface NatsCountWindow {
  stop(): Promise<NatsCounts>;
}

/** Starts counting nats-server's messages (and, with perf, its system calls; `pid` 0 skips them). */
export async function countNats(nats: NatsHarness, pid: number): Promise<NatsCountWindow> {
  const before = await msgCounters(nats);
  const perf = pid > 0 ? startPerf(pid) : undefined;
  return {
    async stop() {
      const after = await msgCounters(nats);
      const syscalls = await perf?.stop();
      return {
        in_msgs: after.in_msgs - before.in_msgs,
        out_msgs: after.out_msgs - before.out_msgs,
        ...(syscalls ? { syscalls } : {}),
      };
    },
  };
}

/** `perf stat` on `pid` until stopped (SIGINT makes it write its counts); undefined counts when it failed. */
function startPerf(pid: number): { stop(): Promise<Record<string, number> | undefined> } {
  const out = join(tmpdir(), `parley-bench-perf-${process.pid}-${pid}.csv`);
  const events = SYSCALLS.map((s) => `syscalls:sys_enter_${s}`).join(",");
  let failed = false;
  const child = spawn("perf", ["stat", "-x", ",", "-o", out, "-e", events, "-p", String(pid)], { stdio: "ignore" });
  child.on("error", () => {
    failed = true;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    async stop() {
      if (!failed) child.kill("SIGINT");
      const code = await exited;
      try {
        if (failed || (code !== 0 && code !== null)) return undefined;
        return parsePerfCsv(await readFile(out, "utf8"));
      } catch {
        return undefined;
      } finally {
        await rm(out, { force: true });
      }
    },
  };
}

/** `perf stat -x ,` lines: `count,unit,event,...`; "<not supported>" counts are left out. */
function parsePerfCsv(text: string): Record<string, number> | undefined {
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [count, , event] = line.split(",");
    const name = event?.replace(/^syscalls:sys_enter_/, "");
    const n = Number(count);
    if (name && name !== event && Number.isFinite(n)) counts[name] = n;
  }
  return Object.keys(counts).length > 0 ? counts : undefined;
}
