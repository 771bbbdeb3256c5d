/**
 * Idle WebSocket clients on one nats-server, the server's memory per client,
 * and a reconnect storm (nats-server killed and restarted with every client
 * connected and a send stream running through the gateway).
 *
 * The idle clients are raw nats-core `wsconnect` connections with a minted
 * principal JWT and the user-subject subscription an SDK client makes, i.e.
 * the NATS side of an SDK client without its HTTP session (which costs the
 * gateway, not nats-server). Minting costs ~25 ms of CPU here (a fresh user
 * nkey and an Ed25519 signature in JS), so a pool of principals is minted and
 * each JWT is shared by count/pool connections.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { NatsHarness } from "../test/harness/nats.js";
import { SHOP } from "./clients.js";
import { now, pool, round, sleep, waitFor } from "./stats.js";
import type { SystemRig } from "./system.js";

interface Varz {
  mem: number;
  connections: number;
  cpu: number;
}

export async function varz(nats: NatsHarness): Promise<Varz> {
  const res = await fetch(`${nats.monitorUrl}/varz`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as Varz;
}

export interface IdleClients {
  conns: NatsConnection[];
  reconnected: Set<number>;
  attempted: number;
  errors: string[];
  seconds: number;
}

/** Principals minted for the idle clients (each JWT shared by count/PRINCIPALS connections). */
export const IDLE_PRINCIPALS = 100;

/** Connects up to `count` idle clients (16 dials in flight), stopping at a run of failures or after `ms`. */
export async function connectIdle(nats: NatsHarness, count: number, ms: number): Promise<IdleClients> {
  const out: IdleClients = { conns: [], reconnected: new Set(), attempted: 0, errors: [], seconds: 0 };
  const start = now();
  const jwts: { principalId: string; jwt: string }[] = [];
  for (let i = 0; i < Math.min(count, IDLE_PRINCIPALS); i++) {
    const principalId = `p_idle_${i}`;
    const { jwt } = await nats.minter.mintPrincipal({
      principalId,
      kind: "customer",
      shopId: SHOP.id,
      ttlSeconds: 600,
    });
    jwts.push({ principalId, jwt });
  }
  let failures = 0;
  await pool(count, 16, async (i) => {
    if (now() - start > ms || failures > 20) return;
    out.attempted++;
    const { principalId, jwt } = jwts[i % jwts.length] ?? { principalId: "", jwt: "" };
    try {
      const nc = await nats.wsConnect(jwt, {
        name: "bench-idle",
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        reconnectJitter: 2_000,
        pingInterval: 60_000,
      });
      nc.subscribe(`user.${principalId}.ev`, { callback: () => {} });
      const index = out.conns.length;
      out.conns.push(nc);
      (async () => {
        for await (const s of nc.status()) if (s.type === "reconnect") out.reconnected.add(index);
      })().catch(() => undefined);
    } catch (err) {
      failures++;
      if (out.errors.length < 5) out.errors.push(String(err));
    }
  });
  await Promise.all(out.conns.map((nc) => nc.flush().catch(() => undefined)));
  out.seconds = round((now() - start) / 1000, 1);
  return out;
}

export async function closeIdle(idle: IdleClients): Promise<void> {
  await pool(idle.conns.length, 64, async (i) => {
    await idle.conns[i]?.close().catch(() => undefined);
  });
}

/** Server RSS before/after connecting the idle clients (after a short settle), in KiB per client. */
export async function idleMemory(
  nats: NatsHarness,
  count: number,
  ms: number,
): Promise<{ idle: IdleClients; ws_clients: number; kib_per_client: number; mem_before: number; mem_after: number }> {
  await sleep(500);
  const before = await varz(nats);
  const idle = await connectIdle(nats, count, ms);
  await sleep(2_000);
  const after = await varz(nats);
  const n = idle.conns.length;
  return {
    idle,
    ws_clients: n,
    kib_per_client: n === 0 ? 0 : round((after.mem - before.mem) / 1024 / n, 1),
    mem_before: before.mem,
    mem_after: after.mem,
  };
}

export interface StormResult {
  storm_clients: number;
  storm_reconnected: number;
  storm_reconnect_s: number;
  storm_server_connections: number;
  storm_sent: number;
  storm_acked: number;
  storm_lost: number;
  storm_duplicated: number;
  storm_failed: number;
}

/**
 * With the idle clients connected and `rig`'s senders streaming through the
 * gateway, kills nats-server and starts it on the same ports; waits for the
 * clients to come back, keeps streaming, then checks every acknowledged message
 * reached the agent exactly once.
 */
export async function reconnectStorm(
  nats: NatsHarness,
  idle: IdleClients,
  rig: SystemRig,
  opts: { everyMs: number; reconnectMs: number },
): Promise<StormResult> {
  let stop = false;
  const before = rig.integrity();
  const streaming = rig.stream(opts.everyMs, () => stop);
  await sleep(2_000);
  await nats.restart();
  const restartedAt = now();
  const expected = idle.conns.length;
  await waitFor(() => idle.reconnected.size >= expected, opts.reconnectMs, 200);
  const reconnectS = (now() - restartedAt) / 1000;
  const server = await varz(nats).catch(() => ({ connections: 0 }) as Varz);
  await sleep(2_000);
  stop = true;
  const pending = await streaming;
  await Promise.race([Promise.all(pending), sleep(30_000)]);
  await rig.collect();
  await rig.drain(30_000);
  const after = rig.integrity();
  return {
    storm_clients: expected,
    storm_reconnected: idle.reconnected.size,
    storm_reconnect_s: round(reconnectS, 1),
    storm_server_connections: server.connections,
    storm_sent: pending.length,
    storm_acked: after.acked - before.acked,
    storm_lost: after.lost,
    storm_duplicated: after.duplicated,
    storm_failed: after.failed - before.failed,
  };
}
