/**
 * Workers scaling: closed-loop send throughput of the real `parley-gateway`
 * binary (gateway/src/main.ts) run with `--workers 1`, then `--workers 2`, on
 * the MongoDB store, with the same senders and agent as the system runs.
 *
 * On a 2-core machine the load generator's crypto takes most of the cores, so
 * an unisolated 1-vs-2 comparison measures the clients. Here every worker
 * process gets the same fixed CPU budget (isolation.ts: the gateway processes
 * in a control group capped at `workers x cpusPerWorker`, weighted so the load
 * generator cannot take it), as if each brought its own core; nats-server and
 * FerretDB are weighted high and not capped. The ratio then says whether a
 * second process adds what its budget allows, or the store, NATS or the
 * hand-off between processes holds it back.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { NatsHarness } from "../test/harness/nats.js";
import { freePort } from "../test/harness/ports.js";
import { AGENT, SHOP } from "./clients.js";
import type { Isolation } from "./isolation.js";
import { childPidsNamed, cpuSeconds, onCleanup, threadCpuSeconds } from "./procs.js";
import { round, waitFor } from "./stats.js";
import { SystemRig } from "./system.js";
import { callsPerMessage, InspectorSession, type StoreCalls, scrapeStoreCalls } from "./worker-probes.js";

export interface ScalingOptions {
  nats: NatsHarness;
  mongo: { uri: string; dbName: string };
  /** A directory for the gateway's auth and shops files. */
  work: string;
  isolation: Isolation;
  /** CPU budget of each gateway worker process, in CPUs. */
  cpusPerWorker: number;
  senders: number;
  senderProcs: number;
  throughputMs: number;
  /** Messages each sender sends before the window (uncapped): the workers' code warms up. */
  warmUpPerSender: number;
  /** With `--profile`: where each worker's CPU profile of the window goes. */
  profileDir?: string | undefined;
  log: (msg: string) => void;
}

export interface ScalingRun {
  workers: number;
  msgs_per_s: number;
  seconds: number;
  /** Gateway CPU (every worker process) per delivered message. */
  gateway_us_per_msg: number;
  nats_us_per_msg: number;
  /** CPU seconds over the window: each worker process (`gateway1`, ...), the supervisor (2 workers) and nats-server. */
  cpu_seconds: Record<string, number>;
  /** Each worker's CPU while no client is connected (3 s, uncapped), percent of one core. */
  idle_cpu_pct: Record<string, number>;
  /** Store calls (`parley_store_duration_seconds_count`) per delivered message over the window, by worker and operation. */
  store_calls_per_msg: Record<string, Record<string, number>>;
  /** Store calls of every worker per delivered message. */
  store_calls_per_msg_total: number;
  /** `parley_store_errors_total` over the window, every worker. */
  store_errors: number;
  lost: number;
  duplicated: number;
}

/** Runs the binary with `--workers 1` and `--workers 2`; the figures of each. */
export async function measureScaling(o: ScalingOptions): Promise<ScalingRun[]> {
  const authFile = join(o.work, "scaling-nats-auth.json");
  const shopsFile = join(o.work, "scaling-shops.json");
  await writeFile(
    authFile,
    JSON.stringify({ appAccountPub: o.nats.auth.appAccountPub, appSigningSeed: o.nats.auth.appSigningSeed }),
  );
  await writeFile(
    shopsFile,
    JSON.stringify({
      shops: [
        {
          id: SHOP.id,
          name: "Bench Shop",
          tokenKey: { alg: "HS256", secret: SHOP.secret },
          allowedOrigins: SHOP.origins,
          agents: [{ ...AGENT, displayName: "Bench Agent", role: "admin" }],
        },
      ],
    }),
  );
  const runs: ScalingRun[] = [];
  for (const workers of [1, 2]) {
    // Uncapped while starting and connecting the clients (not what is measured), capped for the window.
    o.isolation.setGatewayBudget(undefined);
    const gw = await startBinary(o, workers, authFile, shopsFile);
    try {
      runs.push(await measure(o, gw, workers));
    } finally {
      o.isolation.setGatewayBudget(undefined);
      await gw.stop();
    }
  }
  return runs;
}

interface Binary {
  url: string;
  /** The worker processes (the process itself with one worker). */
  gatewayPids: number[];
  /** The process started: the supervisor with several workers. */
  supervisorPid: number;
  /** Each worker's `/metrics` URL, in worker order (as `gatewayPids`). */
  metricsUrls: string[];
  /** Each worker's inspector WebSocket URL (with `profileDir`), in worker order. */
  inspectorUrls: string[];
  stop(): Promise<void>;
}

