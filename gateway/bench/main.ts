/**
 * `npm run bench [-- --quick] [-- --profile] [-- --senders N] [-- --sender-procs P] [-- --latency-procs P] [-- --no-mongo]
 * [-- --no-scaling] [-- --scaling (with --quick)] [-- --scaling-cpus C] [-- --scaling-warmup N] [-- --only-scaling]
 * [-- --server-cost-rates R,R] [-- --server-cost-shared] [-- --no-server-cost]`
 * `npm run bench -- --connections-experiment [--n 2000] [--settle 10]`: only the
 * nats-server memory-per-client experiment (connections-experiment.ts).
 * `npm run bench -- --idle-rpcs [--quick]`: only the idle customers' requests (idle-rpcs.ts).
 * `npm run bench -- --sdk-cpu [--senders N] [--messages M] [--rounds R] [--profile]`: only the SDK's
 * CPU per message sent and received (sdk-cpu.ts).
 *
 * Measures, in one run and in this order: the baselines (raw NATS, raw store,
 * no-op HTTP), the system with real SDK clients on the embedded store (with the
 * server-cost phase: the servers pinned apart from the load generator, server-cost.ts), history
 * cost, idle WebSocket clients and a reconnect storm, the system on the MongoDB
 * store, `parley-gateway --workers 1` vs `--workers 2` on it with the server side
 * isolated (scaling.ts), and bundle sizes. Prints a table against PERFORMANCE.md's targets and
 * writes `gateway/bench/out/latest.json`. See docs/performance.md.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ROTATE_AFTER_MESSAGES, sodiumBackend } from "@parley/sdk/crypto";
import { measureCryptoPerMessage } from "@parley/sdk/internal";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";
import { mongoForTests } from "../test/harness/ferretdb.js";
import { type NatsHarness, startNats } from "../test/harness/nats.js";
import { httpNoop, mongoAppends, natsPubSub, natsRequestReply, sqliteAppends } from "./baselines.js";
import { measureBundles } from "./bundles.js";
import { agentClient, SHOP } from "./clients.js";
import { closeIdle, idleMemory, reconnectStorm } from "./connections.js";
import { connectionsExperimentCli, recommendedGomemlimit, runConnectionsExperiment } from "./connections-experiment.js";
import { sqliteGroupCommit } from "./experiments.js";
import { startGatewayChild } from "./gateway-child.js";
import { seedConversation, timeHistory } from "./history.js";
import { idleRpcsBoth, idleRpcsCli } from "./idle-rpcs.js";
import { createIsolation, createPinning } from "./isolation.js";
import { type ListenFigures, measureListen } from "./listen.js";
import { countNats } from "./nats-counts.js";
import { PhaseClock, renderPhaseSeconds } from "./phases.js";
import { childPidsNamed, cpuMeter, onCleanup, runCleanups } from "./procs.js";
import { type ProfileSummary, summariseProfile } from "./profile.js";
import { evaluateTargets, type Report, renderTable, writeReport } from "./report.js";
import { measureScaling } from "./scaling.js";
import { sdkCpuCli } from "./sdk-cpu.js";
import { isolatedFigures, measureServerCost, type ServerCost } from "./server-cost.js";
import { round } from "./stats.js";
import { SystemRig } from "./system.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const profile = args.includes("--profile");
const withMongo = !args.includes("--no-mongo");
const sendersArg = args.indexOf("--senders");
const SENDERS = sendersArg >= 0 ? Number(args[sendersArg + 1]) : 32;
const procsArg = args.indexOf("--sender-procs");
/** Load-generator processes for the senders: one per core, so the clients are not held to one thread. */
const SENDER_PROCS = procsArg >= 0 ? Number(args[procsArg + 1]) : availableParallelism();
const latencyProcsArg = args.indexOf("--latency-procs");
/**
 * Sender processes in the latency run. Half the sustained rate fits in one, and
 * every extra busy process on these two cores adds scheduler delay to the tail
 * that is the load generator's, not the system's.
 */
const LATENCY_PROCS = latencyProcsArg >= 0 ? Number(args[latencyProcsArg + 1]) : 1;
/**
 * The workers scaling phase (about 45 s): in full runs unless `--no-scaling`; in `--quick` only with
 * `--scaling`, which keeps the quick run under PERFORMANCE.md's 3 minutes (`--only-scaling` runs it alone).
 */
