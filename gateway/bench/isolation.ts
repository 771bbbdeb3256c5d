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
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
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
