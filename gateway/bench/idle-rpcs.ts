/**
 * What idle SDK customers ask of the gateway: `clients` customers connect,
 * then sit for `ms` while a plain subscription on `api.*.>` (the gateways take
 * requests in a queue group, so this one only listens) counts every request
 * they send, by op. Run against a gateway that watches connections (presence
 * from connections, ADR 0053) and one that does not (presence heartbeats, as
 * every gateway did before), each a fresh child process on the bench's
 * nats-server.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ParleyClient } from "@parley/sdk";
import { API_WILDCARD } from "@parley/sdk/protocol";
import { type NatsHarness, startNats } from "../test/harness/nats.js";
import { customerClient } from "./clients.js";
import { startGatewayChild } from "./gateway-child.js";
import { pool, round } from "./stats.js";

export interface IdleRpcFigures {
  clients: number;
  window_s: number;
  /** Requests per connected idle customer per minute, every op. */
  rpc_per_client_per_min: number;
  /** Of which presence.* requests. */
  presence_rpc_per_client_per_min: number;
  /** Requests in the window, by op. */
  by_op: Record<string, number>;
}

export async function idleRpcs(
  nats: NatsHarness,
  dataDir: string,
  opts: { clients: number; ms: number; watch: boolean },
): Promise<IdleRpcFigures> {
  const gw = await startGatewayChild(nats, join(dataDir, opts.watch ? "watch" : "beat"), undefined, opts.watch);
  const listener = await nats.serviceConnection({ name: "bench-idle-rpcs" });
  const clients: ParleyClient[] = [];
  try {
    await pool(opts.clients, 8, async (i) => {
      const c = customerClient(gw.url, `idle_rpc_${opts.watch ? "w" : "b"}_${i}`);
      clients.push(c);
      await c.connect();
    });
    const byOp: Record<string, number> = {};
    let total = 0;
    let presence = 0;
    let failed: Error | undefined;
    // Subjects are api.<principal>.<op>, the op itself dotted (presence.ping).
    const sub = listener.subscribe(API_WILDCARD, {
      callback: (err, m) => {
        if (err) {
          failed = err;
          return;
        }
        const op = m.subject.split(".").slice(2).join(".");
        byOp[op] = (byOp[op] ?? 0) + 1;
        total++;
        if (op.startsWith("presence.")) presence++;
      },
    });
    await listener.flush();
    await new Promise((r) => setTimeout(r, opts.ms));
    sub.unsubscribe();
    if (failed) throw failed;
    const perMin = (n: number) => round((n / opts.clients) * (60_000 / opts.ms), 3);
    return {
      clients: opts.clients,
      window_s: opts.ms / 1000,
      rpc_per_client_per_min: perMin(total),
      presence_rpc_per_client_per_min: perMin(presence),
      by_op: byOp,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await listener.close();
    await gw.stop();
  }
}

/**
 * Both runs: the figures for the bench JSON's `system` and its details. With `concurrent` (`--quick`)
 * the two run at once, the heartbeat run on a nats-server of its own so that neither listener hears
 * the other's customers; they are counts, not timings, so sharing the cores does not change them.
 */
export async function idleRpcsBoth(
  nats: NatsHarness,
  dataDir: string,
  opts: { clients: number; ms: number; concurrent?: boolean },
  log: (msg: string) => void,
): Promise<{ system: Record<string, number>; details: Record<string, IdleRpcFigures> }> {
  const details: Record<string, IdleRpcFigures> = {};
  const system: Record<string, number> = {};
  const run = async (watch: boolean, on: NatsHarness) => {
    const label = watch ? "connections" : "heartbeats";
    log(`idle rpcs: ${opts.clients} SDK customers, ${opts.ms / 1000} s, presence from ${label}`);
    const r = await idleRpcs(on, dataDir, { clients: opts.clients, ms: opts.ms, watch });
    log(`  ${label}: ${r.rpc_per_client_per_min} RPC per client per minute ${JSON.stringify(r.by_op)}`);
    return r;
  };
  let results: IdleRpcFigures[];
  if (opts.concurrent) {
    const own = await startNats();
    try {
      results = await Promise.all([run(true, nats), run(false, own)]);
    } finally {
      await own[Symbol.asyncDispose]();
    }
  } else results = [await run(true, nats), await run(false, nats)];
  for (const [i, r] of results.entries()) {
    const watch = i === 0;
    const label = watch ? "connections" : "heartbeats";
    details[label] = r;
    if (watch) {
      Object.assign(system, {
        idle_rpc_per_client_per_min: r.rpc_per_client_per_min,
        idle_rpc_clients: r.clients,
        idle_rpc_window_s: r.window_s,
      });
    } else system.idle_rpc_per_client_per_min_heartbeats = r.rpc_per_client_per_min;
  }
  return { system, details };
}

/** `npm run bench -- --idle-rpcs`: this part alone, on its own nats-server; writes out/idle-rpcs.json. */
export async function idleRpcsCli(
  opts: { clients: number; ms: number; concurrent?: boolean },
  log: (msg: string) => void,
): Promise<void> {
  const nats = await startNats();
  const dir = await mkdtemp(join(tmpdir(), "parley-bench-idle-rpcs-"));
  try {
    const r = await idleRpcsBoth(nats, dir, opts, log);
    const out = resolve("gateway/bench/out");
    await mkdir(out, { recursive: true });
    await writeFile(
      join(out, "idle-rpcs.json"),
      `${JSON.stringify({ at: new Date().toISOString(), ...r }, null, 2)}\n`,
    );
    process.stdout.write(`${JSON.stringify(r.system)}\nwritten gateway/bench/out/idle-rpcs.json\n`);
  } finally {
    await nats[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  }
}