const withScaling = quick ? args.includes("--scaling") : !args.includes("--no-scaling");
/** `--only-scaling`: FerretDB, nats-server and the workers scaling phase alone (to iterate on it). */
const onlyScaling = args.includes("--only-scaling");
const scalingCpusArg = args.indexOf("--scaling-cpus");
/**
 * CPU budget of each gateway worker process in the scaling run: small enough that the gateway, not
 * the load generator, nats-server or FerretDB on the rest of the two cores, is what runs out.
 */
const SCALING_CPUS = scalingCpusArg >= 0 ? Number(args[scalingCpusArg + 1]) : 0.25;
const scalingWarmUpArg = args.indexOf("--scaling-warmup");
/**
 * Messages each sender sends through the workers, uncapped, before the scaling window: enough calls
 * that V8 has optimized each worker's send path (with 10, two workers each ran half as many calls
 * and spent twice the CPU per message; docs/performance.md, "Workers scaling").
 */
const SCALING_WARMUP = scalingWarmUpArg >= 0 ? Number(args[scalingWarmUpArg + 1]) : 60;

const serverCostRatesArg = args.indexOf("--server-cost-rates");
/**
 * Offered rates of the server-cost phase (server-cost.ts), msgs/s, 0 for a closed loop; `--no-server-cost`
 * skips the phase. 750 is about what the load generator sustains on one of these two cores, and the rate
 * the server CPU target is checked at: `--quick` runs only it and the closed loop (the 3-minute limit).
 */
const SERVER_COST_RATES = args.includes("--no-server-cost")
  ? []
  : serverCostRatesArg >= 0
    ? String(args[serverCostRatesArg + 1])
        .split(",")
        .map(Number)
        .filter((r) => Number.isFinite(r) && r >= 0)
    : quick
      ? [750, 0]
      : [250, 500, 750, 0];
/** `--server-cost-shared`: each server-cost rate also unpinned, before the pinned ones (for comparison). */
const SERVER_COST_SHARED = args.includes("--server-cost-shared");

const M = quick
  ? {
      pubsub: { count: 300_000, ms: 5_000 },
      request: { count: 200_000, ms: 2_000 },
      sqlite: { count: 30_000, ms: 2_000 },
      mongo: { count: 10_000, ms: 2_000 },
      http: { count: 50_000, ms: 2_000 },
      throughputMs: 6_000,
      latencyMs: 5_000,
      historyBig: 100_000,
      historyRequests: 500,
      idle: 1_000,
      idleMs: 30_000,
      // About one presence heartbeat (one per 10 s) from each of the 50 customers of the heartbeat
      // run; both runs at once, each on its own nats-server (idle-rpcs.ts).
      idleRpc: { clients: 50, ms: 10_000, concurrent: true },
      limitSettleMs: 5_000,
      reconnectMs: 30_000,
      mongoThroughputMs: 5_000,
      mongoSenders: 8,
      scalingMs: 5_000,
      serverCostMs: 4_000,
      groupCommitMs: 1_000,
      cryptoMessages: 500,
    }
  : {
      pubsub: { count: 2_000_000, ms: 15_000 },
      request: { count: 1_000_000, ms: 10_000 },
      sqlite: { count: 200_000, ms: 10_000 },
      mongo: { count: 50_000, ms: 10_000 },
      http: { count: 300_000, ms: 10_000 },
      throughputMs: 20_000,
      latencyMs: 15_000,
      historyBig: 1_000_000,
      historyRequests: 500,
      idle: 10_000,
      idleMs: 120_000,
      idleRpc: { clients: 200, ms: 60_000 },
      limitSettleMs: 10_000,
      reconnectMs: 90_000,
      mongoThroughputMs: 15_000,
      mongoSenders: 16,
      scalingMs: 15_000,
      serverCostMs: 8_000,
      groupCommitMs: 3_000,
      cryptoMessages: 2_000,
    };

const MONGO_SENDERS = Math.min(SENDERS, M.mongoSenders);
const OUT = resolve("gateway/bench/out");
const notes: string[] = [];
const details: Record<string, unknown> = {};
/** Wall-clock seconds per phase (`details.phase_seconds`): the quick run must stay under 3 minutes. */
const phases = new PhaseClock();
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function selfProfile<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!profile) return fn();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 500 });
  await session.post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile: p } = await session.post("Profiler.stop");
    const file = join(OUT, "profiles", `${name}.cpuprofile`);
    await (await import("node:fs/promises")).writeFile(file, JSON.stringify(p));
    session.disconnect();
  }
}

