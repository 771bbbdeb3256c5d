/**
 * Server cost (issue 18): CPU of the gateway and nats-server per delivered
 * message at a few fixed send rates (open loop), with the server side pinned
 * to its own CPU and the load generator to the others (isolation.ts
 * `createPinning`), and nats-server and the gateway weighted high against
 * other processes on their CPU (`createIsolation`, where control groups can be
 * made).
 *
 * Why a phase of its own: in the closed-loop window the 33 SDK clients' crypto
 * shares the two cores with the servers, so both the rate and the servers' CPU
 * per message follow the neighbours' load, and the rate sets how many messages
 * share each store batch (one transaction, one fsync, one hand-over to the
 * writer thread). Here the rate is fixed, so each row compares with the same
 * row of another run, and the rows show how the cost per message falls as the
 * batches fill. With `shared` each rate also runs unpinned first, for
 * comparison.
 */
import type { Isolation, Pinning } from "./isolation.js";
import { cpuSeconds, type NodeChild, threadCpuSeconds } from "./procs.js";
import { now, round } from "./stats.js";
import type { SystemRig } from "./system.js";

export interface ServerCostOptions {
  /** The gateway child (for `store:writer-stats`). */
  gateway: NodeChild;
  natsPid: number;
  rig: SystemRig;
  /**
   * Offered rates, msgs/s in total over every sender; 0 is the closed loop (each sender sends again
   * as soon as acknowledged), as fast as the load generator's CPU allows, with the largest batches.
   */
  rates: number[];
  /** Window per rate. */
  ms: number;
  pinning: Pinning;
  /** Weights nats-server and the gateway high (cpu.shares / cpu.weight), or `none`. */
  weight: Isolation;
  /** Also run each rate without pinning first. */
  shared: boolean;
  /** With `--profile`: a V8 CPU profile of the gateway over the pinned rows goes here. */
  profileFile?: string | undefined;
  log: (msg: string) => void;
}

export interface ServerCostRow {
  /** `pinned`, or `shared` (no pinning, no weight). */
  placement: "pinned" | "shared";
  /** The offered rate; 0: closed loop. */
  rate: number;
  /**
   * Delivered at the agent, over the time from the first scheduled send to the last delivery: below
   * `rate` when the load generator or the servers fell behind the schedule.
   */
  msgs_per_s: number;
  gateway_us_per_msg: number;
  nats_us_per_msg: number;
  /** Appends per writer-thread batch (one transaction and fsync each) over the window; null off the embedded store. */
  msgs_per_batch: number | null;
  batches: number | null;
  delivered: number;
  p50_ms: number;
  p99_ms: number;
  cpu_seconds: { gateway: number; nats: number };
  /** The gateway's CPU per message by thread (`node (main)`, the writer thread, libuv's), user and system, us. */
  gateway_threads_us_per_msg: Record<string, { user: number; system: number }>;
}

export interface ServerCost {
  pinning: { method: string; reason?: string; servers_cpus: number[]; load_cpus: number[] };
  /** `cgroup-v1`, `cgroup-v2` or `none (reason)`. */
  weight: string;
  /** Threads of the pinned processes found allowed outside their CPUs right after pinning (0: it held). */
  unpinned_threads: number;
  /** CPU of each server process over 2 s with no load, pinned, percent of one CPU. */
  idle_cpu_pct: { gateway: number; nats: number };
  rows: ServerCostRow[];
}

type WriterStats = { batches: number; appends: number } | null;

async function writerStats(gateway: NodeChild): Promise<WriterStats> {
  const answer = await gateway.command("store:writer-stats");
  return (answer.result as WriterStats | undefined) ?? null;
}

async function measureRate(o: ServerCostOptions, rate: number, placement: ServerCostRow["placement"]) {
  const gwPid = o.gateway.pid;
  const statsBefore = await writerStats(o.gateway);
  const receivedBefore = o.rig.receivedTotal;
  const gwBefore = cpuSeconds(gwPid);
  const natsBefore = cpuSeconds(o.natsPid);
  const threadsBefore = threadCpuSeconds(gwPid);
  // rig.latency schedules its first send 200 ms ahead.
  const firstSend = now() + (rate > 0 ? 200 : 0);
  // Open loop for `ms` (or the closed loop), then until every acknowledged message arrived: the window's messages
  // and all their work.
  let lat = { p50_ms: 0, p99_ms: 0 };
  if (rate > 0) lat = await o.rig.latency(rate, o.ms);
  else {
    await o.rig.throughput(o.ms, 1_000_000);
    await o.rig.drain(15_000);
  }
  const gateway = cpuSeconds(gwPid) - gwBefore;
  const threads: ServerCostRow["gateway_threads_us_per_msg"] = {};
  const nats = cpuSeconds(o.natsPid) - natsBefore;
  const delivered = o.rig.receivedTotal - receivedBefore;
  const statsAfter = await writerStats(o.gateway);
  const batches = statsBefore && statsAfter ? statsAfter.batches - statsBefore.batches : null;
  const appends = statsBefore && statsAfter ? statsAfter.appends - statsBefore.appends : null;
  const perMsg = (s: number) => (delivered > 0 ? round((s * 1e6) / delivered, 1) : 0);
  for (const [name, after] of Object.entries(threadCpuSeconds(gwPid))) {
    const b = threadsBefore[name] ?? { user: 0, system: 0 };
    const t = { user: perMsg(after.user - b.user), system: perMsg(after.system - b.system) };
    if (t.user + t.system > 0) threads[name] = t;
  }
  const span = Math.max(o.ms, o.rig.lastReceivedAt - firstSend) / 1000;
  const row: ServerCostRow = {
    placement,
    rate,
    msgs_per_s: Math.round(delivered / span),
    gateway_us_per_msg: perMsg(gateway),
    nats_us_per_msg: perMsg(nats),
    msgs_per_batch: batches && appends !== null ? round(appends / batches, 2) : null,
    batches,
    delivered,
    p50_ms: lat.p50_ms,
    p99_ms: lat.p99_ms,
    cpu_seconds: { gateway: round(gateway, 2), nats: round(nats, 2) },
    gateway_threads_us_per_msg: threads,
  };
  o.log(
    `  ${placement} ${rate > 0 ? `${rate}/s` : "closed loop"}: delivered ${row.msgs_per_s}/s, gateway ${row.gateway_us_per_msg} us, nats-server ${row.nats_us_per_msg} us per msg, ${row.msgs_per_batch ?? "-"} msgs/batch, p50 ${row.p50_ms} p99 ${row.p99_ms} ms; gateway threads ${JSON.stringify(threads)}`,
  );
  return row;
}

