/**
 * CPU isolation of the server side for the workers scaling run (main.ts,
 * scaling.ts), with Linux control groups when this process may create them
 * (root, a writable cpu controller):
 *
 * - `gateway`: the gateway processes, capped at a fixed CPU budget (cgroup v1
 *   `cpu.cfs_quota_us` / v2 `cpu.max`) and weighted high (`cpu.shares` 8192 /
 *   `cpu.weight` 800) so that the load generator cannot take that budget away;
 * - `servers`: nats-server and FerretDB, weighted high, not capped;
 * - the load generator (this process and the sender processes) stays where it
 *   is, at the default weight.
 *
 * Without control groups it says so ({@link Isolation.method} `none`) and the
 * figures are taken without isolation.
 *
 * And CPU placement for the embedded store's server-cost phase (main.ts,
 * server-cost.ts): {@link createPinning} pins every thread of nats-server and
 * the gateway to one CPU and the load generator to the others, with
 * `taskset -a -p -c` (sched_setaffinity; threads started later inherit it),
 * or says why it cannot ({@link Pinning.method} `none`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const V1_CPU = "/sys/fs/cgroup/cpu";
const V2_ROOT = "/sys/fs/cgroup";
/** CFS period, µs (the kernel's default). */
const PERIOD_US = 100_000;

export interface Isolation {
  /** `cgroup-v1` (cpu.cfs_quota_us, cpu.shares), `cgroup-v2` (cpu.max, cpu.weight) or `none`. */
  method: "cgroup-v1" | "cgroup-v2" | "none";
  /** Why `none`, when it is. */
  reason?: string;
  /** Sets the gateway group's CPU budget, in CPUs (0.5: half a core's time over every 100 ms); undefined: no cap. */
  setGatewayBudget(cpus: number | undefined): void;
  /** Shell prefix that starts a command inside the gateway group: `sh -c '<prefix> exec "$@"'`. */
  gatewayShellPrefix(): string;
  /** Moves running processes (nats-server, FerretDB) into the servers group. */
  addServers(pids: number[]): void;
  /** Moves every process back to the root group and removes the groups. */
  dispose(): void;
}

/** Creates the two groups, or returns an {@link Isolation} of method `none` saying why not. */
export function createIsolation(name = `parley-bench-${process.pid}`): Isolation {
  const v2 = existsSync(join(V2_ROOT, "cgroup.controllers"));
  const root = v2 ? V2_ROOT : V1_CPU;
  if (!v2 && !existsSync(join(V1_CPU, "cpu.cfs_quota_us"))) return none("no cgroup cpu controller found");
  if (v2 && !readFileSync(join(V2_ROOT, "cgroup.subtree_control"), "utf8").includes("cpu")) {
    try {
      writeFileSync(join(V2_ROOT, "cgroup.subtree_control"), "+cpu");
    } catch (err) {
      return none(`cannot enable the cgroup v2 cpu controller: ${(err as Error).message}`);
    }
  }
  const gateway = join(root, `${name}-gateway`);
  const servers = join(root, `${name}-servers`);
  try {
    mkdirSync(gateway, { recursive: true });
    mkdirSync(servers, { recursive: true });
    if (v2) {
      writeFileSync(join(gateway, "cpu.weight"), "800");
      writeFileSync(join(servers, "cpu.weight"), "800");
    } else {
      writeFileSync(join(gateway, "cpu.shares"), "8192");
      writeFileSync(join(servers, "cpu.shares"), "8192");
    }
  } catch (err) {
    removeGroups([gateway, servers]);
    return none(`cannot create cgroups under ${root}: ${(err as Error).message}`);
  }
  return {
    method: v2 ? "cgroup-v2" : "cgroup-v1",
    setGatewayBudget(cpus) {
      const quota = cpus === undefined ? undefined : Math.round(cpus * PERIOD_US);
      if (v2) writeFileSync(join(gateway, "cpu.max"), `${quota ?? "max"} ${PERIOD_US}`);
      else {
        writeFileSync(join(gateway, "cpu.cfs_period_us"), String(PERIOD_US));
        writeFileSync(join(gateway, "cpu.cfs_quota_us"), String(quota ?? -1));
      }
    },
    gatewayShellPrefix() {
      return `echo $$ > ${join(gateway, "cgroup.procs")} &&`;
    },
    addServers(pids) {
      for (const pid of pids) {
        writeFileSync(join(servers, "cgroup.procs"), String(pid));
      }
    },
    dispose() {
      for (const group of [gateway, servers]) {
        for (const pid of members(group)) moveTo(root, pid);
      }
      removeGroups([gateway, servers]);
    },
  };
}

function none(reason: string): Isolation {
  return {
    method: "none",
    reason,
    setGatewayBudget() {},
    gatewayShellPrefix: () => "",
    addServers() {},
    dispose() {},
  };
}