async function baselines(nats: NatsHarness, mongo: { uri: string; dbName: string } | undefined) {
  log("baseline: NATS pub/sub");
  const pubsub = await natsPubSub(nats, M.pubsub);
  log(`  ${pubsub.msgs_per_s} msgs/s; request/reply with ${SENDERS} requesters`);
  const req = await natsRequestReply(nats, SENDERS, M.request);
  log(`  ${req.per_s} req/s p50 ${req.p50_ms} p99 ${req.p99_ms}; embedded store appends`);
  const sqlite = await sqliteAppends({ conversations: SENDERS, budget: M.sqlite });
  log(`  ${sqlite.per_s} appends/s p99 ${sqlite.p99_ms}; no-op HTTP`);
  const http = await httpNoop(SENDERS, M.http);
  log(`  ${http.req_per_s} req/s`);
  let mongoBase: Awaited<ReturnType<typeof mongoAppends>> | undefined;
  if (mongo) {
    log("baseline: mongodb store appends");
    mongoBase = await mongoAppends({
      ...mongo,
      dbName: `${mongo.dbName}_base`,
      conversations: MONGO_SENDERS,
      concurrency: MONGO_SENDERS,
      budget: M.mongo,
    });
    log(`  ${mongoBase.per_s} appends/s p99 ${mongoBase.p99_ms}`);
  }
  log("experiment: embedded store group commit (appends per transaction 1, 8, 32)");
  const groupCommit = await sqliteGroupCommit([1, 8, 32], { conversations: SENDERS, ms: M.groupCommitMs });
  log(`  ${groupCommit.map((g) => `${g.batch}: ${g.appends_per_s}/s`).join(", ")}`);
  details.experiments = { sqlite_group_commit: groupCommit };
  log(`baseline: end-to-end crypto, seal + open of ${M.cryptoMessages} messages`);
  const backend = await sodiumBackend();
  const cryptoUs = round(await measureCryptoPerMessage(M.cryptoMessages), 1);
  const cryptoWasmUs = round(await measureCryptoPerMessage(M.cryptoMessages, "wasm"), 1);
  log(`  ${cryptoUs} us per message (${backend}); ${cryptoWasmUs} us with the wasm build browsers use`);
  details.baselines = {
    pubsub,
    request: req,
    sqlite,
    http,
    mongo: mongoBase,
    crypto: { us_per_message: cryptoUs, backend, wasm_us_per_message: cryptoWasmUs, messages: M.cryptoMessages },
  };
  return {
    baselines: {
      nats_pubsub_msgs_per_s: pubsub.msgs_per_s,
      nats_request_per_s: req.per_s,
      nats_request_p50_ms: req.p50_ms,
      nats_request_p99_ms: req.p99_ms,
      store_append_per_s: sqlite.per_s,
      store_append_p99_ms: sqlite.p99_ms,
      http_noop_req_per_s: http.req_per_s,
    },
    baselines_mongodb: mongoBase && { store_append_per_s: mongoBase.per_s, store_append_p99_ms: mongoBase.p99_ms },
    crypto_us_per_message: cryptoUs,
    crypto_backend: backend,
    crypto_wasm_us_per_message: cryptoWasmUs,
  };
}

/** FerretDB, when this run started one, as a named pid for {@link cpuMeter}. */
function ferretPid(): Record<string, number> {
  const pid = childPidsNamed("ferretdb")[0];
  return pid ? { ferretdb: pid } : {};
}

/** The sender processes as named pids for {@link cpuMeter}: senders1, senders2, ... */
function senderPids(rig: SystemRig): Record<string, number> {
  return Object.fromEntries(rig.senderPids.map((pid, i) => [`senders${i + 1}`, pid]));
}

/**
 * Rounded CPU seconds per process, with the sender processes also summed as
 * `senders`; `bench` is this process (the agent, and the senders when in-process).
 */
function cpuFigures(seconds: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  let senders = 0;
  for (const [k, v] of Object.entries(seconds)) {
    out[k] = round(v, 2);
    if (k.startsWith("senders")) senders += v;
  }
  if (senders > 0) out.senders = round(senders, 2);
  return out;
}