/** Each rate in turn (unpinned first with `shared`, then pinned); the pinning and the weight are undone at the end. */
export async function measureServerCost(o: ServerCostOptions): Promise<ServerCost> {
  const rows: ServerCostRow[] = [];
  const servers = [o.gateway.pid, o.natsPid].filter((p) => p > 0);
  const load = [process.pid, ...o.rig.senderPids];
  let unpinned = 0;
  let idle = { gateway: 0, nats: 0 };
  try {
    for (const rate of o.rates) {
      if (o.shared) rows.push(await measureRate(o, rate, "shared"));
    }
    o.pinning.pinServers(servers);
    o.pinning.pinLoad(load);
    o.weight.addServers(servers);
    if (o.pinning.method !== "none") {
      unpinned =
        servers.reduce((sum, pid) => sum + o.pinning.threadsOutside(pid, o.pinning.servers), 0) +
        load.reduce((sum, pid) => sum + o.pinning.threadsOutside(pid, o.pinning.load), 0);
    }
    const before = { gateway: cpuSeconds(o.gateway.pid), nats: cpuSeconds(o.natsPid), at: now() };
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const seconds = (now() - before.at) / 1000;
    idle = {
      gateway: round(((cpuSeconds(o.gateway.pid) - before.gateway) / seconds) * 100, 1),
      nats: round(((cpuSeconds(o.natsPid) - before.nats) / seconds) * 100, 1),
    };
    o.log(`  pinned (${o.pinning.method}), idle cpu % ${JSON.stringify(idle)}, threads outside ${unpinned}`);
    if (o.profileFile) await o.gateway.command("prof:start");
    for (const rate of o.rates) rows.push(await measureRate(o, rate, "pinned"));
    if (o.profileFile) await o.gateway.command(`prof:stop ${o.profileFile}`);
  } finally {
    o.pinning.dispose();
    o.weight.dispose();
  }
  return {
    pinning: {
      method: o.pinning.method,
      ...(o.pinning.reason ? { reason: o.pinning.reason } : {}),
      servers_cpus: o.pinning.servers,
      load_cpus: o.pinning.load,
    },
    weight: o.weight.method === "none" ? `none (${o.weight.reason ?? "no control groups"})` : o.weight.method,
    unpinned_threads: unpinned,
    idle_cpu_pct: idle,
    rows,
  };
}

/**
 * The `system` fields of the server-cost phase: the pinned row at the highest offered rate the load
 * generator kept up with (90% delivered), else at the highest rate; and each pinned rate's (and the
 * pinned closed loop's, `closed`) figures.
 */
export function isolatedFigures(cost: ServerCost): Record<string, unknown> {
  const pinned = cost.rows.filter((r) => r.placement === "pinned");
  const kept = pinned.filter((r) => r.rate > 0 && r.msgs_per_s >= 0.9 * r.rate);
  const byRate = (a: ServerCostRow, b: ServerCostRow) => b.rate - a.rate;
  const head = [...kept].sort(byRate)[0] ?? [...pinned.filter((r) => r.rate > 0)].sort(byRate)[0];
  if (!head) return {};
  const p = cost.pinning;
  return {
    gateway_us_per_msg_isolated: head.gateway_us_per_msg,
    nats_us_per_msg_isolated: head.nats_us_per_msg,
    isolated_rate_msgs_per_s: head.rate,
    isolated_delivered_msgs_per_s: head.msgs_per_s,
    isolated_msgs_per_batch: head.msgs_per_batch,
    isolation:
      p.method === "none"
        ? `none (${p.reason ?? "unknown"}): the server-cost figures share the CPUs with the load generator`
        : `${p.method}: nats-server and the gateway on CPU ${p.servers_cpus.join(",")}, the load generator on ${p.load_cpus.join(",")}; weight ${cost.weight}`,
    server_cost_by_rate: Object.fromEntries(
      pinned.map((r) => [
        r.rate > 0 ? String(r.rate) : "closed",
        {
          msgs_per_s: r.msgs_per_s,
          gateway_us_per_msg: r.gateway_us_per_msg,
          nats_us_per_msg: r.nats_us_per_msg,
          msgs_per_batch: r.msgs_per_batch,
        },
      ]),
    ),
  };
}
