/**
 * Why does an idle client cost what it does in nats-server memory? One fresh
 * nats-server per variant, N idle clients (2,000 by default), and for each:
 * RSS (`/varz` `mem`) and the Go runtime's own accounting (heap in use, live
 * heap, goroutine stacks, goroutines; from `runtime.MemStats` via the server's
 * `prof_port` pprof endpoint), all as differences against the idle server,
 * divided by N: right after the last client flushed (settle 0), after the
 * settle time (10 s), and after a forced GC.
 *
 * Variants: WebSocket vs TCP, minted principal JWTs (as the SDK gets them) vs
 * no auth at all, 0 / 1 / 2 subscriptions per client, GOGC and GOMEMLIMIT on
 * the server process, and another nats-server release. For the first variant
 * the in-use heap profile's top allocators are written next to the results.
 *
 * `npm run bench -- --connections-experiment [--n 2000] [--settle 10] [--only ws_jwt_1sub,tcp_jwt_1sub]
 * [--long-settle 390] [--gomemlimit 40MiB,64MiB,96MiB] [--out connections-experiment.json]`
 * (or `node --conditions=source --import tsx gateway/bench/connections-experiment.ts ...` from the
 * repository root, with `ulimit -n` above 2 x N). Writes
 * `gateway/bench/out/connections-experiment.json`.
 *
 * nats-server v2.14.5 is used when `NATS_2145_BIN` (default
 * `/tmp/nats-2145/nats-server`) exists; build it with
 * `GOBIN=/tmp/nats-2145 go install github.com/nats-io/nats-server/v2@v2.14.5`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { encodeUser, type User } from "@nats-io/jwt";
import type { NatsConnection } from "@nats-io/nats-core";
import { jwtAuthenticator, nuid, wsconnect } from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import WebSocket from "ws";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";
import { generateNatsAuth, type NatsAuth, renderServerConfig } from "../src/nats/accounts.js";
import { JwtMinter, PRINCIPAL_LIMITS } from "../src/nats/minter.js";
import { withDualTransport } from "../test/harness/dual-transport.js";
import { freePorts } from "../test/harness/ports.js";
import { SHOP } from "./clients.js";
import { cpuSeconds } from "./procs.js";
import { now, pool, round, sleep } from "./stats.js";

const exec = promisify(execFile);
const ORIGIN = "https://chat.parley.test";
const PRINCIPALS = 100;

export interface Variant {
  name: string;
  /** What the row shows (for the table). */
  label: string;
  transport: "ws" | "tcp";
  auth: "jwt" | "none";
  /** 0: none; 1: `user.<p>.ev`; 2: also the SDK's muxed inbox `_INBOX_<p>.<nuid>.*`. */
  subs: 0 | 1 | 2;
  env?: Record<string, string>;
  /** Binary to run instead of the pinned one. */
  bin?: string;
  /** Extra lines inside the `websocket { }` block. */
  wsExtra?: string[];
  /** Write the in-use heap profile's top allocators. */
  heapTop?: boolean;
}

interface MemStats {
  rss: number;
  heap_inuse: number;
  heap_alloc: number;
  heap_sys: number;
  heap_released: number;
  heap_idle: number;
  stack_inuse: number;
  sys: number;
  num_gc: number;
  goroutines: number;
}

export interface VariantResult {
  name: string;
  label: string;
  version: string;
  clients: number;
  connect_s: number;
  errors: string[];
  /** Per client, KiB (differences against the idle server). */
  settle0: PerClient;
  settled: PerClient;
  after_gc: PerClient;
  /** With --long-settle: per client after that many seconds (no forced GC; the runtime forces one every 2 min). */
  long?: PerClient & { seconds: number };
  /** nats-server CPU seconds while the clients connected, and during the settle window. */
  server_cpu_s: { connect: number; settle: number };
  idle_server_rss_mib: number;
  heap_top?: string;
}

interface PerClient {
  rss_kib: number;
  heap_inuse_kib: number;
  heap_alloc_kib: number;
  /** Heap spans free but not yet returned to the OS (HeapIdle - HeapReleased): resident, not in use. */
  heap_free_retained_kib: number;
  stack_kib: number;
  /** Go's Sys (everything the runtime has mapped), not all of it resident. */
  go_sys_kib: number;
  goroutines: number;
  num_gc: number;
}

const fields = [
  "Alloc",
  "Sys",
  "HeapAlloc",
  "HeapSys",
  "HeapInuse",
  "HeapReleased",
  "HeapIdle",
  "Stack",
  "NumGC",
] as const;