/** Throughput (closed loop), then latency at half that rate (open loop); lost/duplicated over both. */
async function systemRun(
  nats: NatsHarness,
  name: "embedded" | "mongodb",
  opts: {
    dataDir: string;
    mongo?: { uri: string; dbName: string };
    senders: number;
    throughputMs: number;
    latency: boolean;
    /** Rates of the server-cost phase after the closed loop (server-cost.ts); empty: none. */
    serverCostRates: number[];
  },
) {
  const gw = await startGatewayChild(nats, opts.dataDir, opts.mongo);
  try {
    log(`system (${name}): connecting ${opts.senders} customers and 1 agent`);
    const rig = await SystemRig.start(gw.url, SENDER_PROCS);
    try {
      await rig.addSenders(opts.senders);
      await rig.warmUp(20, ROTATE_AFTER_MESSAGES);
      await rig.drain(10_000);
      log(`system (${name}): closed-loop throughput for ${opts.throughputMs / 1000} s`);
      const natsPid = childPidsNamed("nats-server")[0] ?? 0;
      const meter = cpuMeter({ gateway: gw.pid, nats: natsPid, ...ferretPid(), ...senderPids(rig) });
      const profFile = join(OUT, "profiles", `gateway-${name}.cpuprofile`);
      const sendersProfFile = join(OUT, "profiles", `bench-senders-${name}.cpuprofile`);
      const profiledSenders = rig.senderChildren[0];
      if (profile) await gw.child.command("prof:start");
      if (profile) await profiledSenders?.command("prof:start");
      const counter = await countNats(nats, natsPid);
      const receivedBefore = rig.receivedTotal;
      const tp = await selfProfile(`bench-agent-${name}`, () => rig.throughput(opts.throughputMs, 1_000_000));
      const seconds = meter();
      const counts = await counter.stop();
      // Every message the agent received while the meter ran: the CPU seconds' denominator.
      const delivered = rig.receivedTotal - receivedBefore;
      if (profile) await gw.child.command(`prof:stop ${profFile}`);
      if (profile) await profiledSenders?.command(`prof:stop ${sendersProfFile}`);
      const cpu = cpuFigures(seconds);
      const perMsg = (s: number | undefined) =>
        delivered > 0 && s !== undefined ? round((s * 1e6) / delivered, 1) : 0;
      const usPerMsg = { gateway: perMsg(seconds.gateway), nats: perMsg(seconds.nats) };
      // Counted, so steady under the neighbours' load: NATS messages and nats-server's system calls per message.
      const perDelivered = (n: number) => (delivered > 0 ? round(n / delivered, 2) : 0);
      const natsMsgs = { in: perDelivered(counts.in_msgs), out: perDelivered(counts.out_msgs) };
      const natsSyscalls = counts.syscalls
        ? Object.fromEntries(Object.entries(counts.syscalls).map(([k, v]) => [k, perDelivered(v)]))
        : undefined;
      log(
        `  ${tp.msgs_per_s} msgs/s; cpu seconds ${JSON.stringify(cpu)} over ${tp.seconds} s; per delivered message gateway ${usPerMsg.gateway} us, nats-server ${usPerMsg.nats} us, NATS messages ${JSON.stringify(natsMsgs)}, nats-server syscalls ${JSON.stringify(natsSyscalls ?? "not counted")}`,
      );
      const drained = await rig.drain(15_000);
      let serverCost: ServerCost | undefined;
      if (opts.serverCostRates.length > 0) {
        log(
          `system (${name}): server cost at ${opts.serverCostRates.join(", ")} msgs/s, ${M.serverCostMs / 1000} s each, servers pinned apart from the load generator${SERVER_COST_SHARED ? " (and unpinned first)" : ""}`,
        );
        phases.start("server_cost");
        const pinning = createPinning();
        const weight = createIsolation(`parley-bench-${process.pid}-cost`);
        onCleanup(async () => {
          pinning.dispose();
          weight.dispose();
        });
        serverCost = await measureServerCost({
          gateway: gw.child,
          natsPid,
          rig,
          rates: opts.serverCostRates,
          ms: M.serverCostMs,
          pinning,
          weight,
          shared: SERVER_COST_SHARED,
          profileFile: profile ? join(OUT, "profiles", `gateway-${name}-server-cost.cpuprofile`) : undefined,
          log,
        });
        if (profile) {
          (details.profiles as Record<string, unknown>)[`gateway-${name}-server-cost`] = await summariseProfile(
            join(OUT, "profiles", `gateway-${name}-server-cost.cpuprofile`),
          );
        }
        await rig.drain(15_000);
        phases.start(`system_${name}`);
      }
      let lat: Awaited<ReturnType<SystemRig["latency"]>> | undefined;
      let latCpu: Record<string, number> | undefined;
      if (opts.latency) {
        const rate = Math.max(1, Math.round(tp.msgs_per_s / 2));
        log(`system (${name}): open-loop latency at ${rate} msgs/s for ${M.latencyMs / 1000} s`);
        await rig.replaceSenders(opts.senders, LATENCY_PROCS);
        await rig.warmUp(5, ROTATE_AFTER_MESSAGES);
        await rig.drain(10_000);
        const latMeter = cpuMeter({ gateway: gw.pid, nats: childPidsNamed("nats-server")[0] ?? 0, ...senderPids(rig) });
        lat = await rig.latency(rate, M.latencyMs);
        latCpu = cpuFigures(latMeter());
        log(
          `  p50 ${lat.p50_ms} ms p90 ${lat.p90_ms} p95 ${lat.p95_ms} p99 ${lat.p99_ms} ms p99.9 ${lat.p999_ms} max ${lat.max_ms} (${lat.samples} samples); cpu seconds ${JSON.stringify(latCpu)}`,
        );
      }
      await rig.drain(15_000);
      const integrity = rig.integrity();
      log(`  integrity ${JSON.stringify(integrity)}`);
      let prof: ProfileSummary | undefined;
      if (profile) {
        prof = await summariseProfile(profFile);
        (details.profiles as Record<string, unknown>)[`gateway-${name}`] = prof;
        (details.profiles as Record<string, unknown>)[`bench-agent-${name}`] = await summariseProfile(
          join(OUT, "profiles", `bench-agent-${name}.cpuprofile`),
        );
        if (profiledSenders) {
          (details.profiles as Record<string, unknown>)[`bench-senders-${name}`] =
            await summariseProfile(sendersProfFile);
        }
      }
      details[`system_${name}`] = {
        throughput: tp,
        cpu_seconds: cpu,
        delivered_while_metered: delivered,
        nats_counts: counts,
        drained,
        latency: lat,
        latency_cpu_seconds: latCpu,
        ...(serverCost ? { server_cost: serverCost } : {}),
        integrity,
      };
      return {
        gw,
        rig,
        figures: {
          store: name,
          send_msgs_per_s: tp.msgs_per_s,
          senders: opts.senders,
          gateway_us_per_msg: usPerMsg.gateway,
          nats_us_per_msg: usPerMsg.nats,
          nats_msgs_per_msg: round(natsMsgs.in + natsMsgs.out, 2),
          nats_in_msgs_per_msg: natsMsgs.in,
          nats_out_msgs_per_msg: natsMsgs.out,
          ...(natsSyscalls ? { nats_syscalls_per_msg: natsSyscalls } : {}),
          ...(serverCost ? isolatedFigures(serverCost) : {}),
          ...(lat
            ? { delivery_p50_ms: lat.p50_ms, delivery_p99_ms: lat.p99_ms, latency_load_msgs_per_s: lat.rate }
            : {}),
          lost: integrity.lost,
          duplicated: integrity.duplicated,
        },
      };
    } catch (err) {
      await rig.close();
      throw err;
    }
  } catch (err) {
    await gw.stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  phases.start("setup");
  await mkdir(join(OUT, "profiles"), { recursive: true });
  details.profiles = {};
  const { bin, version: natsVersion } = await ensureNatsServer();
  const nodeVersion = process.version;
  const exec = promisify(execFile);
  const natsBinVersion = (await exec(bin, ["--version"])).stdout.trim();
  const work = await mkdtemp(join(tmpdir(), "parley-bench-"));
  onCleanup(() => rm(work, { recursive: true, force: true }));

  log(`mode ${quick ? "quick" : "full"}, ${SENDERS} senders, nats-server ${natsVersion}`);
  const nats = await startNats();
  onCleanup(() => nats[Symbol.asyncDispose]());
  let mongo: { uri: string; dbName: string } | undefined;
  if (withMongo) {
    log(process.env.MONGODB_URI ? "mongodb: MONGODB_URI" : "mongodb: starting FerretDB");
    const m = await mongoForTests();
    onCleanup(() => m[Symbol.asyncDispose]());
    mongo = { uri: m.uri, dbName: m.dbName };
  } else notes.push("--no-mongo: the MongoDB figures were skipped.");

  if (onlyScaling) {
    if (!mongo) throw new Error("--only-scaling needs the MongoDB store (drop --no-mongo)");
    const scaling = await scalingPhase(nats, mongo, work);
    const file = join(OUT, "scaling.json");
    await writeFile(
      file,
      `${JSON.stringify({ when: new Date().toISOString(), scaling, runs: details.scaling }, null, 2)}\n`,
    );
    process.stdout.write(`\n${JSON.stringify(scaling, null, 2)}\nwritten ${file}\n`);
    return;
  }
  phases.start("baselines");
  const base = await baselines(nats, mongo);

  // System on the embedded store.
  const dataDir = join(work, "embedded");
  phases.start("system_embedded");
  const sys = await systemRun(nats, "embedded", {
    dataDir,
    senders: SENDERS,
    throughputMs: M.throughputMs,
    latency: true,
    serverCostRates: SERVER_COST_RATES,
  });
  await sys.rig.close();
  await sys.gw.stop();
  const system: Record<string, unknown> = {
    ...sys.figures,
    crypto_us_per_message: base.crypto_us_per_message,
    crypto_backend: base.crypto_backend,
    crypto_wasm_us_per_message: base.crypto_wasm_us_per_message,
  };

  // History: seed while no gateway has the file open, then a fresh gateway on it.
  phases.start("history");
  log(`history: seeding 1,000 and ${M.historyBig.toLocaleString("en-US")} messages`);
  const small = await seedConversation(dataDir, SHOP.id, "cv_hist_1k", 1_000);
  const big = await seedConversation(dataDir, SHOP.id, "cv_hist_big", M.historyBig);
  log(`  seeded in ${small.seconds} s and ${big.seconds} s`);
  const gw = await startGatewayChild(nats, dataDir);
  const agent = agentClient(gw.url);
  await agent.connect();
  const hist = await timeHistory(agent, [small.convId, big.convId], M.historyRequests);
  await agent.close();
  const h1k = hist[small.convId];
  const hBig = hist[big.convId];
  log(`  p99 1k ${h1k?.p99_ms} ms, p99 big ${hBig?.p99_ms} ms`);
  Object.assign(system, {
    history_p99_ms_1k: h1k?.p99_ms,
    history_p99_ms_1m: hBig?.p99_ms,
    history_big_n: M.historyBig,
  });
  details.history = { seed: [small, big], timings: hist, requests: M.historyRequests };
  if (quick)
    notes.push(
      `quick: shorter windows than full (docs/performance.md, Running it); server-cost rates ${SERVER_COST_RATES.join(", ") || "none"} msgs/s (0: closed loop; full runs 250, 500, 750, 0).`,
      `history: quick mode seeds ${M.historyBig.toLocaleString("en-US")} messages, not 1,000,000 (history_big_n).`,
    );

  // Idle WebSocket clients, then the reconnect storm with a send stream through the gateway.
  phases.start("connections");
  log(`connections: ${M.idle} idle WebSocket clients`);
  const mem = await idleMemory(nats, M.idle, M.idleMs);
  log(`  ${mem.ws_clients} connected in ${mem.idle.seconds} s, ${mem.kib_per_client} KiB each`);
  if (mem.idle.errors.length > 0)
    notes.push(`connections: stopped at ${mem.ws_clients} clients: ${mem.idle.errors[0]}`);
  const stormRig = await SystemRig.start(gw.url);
  await stormRig.addSenders(4);
  await stormRig.warmUp(2);
  log("storm: restarting nats-server with every client connected");
  const storm = await reconnectStorm(nats, mem.idle, stormRig, { everyMs: 20, reconnectMs: M.reconnectMs });
  log(`  ${JSON.stringify(storm)}`);
  await stormRig.close();
  await closeIdle(mem.idle);
  await gw.stop();
  Object.assign(system, {
    ws_clients: mem.ws_clients,
    nats_server_kib_per_client: mem.kib_per_client,
    ...storm,
  });
  details.connections = { mem_before: mem.mem_before, mem_after: mem.mem_after, connect_seconds: mem.idle.seconds };

  // The same idle clients on a fresh nats-server run as docs/running.md recommends (ADR 0015).
  const limit = recommendedGomemlimit(M.idle);
  log(
    `connections: ${M.idle} idle clients on a fresh nats-server with GOMEMLIMIT=${limit}, ${M.limitSettleMs / 1000} s settle`,
  );
  const limited = await runConnectionsExperiment({
    n: M.idle,
    settleMs: M.limitSettleMs,
    gomemlimits: [limit],
    only: [`ws_jwt_1sub_gomemlimit_${limit}`],
    outFile: "connections-gomemlimit.json",
    log: (m) => log(`  ${m}`),
  });
  const lr = limited.results[0];
  Object.assign(system, {
    nats_server_kib_per_client_gomemlimit: lr?.settled.rss_kib,
    nats_gomemlimit: limit,
    nats_gomemlimit_clients: lr?.clients,
    nats_gomemlimit_settle_s: M.limitSettleMs / 1000,
  });
  details.connections_gomemlimit = lr;
  // What idle SDK customers ask of a gateway: presence from connections, then presence heartbeats.
  phases.start("idle_rpcs");
  const idle = await idleRpcsBoth(nats, work, M.idleRpc, log);
  Object.assign(system, idle.system);
  details.idle_rpcs = idle.details;
  notes.push(
    "idle_rpc_per_client_per_min: requests per connected, idle SDK customer per minute, counted on api.*.> by a plain subscription, against a gateway with the connection watcher (presence from connections, ADR 0053); _heartbeats: the same against a gateway without a NATS system user (presence heartbeats, as before ADR 0053).",
  );
  notes.push(
    `system: the ${SENDERS} senders run in ${SENDER_PROCS} load-generator processes (${LATENCY_PROCS} in the latency run); the agent that receives and counts every message runs alone in the main process. cpu_seconds name each process (senders = their sum; bench = the agent).`,
  );
  notes.push(
    "connections: idle clients are raw nats-core wsconnect connections with a minted principal JWT and the SDK's user-subject subscription (no HTTP session, which costs the gateway, not nats-server).",
  );
  notes.push(
    `crypto_us_per_message: measureCryptoPerMessage(${M.cryptoMessages}) from sdk/src/crypto/bench.ts in the baseline phase (seal = pad, encrypt, sign; open = verify, decrypt, unpad, parse; one process). The system runs are end-to-end encrypted like any SDK client: every sender seals and signs, the agent verifies and opens through the shop's team key, so send_msgs_per_s and delivery latency include this cost.`,
  );

  // System on the MongoDB store.
  let systemMongo: Record<string, unknown> | undefined;
  if (mongo) {
    phases.start("system_mongodb");
    const run = await systemRun(nats, "mongodb", {
      dataDir: join(work, "mongo-unused"),
      mongo: { uri: mongo.uri, dbName: `${mongo.dbName}_sys` },
      senders: MONGO_SENDERS,
      throughputMs: M.mongoThroughputMs,
      latency: false,
      serverCostRates: [],
    });
    await run.rig.close();
    await run.gw.stop();
    systemMongo = run.figures;
    if (!process.env.MONGODB_URI)
      notes.push(
        "mongodb: FerretDB v1 on its SQLite backend stands in for MongoDB here; set MONGODB_URI for a real one.",
      );
  }

  // `parley-gateway --workers 1` vs `--workers 2` on the MongoDB store, the server side isolated.
  if (mongo && withScaling) phases.start("scaling");
  const scaling = mongo && withScaling ? await scalingPhase(nats, mongo, work) : undefined;

  phases.start("bundles");
  const bundles = await measureBundles(notes);
  let listen: ListenFigures | undefined;
  if (!args.includes("--no-listen")) {
    phases.start("listen");
    log(`listen: two Chromium players of one session, ${quick ? 10 : 30} s (widget/bench/listen-sync.mjs)`);
    listen = await measureListen(quick ? 10 : 30, notes);
    log(
      `  median ${listen.listen_sync_median_ms} ms, max ${listen.listen_sync_max_ms} ms, join ${listen.listen_join_offset_ms} ms`,
    );
  }
  notes.push(
    "Sends: PARLEY_SEND_RATE raised to 1,000,000 in the benchmark gateway (default 50/s per principal would cap each sender).",
    "Sessions: each SDK client opens its session from its own 127.0.x.y address (the session routes allow 60/min per IP).",
    "Machines are shared: other processes (other engineers' tests) may have been running during this run.",
  );
  if (profile)
    notes.push(
      "--profile: CPU profiles were taken during the throughput runs; figures are a little lower than unprofiled.",
    );

  phases.stop();
  const c = cpus();
  const partial: Omit<Report, "targets"> = {
    when: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    versions: {
      node: nodeVersion,
      "nats-server": natsBinVersion,
      store: "embedded (better-sqlite3, WAL, synchronous=FULL)",
    },
    machine: { cpus: c.length, cpu_model: c[0]?.model ?? "", mem_total_mib: Math.round(totalmem() / 2 ** 20) },
    baselines: base.baselines,
    ...(base.baselines_mongodb ? { baselines_mongodb: base.baselines_mongodb } : {}),
    system,
    ...(systemMongo ? { system_mongodb: systemMongo } : {}),
    ...(scaling ? { scaling } : {}),
    bundles: { ...bundles },
    ...(listen ? { listen: { ...listen } } : {}),
    details: {
      ...details,
      run_seconds: Math.round((Date.now() - started) / 1000),
      phase_seconds: phases.seconds(),
      senders: SENDERS,
      sender_procs: SENDER_PROCS,
      latency_procs: LATENCY_PROCS,
    },
    notes,
  };
  const report: Report = { ...partial, targets: evaluateTargets(partial) };
  await writeReport(join(OUT, "latest.json"), report);
  process.stdout.write(
    `\n${renderTable(report)}\n${renderPhaseSeconds(phases.seconds())}\nwritten ${join(OUT, "latest.json")} in ${report.details.run_seconds} s\n`,
  );
}

/** `parley-gateway --workers 1` vs `--workers 2` on the MongoDB store, the server side isolated (scaling.ts). */
async function scalingPhase(
  nats: NatsHarness,
  mongo: { uri: string; dbName: string },
  work: string,
): Promise<Record<string, unknown>> {
  const isolation = createIsolation();
  onCleanup(async () => isolation.dispose());
  try {
    isolation.addServers([childPidsNamed("nats-server")[0] ?? 0, ...Object.values(ferretPid())].filter((p) => p > 0));
    const runs = await measureScaling({
      nats,
      mongo,
      work,
      isolation,
      cpusPerWorker: SCALING_CPUS,
      senders: MONGO_SENDERS,
      senderProcs: SENDER_PROCS,
      throughputMs: M.scalingMs,
      warmUpPerSender: SCALING_WARMUP,
      profileDir: profile ? join(OUT, "profiles") : undefined,
      log,
    });
    details.scaling = runs;
    return scalingFigures(runs, isolation.method, isolation.reason);
  } finally {
    isolation.dispose();
  }
}

/** The scaling run's report fields (docs/performance.md: `scaling`). */
function scalingFigures(
  runs: Awaited<ReturnType<typeof measureScaling>>,
  method: string,
  reason: string | undefined,
): Record<string, unknown> {
  const [one, two] = runs;
  const out: Record<string, unknown> = {
    store: "mongodb",
    senders: MONGO_SENDERS,
    cpus_per_worker: SCALING_CPUS,
    isolation:
      method === "none"
        ? `none (${reason ?? "no control groups"}): the figures share the cores with the load generator`
        : `${method}: the gateway processes in a control group capped at workers x ${SCALING_CPUS} CPU (${method === "cgroup-v1" ? "cpu.cfs_quota_us over a 100 ms cpu.cfs_period_us, cpu.shares 8192" : "cpu.max, cpu.weight 800"}); nats-server and FerretDB in one weighted the same, not capped; the load generator at the default weight`,
  };
  for (const run of runs) {
    const gatewayCpu = Object.entries(run.cpu_seconds)
      .filter(([k]) => k.startsWith("gateway"))
      .reduce((sum, [, v]) => sum + v, 0);
    out[`workers_${run.workers}_msgs_per_s`] = run.msgs_per_s;
    out[`workers_${run.workers}_gateway_us_per_msg`] = run.gateway_us_per_msg;
    // Near 1: the gateway used its whole budget, so it (not the rest of the machine) set the rate.
    out[`workers_${run.workers}_budget_used`] =
      method === "none" ? null : round(gatewayCpu / (run.workers * SCALING_CPUS * run.seconds), 2);
  }
  out.ratio = one && two && one.msgs_per_s > 0 ? round(two.msgs_per_s / one.msgs_per_s, 2) : null;
  out.lost = runs.reduce((sum, r) => sum + r.lost, 0);
  out.duplicated = runs.reduce((sum, r) => sum + r.duplicated, 0);
  return out;
}

(args.includes("--connections-experiment")
  ? connectionsExperimentCli(args)
  : args.includes("--idle-rpcs")
    ? idleRpcsCli(M.idleRpc, log)
    : args.includes("--sdk-cpu")
      ? sdkCpuCli(args, log)
      : main()
)
  .then(() => runCleanups())
  .then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      void runCleanups().finally(() => process.exit(1));
    },
  );
