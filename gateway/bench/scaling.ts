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
import { childPidsNamed, cpuSeconds, onCleanup } from "./procs.js";
import { round, waitFor } from "./stats.js";
import { SystemRig } from "./system.js";

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
  log: (msg: string) => void;
}

export interface ScalingRun {
  workers: number;
  msgs_per_s: number;
  seconds: number;
  /** Gateway CPU (every worker process) per delivered message. */
  gateway_us_per_msg: number;
  nats_us_per_msg: number;
  /** CPU seconds over the window: each worker process (`gateway1`, ...) and nats-server. */
  cpu_seconds: Record<string, number>;
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
  stop(): Promise<void>;
}

async function startBinary(o: ScalingOptions, workers: number, authFile: string, shopsFile: string): Promise<Binary> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "/bin/sh",
    [
      "-c",
      `${o.isolation.gatewayShellPrefix()} exec "$@"`,
      "sh",
      process.execPath,
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
        // As in the other system runs: the per-principal send limit would cap each sender.
        PARLEY_SEND_RATE: "1000000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  let started = 0;
  const onLine = (line: string) => {
    output = `${output}${line}\n`.slice(-8000);
    if (line.includes('"msg":"gateway started"')) started++;
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
  const up = await waitFor(() => started >= workers || child.exitCode !== null, 60_000, 100);
  if (!up || child.exitCode !== null) {
    await stop();
    throw new Error(`parley-gateway --workers ${workers} did not start:\n${output}`);
  }
  const pid = child.pid ?? 0;
  const gatewayPids = workers === 1 ? [pid] : childPids(pid);
  return { url: `http://127.0.0.1:${port}`, gatewayPids, stop };
}

async function measure(o: ScalingOptions, gw: Binary, workers: number): Promise<ScalingRun> {
  o.log(`scaling: --workers ${workers}, ${workers * o.cpusPerWorker} CPUs for the gateway (${o.isolation.method})`);
  const rig = await SystemRig.start(gw.url, o.senderProcs);
  try {
    await rig.addSenders(o.senders);
    await rig.warmUp(10);
    await rig.drain(10_000);
    o.isolation.setGatewayBudget(workers * o.cpusPerWorker);
    const natsPid = childPidsNamed("nats-server")[0] ?? 0;
    const named = Object.fromEntries(gw.gatewayPids.map((pid, i) => [`gateway${i + 1}`, pid]));
    const before = Object.fromEntries(Object.entries({ ...named, nats: natsPid }).map(([k, p]) => [k, cpuSeconds(p)]));
    const receivedBefore = rig.receivedTotal;
    const tp = await rig.throughput(o.throughputMs, 1_000_000);
    const delivered = rig.receivedTotal - receivedBefore;
    const cpu: Record<string, number> = {};
    for (const [k, pid] of Object.entries({ ...named, nats: natsPid })) {
      cpu[k] = round(cpuSeconds(pid) - (before[k] ?? 0), 2);
    }
    await rig.drain(15_000);
    const integrity = rig.integrity();
    const gatewayCpu = Object.entries(cpu)
      .filter(([k]) => k.startsWith("gateway"))
      .reduce((sum, [, v]) => sum + v, 0);
    const perMsg = (seconds: number) => (delivered > 0 ? round((seconds * 1e6) / delivered, 1) : 0);
    const run: ScalingRun = {
      workers,
      msgs_per_s: tp.msgs_per_s,
      seconds: tp.seconds,
      gateway_us_per_msg: perMsg(gatewayCpu),
      nats_us_per_msg: perMsg(cpu.nats ?? 0),
      cpu_seconds: cpu,
      lost: integrity.lost,
      duplicated: integrity.duplicated,
    };
    o.log(`  ${tp.msgs_per_s} msgs/s; cpu seconds ${JSON.stringify(cpu)}; lost/dup ${run.lost}/${run.duplicated}`);
    return run;
  } finally {
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