function members(group: string): number[] {
  try {
    return readFileSync(join(group, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function moveTo(root: string, pid: number): void {
  try {
    writeFileSync(join(root, "cgroup.procs"), String(pid));
  } catch {
    // gone meanwhile
  }
}

function removeGroups(groups: string[]): void {
  for (const group of groups) {
    try {
      rmdirSync(group);
    } catch {
      // not there, or a process is still leaving
    }
  }
}

/** CPU numbers of a kernel CPU list such as `0-3,6` (`Cpus_allowed_list`, `cpuset.cpus`). */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: ${JSON.stringify(list)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let cpu = from; cpu <= to; cpu++) out.push(cpu);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Where the server-cost phase puts the server side and the load generator, or why it cannot split them. */
export type CpuSplit = { servers: number[]; load: number[] } | { reason: string };

/**
 * One CPU for the server side (nats-server and the gateway), the others for the load generator.
 * The last allowed CPU goes to the servers, since CPU 0 usually takes more of the device interrupts;
 * one CPU is enough for them at the phase's rates and keeps the figure comparable across machines.
 * Fewer than two CPUs: nothing to hold the load generator apart on.
 */
export function splitCpus(allowed: number[]): CpuSplit {
  const cpus = [...new Set(allowed)].sort((a, b) => a - b);
  const last = cpus.at(-1);
  if (last === undefined || cpus.length < 2) {
    return {
      reason: `${cpus.length} CPU${cpus.length === 1 ? "" : "s"} allowed: no second CPU for the load generator`,
    };
  }
  return { servers: [last], load: cpus.slice(0, -1) };
}

export interface Pinning {
  /** `taskset` (sched_setaffinity of every thread) or `none`. */
  method: "taskset" | "none";
  /** Why `none`, when it is. */
  reason?: string;
  /** The CPUs of the server side and of the load generator (empty with `none`). */
  servers: number[];
  load: number[];
  /** Pins every thread of each process to the servers' CPUs. */
  pinServers(pids: number[]): void;
  /** Pins every thread of each process to the load generator's CPUs. */
  pinLoad(pids: number[]): void;
  /** Threads of `pid` allowed on a CPU outside `cpus` (0 when the pinning held). */
  threadsOutside(pid: number, cpus: number[]): number;
  /** Gives every process pinned here all the CPUs it was allowed before. */
  dispose(): void;
}

export interface PinningOptions {
  /**
   * The CPUs to split, as a kernel CPU list.
   * @default this process's `Cpus_allowed_list` (/proc/self/status)
   */
  allowed?: string;
  /**
   * The taskset binary.
   * @default "taskset" (on PATH)
   */
  taskset?: string;
}

/** Splits the allowed CPUs ({@link splitCpus}) and pins with taskset, or returns a {@link Pinning} of method `none` saying why not. */
export function createPinning(options: PinningOptions = {}): Pinning {
  const taskset = options.taskset ?? "taskset";
  let allowedList: string;
  try {
    allowedList = options.allowed ?? allowedCpuList(process.pid);
  } catch (err) {
    return noPinning(`cannot read the allowed CPUs: ${(err as Error).message}`);
  }
  const split = splitCpus(parseCpuList(allowedList));
  if ("reason" in split) return noPinning(split.reason);
  try {
    execFileSync(taskset, ["-p", String(process.pid)], { stdio: "pipe" });
  } catch (err) {
    return noPinning(`taskset does not run (${taskset}): ${(err as Error).message.split("\n")[0]}`);
  }
  const pinned = new Set<number>();
  const pin = (pids: number[], cpus: number[]) => {
    for (const pid of pids) {
      execFileSync(taskset, ["-a", "-p", "-c", cpus.join(","), String(pid)], { stdio: "pipe" });
      pinned.add(pid);
    }
  };
  return {
    method: "taskset",
    servers: split.servers,
    load: split.load,
    pinServers: (pids) => pin(pids, split.servers),
    pinLoad: (pids) => pin(pids, split.load),
    threadsOutside,
    dispose() {
      for (const pid of pinned) {
        try {
          execFileSync(taskset, ["-a", "-p", "-c", allowedList.trim(), String(pid)], { stdio: "pipe" });
        } catch {
          // gone meanwhile
        }
      }
      pinned.clear();
    },
  };
}

function noPinning(reason: string): Pinning {
  return {
    method: "none",
    reason,
    servers: [],
    load: [],
    pinServers() {},
    pinLoad() {},
    threadsOutside: () => 0,
    dispose() {},
  };
}

/** `Cpus_allowed_list` of a process (or thread: `pid/task/tid`) from /proc. */
function allowedCpuList(pid: number | string): string {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const line = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
  if (!line?.[1]) throw new Error(`no Cpus_allowed_list in /proc/${pid}/status`);
  return line[1];
}

function threadsOutside(pid: number, cpus: number[]): number {
  const ok = new Set(cpus);
  let outside = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (parseCpuList(allowedCpuList(`${pid}/task/${tid}`)).some((cpu) => !ok.has(cpu))) outside++;
    } catch {
      // gone meanwhile
    }
  }
  return outside;
}