/** A nats-server child for one variant, with monitoring and pprof on loopback. */
class Server {
  #child: ChildProcess | undefined;
  #log = "";
  constructor(
    readonly monitorUrl: string,
    readonly profUrl: string,
    readonly url: string,
    readonly wsUrl: string,
  ) {}

  static async start(
    auth: NatsAuth,
    dir: string,
    v: Variant,
    defaultBin: string,
  ): Promise<{ server: Server; version: string }> {
    const [port, wsPort, httpPort, profPort] = (await freePorts(4)) as [number, number, number, number];
    const host = "127.0.0.1";
    let config: string;
    if (v.auth === "jwt") {
      config = renderServerConfig({ auth, host, port, wsPort, httpPort, allowedOrigins: [ORIGIN] });
    } else {
      config = [
        `host: "${host}"`,
        `port: ${port}`,
        `http: "${host}:${httpPort}"`,
        "max_payload: 262144",
        "max_connections: 100000",
        "websocket {",
        `  host: "${host}"`,
        `  port: ${wsPort}`,
        "  no_tls: true",
        "  compression: false",
        `  allowed_origins: ["${ORIGIN}"]`,
        "}",
        "",
      ].join("\n");
    }
    if (v.wsExtra?.length) config = config.replace(/websocket \{\n/, `websocket {\n${v.wsExtra.join("\n")}\n`);
    config += `prof_port: ${profPort}\n`;
    const file = join(dir, `${v.name}.conf`);
    await writeFile(file, config, { mode: 0o600 });
    const bin = v.bin ?? defaultBin;
    const version = (await exec(bin, ["--version"])).stdout.trim().replace(/^nats-server:\s*/, "");
    const s = new Server(
      `http://${host}:${httpPort}`,
      `http://${host}:${profPort}`,
      `nats://${host}:${port}`,
      `ws://${host}:${wsPort}`,
    );
    // A finer heap-profile sampling rate (default 512 KiB) where the top allocators are wanted.
    const profEnv = v.heapTop ? { GODEBUG: "memprofilerate=4096" } : {};
    const env = { ...process.env, ...profEnv, ...v.env };
    const child = spawn(bin, ["-c", file], { stdio: ["ignore", "pipe", "pipe"], env });
    s.#child = child;
    live.add(child);
    child.once("exit", () => live.delete(child));
    const append = (b: Buffer) => {
      if (s.#log.length < 20_000) s.#log += b.toString("utf8");
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    const deadline = now() + 15_000;
    for (;;) {
      try {
        const [m, p] = await Promise.all([
          fetch(`${s.monitorUrl}/healthz`, { signal: AbortSignal.timeout(1_000) }),
          fetch(`${s.profUrl}/debug/pprof/`, { signal: AbortSignal.timeout(1_000) }),
        ]);
        if (m.ok && p.ok) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`nats-server (${v.name}) did not start:\n${s.#log}`);
      }
      await sleep(50);
    }
    return { server: s, version };
  }

  get pid(): number {
    return this.#child?.pid ?? 0;
  }

  async mem(gc = false): Promise<MemStats> {
    const [varz, heap, gr] = await Promise.all([
      fetch(`${this.monitorUrl}/varz`, { signal: AbortSignal.timeout(10_000) }).then(
        (r) => r.json() as Promise<{ mem: number }>,
      ),
      fetch(`${this.profUrl}/debug/pprof/heap?debug=1${gc ? "&gc=1" : ""}`, {
        signal: AbortSignal.timeout(30_000),
      }).then((r) => r.text()),
      fetch(`${this.profUrl}/debug/pprof/goroutine?debug=1`, { signal: AbortSignal.timeout(30_000) }).then((r) =>
        r.text(),
      ),
    ]);
    const ms: Record<string, number> = {};
    for (const f of fields) {
      const m = new RegExp(`^# ${f} = (\\d+)(?: / (\\d+))?`, "m").exec(heap);
      ms[f] = Number(m?.[1] ?? Number.NaN);
    }
    const goroutines = Number(/goroutine profile: total (\d+)/.exec(gr)?.[1] ?? Number.NaN);
    return {
      rss: varz.mem,
      heap_inuse: ms.HeapInuse ?? 0,
      heap_alloc: ms.HeapAlloc ?? 0,
      heap_sys: ms.HeapSys ?? 0,
      heap_released: ms.HeapReleased ?? 0,
      heap_idle: ms.HeapIdle ?? 0,
      stack_inuse: ms.Stack ?? 0,
      sys: ms.Sys ?? 0,
      num_gc: ms.NumGC ?? 0,
      goroutines,
    };
  }

  /** `go tool pprof -top` of the in-use heap (symbolised profile; needs `go` on PATH). */
  async heapTop(out: string): Promise<string> {
    const res = await fetch(`${this.profUrl}/debug/pprof/heap`, { signal: AbortSignal.timeout(30_000) });
    const file = `${out}.pb.gz`;
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    try {
      const top = async (index: string) =>
        (
          await exec("go", ["tool", "pprof", "-top", "-nodecount=30", `-sample_index=${index}`, file], {
            timeout: 60_000,
          })
        ).stdout;
      const inuse = await top("inuse_space");
      const text = `${inuse}\n${await top("alloc_space")}`;
      await writeFile(`${out}.txt`, text);
      return inuse;
    } catch (err) {
      return `go tool pprof failed: ${String(err)}`;
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  }
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** A bearer user JWT shaped like JwtMinter.mintPrincipal's, but for plain TCP (`STANDARD`). */
async function mintTcpPrincipal(auth: NatsAuth, principalId: string): Promise<string> {
  const user: Partial<User> = {
    pub: { allow: [`api.${principalId}.>`] },
    sub: { allow: [`user.${principalId}.ev`, `_INBOX_${principalId}.>`] },
    ...PRINCIPAL_LIMITS,
    bearer_token: true,
    allowed_connection_types: ["STANDARD"],
    tags: ["kind:customer", `shop:${SHOP.id}`],
  };
  const ukp = createUser();
  return encodeUser(principalId, ukp, auth.appAccountPub, user, {
    signer: fromSeed(new TextEncoder().encode(auth.appSigningSeed)),
    exp: Math.floor(Date.now() / 1000) + 900,
  });
}

function wsFactory(url: string) {
  const socket = new WebSocket(url, { origin: ORIGIN });
  return Promise.resolve({ socket: socket as unknown as globalThis.WebSocket, encrypted: false });
}

async function connectClients(
  server: Server,
  v: Variant,
  n: number,
  creds: { ws: { id: string; jwt: string }[]; tcp: { id: string; jwt: string }[] },
): Promise<{ conns: NatsConnection[]; errors: string[]; seconds: number }> {
  const conns: NatsConnection[] = [];
  const errors: string[] = [];
  const start = now();
  let failures = 0;
  const list = v.transport === "ws" ? creds.ws : creds.tcp;
  await pool(n, 16, async (i) => {
    if (failures > 20 || now() - start > 120_000) return;
    const cred = list[i % list.length] ?? { id: `p_idle_${i % PRINCIPALS}`, jwt: "" };
    const base = {
      name: "bench-idle",
      maxReconnectAttempts: 0,
      pingInterval: 120_000,
      ...(v.auth === "jwt" ? { authenticator: jwtAuthenticator(cred.jwt) } : {}),
    };
    try {
      const nc =
        v.transport === "ws"
          ? await withDualTransport(() =>
              wsconnect({ ...base, servers: [server.wsUrl], ignoreClusterUpdates: true, wsFactory }),
            )
          : await withDualTransport(() => connect({ ...base, servers: [server.url] }));
      if (v.subs >= 1) nc.subscribe(`user.${cred.id}.ev`, { callback: () => {} });
      if (v.subs >= 2) nc.subscribe(`_INBOX_${cred.id}.${nuid.next()}.*`, { callback: () => {} });
      conns.push(nc);
    } catch (err) {
      failures++;
      if (errors.length < 3) errors.push(String(err));
    }
  });
  await Promise.all(conns.map((nc) => nc.flush().catch(() => undefined)));
  return { conns, errors, seconds: round((now() - start) / 1000, 1) };
}

function perClient(before: MemStats, after: MemStats, n: number): PerClient {
  const k = (a: number, b: number) => (n === 0 ? 0 : round((a - b) / 1024 / n, 1));
  return {
    rss_kib: k(after.rss, before.rss),
    heap_inuse_kib: k(after.heap_inuse, before.heap_inuse),
    heap_alloc_kib: k(after.heap_alloc, before.heap_alloc),
    heap_free_retained_kib: k(after.heap_idle - after.heap_released, before.heap_idle - before.heap_released),
    stack_kib: k(after.stack_inuse, before.stack_inuse),
    go_sys_kib: k(after.sys, before.sys),
    goroutines: n === 0 ? 0 : round((after.goroutines - before.goroutines) / n, 2),
    num_gc: after.num_gc - before.num_gc,
  };
}

/**
 * The GOMEMLIMIT docs/running.md recommends for nats-server with `clients`
 * idle WebSocket clients: 16 MiB for the server itself plus 32 KiB per client
 * (ADR 0015). Lower limits bring RSS down further but make the runtime collect
 * without pause once the clients' live heap nears the limit.
 */
export function recommendedGomemlimit(clients: number): string {
  return `${16 + Math.ceil((clients * 32) / 1024)}MiB`;
}

export function defaultVariants(bin2145: string | undefined, gomemlimits: string[]): Variant[] {
  const base = { transport: "ws", auth: "jwt", subs: 1 } as const;
  const out: Variant[] = [
    { ...base, name: "ws_jwt_1sub", label: "(a) WS, principal JWT, 1 sub (today's bench)", heapTop: true },
    { ...base, name: "ws_jwt_0sub", label: "(b) WS, principal JWT, no subs", subs: 0 },
    { ...base, name: "ws_jwt_2sub", label: "(b) WS, principal JWT, SDK's 2 subs", subs: 2 },
    { ...base, name: "tcp_jwt_1sub", label: "(c) TCP, same JWT for STANDARD, 1 sub", transport: "tcp", heapTop: true },
    { ...base, name: "ws_noauth_1sub", label: "WS, no auth (no JWT, no permissions), 1 sub", auth: "none" },
    { ...base, name: "tcp_noauth_1sub", label: "TCP, no auth, 1 sub", transport: "tcp", auth: "none" },
    { ...base, name: "ws_jwt_1sub_gogc50", label: "(e) (a) with GOGC=50", env: { GOGC: "50" } },
    { ...base, name: "ws_jwt_1sub_gogc25", label: "(e) (a) with GOGC=25", env: { GOGC: "25" } },
    ...gomemlimits.map(
      (limit): Variant => ({
        ...base,
        name: `ws_jwt_1sub_gomemlimit_${limit}`,
        label: `(e) (a) with GOMEMLIMIT=${limit}`,
        env: { GOMEMLIMIT: limit },
      }),
    ),
    {
      ...base,
      name: "ws_jwt_1sub_fixedstack",
      label: "(a) with GODEBUG=adaptivestackstart=0",
      env: { GODEBUG: "adaptivestackstart=0" },
    },
  ];
  if (bin2145) out.push({ ...base, name: "ws_jwt_1sub_v2145", label: "(f) (a) on nats-server v2.14.5", bin: bin2145 });
  return out;
}

export async function runConnectionsExperiment(opts: {
  n: number;
  settleMs: number;
  longSettleMs?: number;
  only?: string[];
  /** One GOMEMLIMIT variant per value. @default ["40MiB", "64MiB", "96MiB"] */
  gomemlimits?: string[];
  /** File name under gateway/bench/out. @default connections-experiment.json */
  outFile?: string;
  log?: (msg: string) => void;
}): Promise<{ n: number; settle_s: number; results: VariantResult[] }> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[conn-exp] ${m}\n`));
  const { bin } = await ensureNatsServer();
  const bin2145 = process.env.NATS_2145_BIN ?? "/tmp/nats-2145/nats-server";
  const has2145 = await access(bin2145).then(
    () => true,
    () => false,
  );
  const variants = defaultVariants(
    has2145 ? bin2145 : undefined,
    opts.gomemlimits ?? ["40MiB", "64MiB", "96MiB"],
  ).filter((v) => !opts.only || opts.only.includes(v.name));
  const auth = await generateNatsAuth();
  const minter = new JwtMinter({ accountPub: auth.appAccountPub, signingSeed: auth.appSigningSeed });
  const creds = { ws: [] as { id: string; jwt: string }[], tcp: [] as { id: string; jwt: string }[] };
  const needWs = variants.some((v) => v.auth === "jwt" && v.transport === "ws");
  const needTcp = variants.some((v) => v.auth === "jwt" && v.transport === "tcp");
  log(`minting ${PRINCIPALS} principal JWTs per transport`);
  for (let i = 0; i < PRINCIPALS; i++) {
    const id = `p_idle_${i}`;
    if (needWs) {
      const { jwt } = await minter.mintPrincipal({
        principalId: id,
        kind: "customer",
        shopId: SHOP.id,
        ttlSeconds: 600,
      });
      creds.ws.push({ id, jwt });
    }
    if (needTcp) creds.tcp.push({ id, jwt: await mintTcpPrincipal(auth, id) });
  }
  const out = resolve("gateway/bench/out");
  await mkdir(out, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), "parley-conn-exp-"));
  const results: VariantResult[] = [];
  try {
    for (const v of variants) {
      const { server, version } = await Server.start(auth, dir, v, bin);
      try {
        await sleep(1_000);
        const before = await server.mem();
        const cpu0 = cpuSeconds(server.pid);
        const c = await connectClients(server, v, opts.n, creds);
        const at0 = await server.mem();
        const cpu1 = cpuSeconds(server.pid);
        await sleep(opts.settleMs);
        const settled = await server.mem();
        const cpu2 = cpuSeconds(server.pid);
        let long: (PerClient & { seconds: number }) | undefined;
        if (opts.longSettleMs) {
          await sleep(Math.max(0, opts.longSettleMs - opts.settleMs));
          long = { ...perClient(before, await server.mem(), c.conns.length), seconds: opts.longSettleMs / 1000 };
        }
        const heapTop = v.heapTop ? await server.heapTop(join(out, `connections-heap-${v.name}`)) : undefined;
        const afterGc = await server.mem(true);
        await sleep(1_000);
        const gcd = await server.mem();
        const r: VariantResult = {
          name: v.name,
          label: v.label,
          version,
          clients: c.conns.length,
          connect_s: c.seconds,
          errors: c.errors,
          settle0: perClient(before, at0, c.conns.length),
          settled: perClient(before, settled, c.conns.length),
          after_gc: perClient(before, { ...gcd, num_gc: afterGc.num_gc }, c.conns.length),
          ...(long ? { long } : {}),
          server_cpu_s: { connect: round(cpu1 - cpu0, 2), settle: round(cpu2 - cpu1, 2) },
          idle_server_rss_mib: round(before.rss / 2 ** 20, 1),
          ...(heapTop ? { heap_top: heapTop } : {}),
        };
        results.push(r);
        log(
          `${v.name}: ${r.clients} clients in ${r.connect_s} s; RSS KiB/client ${r.settle0.rss_kib} -> ${r.settled.rss_kib} (settled) -> ${r.after_gc.rss_kib} (GC)${long ? `, ${long.rss_kib} after ${long.seconds} s (stacks ${long.stack_kib})` : ""}; server CPU s ${r.server_cpu_s.connect}/${r.server_cpu_s.settle}; heap in use ${r.settled.heap_inuse_kib}, live after GC ${r.after_gc.heap_alloc_kib}, stacks ${r.settled.stack_kib}, goroutines ${r.settled.goroutines}${r.errors.length ? `; errors ${r.errors[0]}` : ""}`,
        );
        await pool(c.conns.length, 64, async (i) => {
          await c.conns[i]?.close().catch(() => undefined);
        });
      } finally {
        await server.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const report = { when: new Date().toISOString(), n: opts.n, settle_s: opts.settleMs / 1000, results };
  await writeFile(join(out, opts.outFile ?? "connections-experiment.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export function renderExperimentTable(results: VariantResult[], settleS: number): string {
  const rows = [
    [
      "variant",
      "server",
      "clients",
      "RSS KiB/client settle 0",
      `settle ${settleS} s`,
      "after GC",
      "heap in use",
      "live heap (GC)",
      "heap free, kept",
      "stacks",
      "goroutines",
      "server CPU s (settle)",
    ],
    ...results.map((r) => [
      r.label,
      r.version,
      String(r.clients),
      String(r.settle0.rss_kib),
      String(r.settled.rss_kib),
      String(r.after_gc.rss_kib),
      String(r.settled.heap_inuse_kib),
      String(r.after_gc.heap_alloc_kib),
      String(r.settled.heap_free_retained_kib),
      String(r.settled.stack_kib),
      String(r.settled.goroutines),
      String(r.server_cpu_s.settle),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

export async function connectionsExperimentCli(args: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const n = Number(arg("--n") ?? 2_000);
  const settleS = Number(arg("--settle") ?? 10);
  const only = arg("--only")?.split(",");
  const gomemlimits = arg("--gomemlimit")?.split(",");
  const longSettle = arg("--long-settle");
  const outFile = arg("--out") ?? "connections-experiment.json";
  const r = await runConnectionsExperiment({
    n,
    settleMs: settleS * 1000,
    ...(only ? { only } : {}),
    ...(gomemlimits ? { gomemlimits } : {}),
    ...(longSettle ? { longSettleMs: Number(longSettle) * 1000 } : {}),
    outFile,
  });
  process.stdout.write(`\n${renderExperimentTable(r.results, r.settle_s)}\n\nwritten gateway/bench/out/${outFile}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  connectionsExperimentCli(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `connections experiment failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