async function startBinary(o: ScalingOptions, workers: number, authFile: string, shopsFile: string): Promise<Binary> {
  const port = await freePort();
  // Worker n's inspector listens on the supervisor's port + n (node:cluster), the process's own with one worker.
  const inspectPort = o.profileDir ? await freePort() : 0;
  const child: ChildProcess = spawn(
    "/bin/sh",
    [
      "-c",
      `${o.isolation.gatewayShellPrefix()} exec "$@"`,
      "sh",
      process.execPath,
      ...(o.profileDir ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
      "--conditions=source",
      "--import",
      "tsx",
      "gateway/src/main.ts",
      "--workers",
      String(workers),
    ],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        PARLEY_HOST: "127.0.0.1",
        PARLEY_PORT: String(port),
        NATS_URL: o.nats.url,
        NATS_WS_URL: o.nats.wsUrl,
        NATS_AUTH_FILE: authFile,
        PARLEY_SHOPS_FILE: shopsFile,
        MONGODB_URI: o.mongo.uri,
        MONGODB_DB: `${o.mongo.dbName}_w${workers}`,
        PARLEY_SESSION_SECRET: "bench-session-secret-0123456789abcdefghij",
        PARLEY_JWT_TTL: "600",
        PARLEY_LOG_LEVEL: "info",
        // Each worker's own metrics listener on a free port (its URL is logged): store calls by operation.
        PARLEY_METRICS_PORT: "0",
        // As in the other system runs: the per-principal send limit would cap each sender.
        PARLEY_SEND_RATE: "1000000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  let started = 0;
  const metricsUrls = new Map<number, string>();
  const workerPids = new Map<number, number>();
  const inspectors = new Map<number, string>();
  const onLine = (line: string) => {
    output = `${output}${line}\n`.slice(-8000);
    if (line.includes('"msg":"gateway started"')) started++;
    if (line.includes('"msg":"metrics listening"')) {
      const { worker, url } = JSON.parse(line) as { worker?: number; url: string };
      metricsUrls.set(worker ?? 1, url);
    }
    if (line.includes('"msg":"worker listening"')) {
      const { worker, pid } = JSON.parse(line) as { worker: number; pid: number };
      workerPids.set(worker, pid);
    }
    const inspector = /Debugger listening on (ws:\/\/127\.0\.0\.1:(\d+)\/\S+)/.exec(line);
    if (inspector?.[1] && (workers === 1 || Number(inspector[2]) !== inspectPort)) {
      inspectors.set(Number(inspector[2]), inspector[1]);
    }
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", onLine);
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", onLine);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      for (const pid of childPids(child.pid ?? 0)) process.kill(pid, "SIGKILL");
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  onCleanup(stop);
  const up = await waitFor(
    () =>
      (started >= workers && metricsUrls.size >= workers && (workers === 1 || workerPids.size >= workers)) ||
      child.exitCode !== null,
    60_000,
    100,
  );
  if (!up || child.exitCode !== null) {
    await stop();
    throw new Error(`parley-gateway --workers ${workers} did not start:\n${output}`);
  }
  const pid = child.pid ?? 0;
  const gatewayPids = workers === 1 ? [pid] : [...workerPids.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  const urls = [...metricsUrls.entries()].sort((a, b) => a[0] - b[0]).map(([, url]) => url);
  const inspectorUrls = [...inspectors.entries()].sort((a, b) => a[0] - b[0]).map(([, url]) => url);
  return { url: `http://127.0.0.1:${port}`, gatewayPids, supervisorPid: pid, metricsUrls: urls, inspectorUrls, stop };
}

async function measure(o: ScalingOptions, gw: Binary, workers: number): Promise<ScalingRun> {
  o.log(`scaling: --workers ${workers}, ${workers * o.cpusPerWorker} CPUs for the gateway (${o.isolation.method})`);
  const pids = gw.gatewayPids;
  const named = Object.fromEntries(pids.map((pid, i) => [`gateway${i + 1}`, pid]));
  // What each worker spends with no client at all: pollers and timers, paid whatever the load.
  const idleBefore = Object.fromEntries(Object.entries(named).map(([k, p]) => [k, cpuSeconds(p)]));
  const idleStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idleSeconds = (performance.now() - idleStarted) / 1000;
  const idle: Record<string, number> = {};
  for (const [k, pid] of Object.entries(named)) {
    idle[k] = round(((cpuSeconds(pid) - (idleBefore[k] ?? 0)) / idleSeconds) * 100, 1);
  }
  const rig = await SystemRig.start(gw.url, o.senderProcs);
  const inspectors = await Promise.all(gw.inspectorUrls.map((url) => InspectorSession.open(url)));
  try {
    await rig.addSenders(o.senders);
    await rig.warmUp(o.warmUpPerSender);
    await rig.drain(10_000);
    o.isolation.setGatewayBudget(workers * o.cpusPerWorker);
    const natsPid = childPidsNamed("nats-server")[0] ?? 0;
    const others: Record<string, number> = { nats: natsPid };
    if (workers > 1) others.supervisor = gw.supervisorPid;
    const all = { ...named, ...others };
    const scrape = () => Promise.all(gw.metricsUrls.map((url) => scrapeStoreCalls(url)));
    const callsBefore = await scrape();
    await Promise.all(inspectors.map((i) => i.startProfile()));
    const before = Object.fromEntries(Object.entries(all).map(([k, p]) => [k, cpuSeconds(p)]));
    const threadsBefore = pids.map((p) => threadCpuSeconds(p));
    const receivedBefore = rig.receivedTotal;
    const tp = await rig.throughput(o.throughputMs, 1_000_000);
    const delivered = rig.receivedTotal - receivedBefore;
    const cpu: Record<string, number> = {};
    for (const [k, pid] of Object.entries(all)) {
      cpu[k] = round(cpuSeconds(pid) - (before[k] ?? 0), 2);
    }
    const threads: Record<string, Record<string, string>> = {};
    pids.forEach((p, i) => {
      const b = threadsBefore[i] ?? {};
      const t: Record<string, string> = {};
      for (const [name, a] of Object.entries(threadCpuSeconds(p))) {
        const u = round(a.user - (b[name]?.user ?? 0), 2);
        const sys = round(a.system - (b[name]?.system ?? 0), 2);
        if (u + sys > 0) t[name] = `${u}u+${sys}s`;
      }
      threads[`gateway${i + 1}`] = t;
    });
    o.log(`  threads: ${JSON.stringify(threads)}`);
    const callsAfter = await scrape();
    await Promise.all(
      inspectors.map((i, n) =>
        i.stopProfile(join(o.profileDir ?? "", `scaling-w${workers}-gateway${n + 1}.cpuprofile`)),
      ),
    );
    await rig.drain(15_000);
    const integrity = rig.integrity();
    const gatewayCpu = Object.entries(cpu)
      .filter(([k]) => k.startsWith("gateway"))
      .reduce((sum, [, v]) => sum + v, 0);
    const perMsg = (seconds: number) => (delivered > 0 ? round((seconds * 1e6) / delivered, 1) : 0);
    const calls: Record<string, Record<string, number>> = {};
    let callsTotal = 0;
    let errors = 0;
    pids.forEach((_, i) => {
      const b = callsBefore[i] as StoreCalls;
      const a = callsAfter[i] as StoreCalls;
      calls[`gateway${i + 1}`] = callsPerMessage(b, a, delivered);
      callsTotal += Object.values(calls[`gateway${i + 1}`] ?? {}).reduce((sum, v) => sum + v, 0);
      errors += a.errors - b.errors;
      o.log(
        `  gateway${i + 1} rpc/msg ${JSON.stringify(callsPerMessage({ byOperation: b.rpc, errors: 0, rpc: {} }, { byOperation: a.rpc, errors: 0, rpc: {} }, delivered))}`,
      );
    });
    const run: ScalingRun = {
      workers,
      msgs_per_s: tp.msgs_per_s,
      seconds: tp.seconds,
      gateway_us_per_msg: perMsg(gatewayCpu),
      nats_us_per_msg: perMsg(cpu.nats ?? 0),
      cpu_seconds: cpu,
      idle_cpu_pct: idle,
      store_calls_per_msg: calls,
      store_calls_per_msg_total: round(callsTotal, 2),
      store_errors: errors,
      lost: integrity.lost,
      duplicated: integrity.duplicated,
    };
    o.log(
      `  ${tp.msgs_per_s} msgs/s; cpu seconds ${JSON.stringify(cpu)}; idle cpu % ${JSON.stringify(idle)}; ` +
        `store calls/msg ${run.store_calls_per_msg_total} ${JSON.stringify(calls)}; lost/dup ${run.lost}/${run.duplicated}`,
    );
    return run;
  } finally {
    for (const i of inspectors) i.close();
    await rig.close();
  }
}

/** Pids of the direct children of `parent` (the cluster's workers), from /proc. */
function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
