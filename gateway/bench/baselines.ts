/**
 * Baselines, measured in the same run as the system: raw NATS pub/sub and
 * request/reply (Node TCP client), raw store appends (embedded SQLite and
 * MongoDB), and a no-op Express route. Every load is bounded in count and time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { randomId } from "@parley/sdk/protocol";
import { openStore } from "../src/store/index.js";
import type { NewMessage, Store } from "../src/store/port.js";
import type { NatsHarness } from "../test/harness/nats.js";
import { cpuMeter, spawnNodeChild } from "./procs.js";
import { now, percentile, pool, round } from "./stats.js";

export interface Budget {
  /** Upper bound on operations. */
  count: number;
  /** Upper bound on wall time, ms. */
  ms: number;
}

const PAYLOAD_200 = new Uint8Array(200).fill(120);

/** Publisher and subscriber on two TCP connections; msgs/s counted at the subscriber. */
export async function natsPubSub(nats: NatsHarness, budget: Budget): Promise<{ msgs_per_s: number; received: number }> {
  const pub = await nats.serviceConnection();
  const sub = await nats.serviceConnection();
  try {
    let received = 0;
    let last = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    sub.subscribe("api.bench.pubsub", {
      callback: () => {
        received++;
        last = now();
        if (received >= budget.count) done();
      },
    });
    await sub.flush();
    const start = now();
    const deadline = start + budget.ms;
    let sent = 0;
    // Publish in slices and flush, so the client buffer stays bounded and the subscriber keeps up.
    while (sent < budget.count && now() < deadline) {
      const slice = Math.min(5_000, budget.count - sent);
      for (let i = 0; i < slice; i++) pub.publish("api.bench.pubsub", PAYLOAD_200);
      sent += slice;
      await pub.flush();
    }
    await Promise.race([finished, new Promise((r) => setTimeout(r, 5_000))]);
    const seconds = ((last || now()) - start) / 1000;
    return { msgs_per_s: Math.round(received / seconds), received };
  } finally {
    await pub.close();
    await sub.close();
  }
}

/** `concurrency` requesters, each on its own TCP connection, against a responder process that does nothing. */
export async function natsRequestReply(
  nats: NatsHarness,
  concurrency: number,
  budget: Budget,
): Promise<{ per_s: number; p50_ms: number; p99_ms: number; requests: number }> {
  const responder = await spawnNodeChild({
    role: "responder",
    natsUrl: nats.url,
    accountPub: nats.auth.appAccountPub,
    signingSeed: nats.auth.appSigningSeed,
    subject: "api.bench.echo",
  });
  const conns: NatsConnection[] = [];
  try {
    for (let i = 0; i < concurrency; i++) conns.push(await nats.serviceConnection());
    const empty = new Uint8Array(0);
    // Warm-up: every connection makes its inbox subscription.
    await Promise.all(conns.map((nc) => nc.request("api.bench.echo", empty, { timeout: 5_000 })));
    const latencies: number[] = [];
    const start = now();
    const deadline = start + budget.ms;
    let issued = 0;
    await Promise.all(
      conns.map(async (nc) => {
        while (issued < budget.count && now() < deadline) {
          issued++;
          const t = now();
          await nc.request("api.bench.echo", PAYLOAD_200, { timeout: 5_000 });
          latencies.push(now() - t);
        }
      }),
    );
    const seconds = (now() - start) / 1000;
    return {
      per_s: Math.round(latencies.length / seconds),
      p50_ms: round(percentile(latencies, 50), 3),
      p99_ms: round(percentile(latencies, 99), 3),
      requests: latencies.length,
    };
  } finally {
    await Promise.all(conns.map((nc) => nc.close().catch(() => undefined)));
    await responder.stop();
  }
}

/** An envelope of about the size a 200 B text message makes. */
export function sampleEnvelope(convId: string, msgId: string) {
  return {
    v: 1 as const,
    convId,
    epoch: 0,
    msgId,
    senderDevice: "d_bench",
    ts: Date.now(),
    alg: "none" as const,
    nonce: "",
    ct: "x".repeat(200),
    sig: "",
  };
}

async function seedConversations(store: Store, shopId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomId("cv_");
    const t = Date.now();
    await store.createConversation({
      id,
      shopId,
      status: "open",
      createdBy: "p_bench",
      createdAt: t,
      updatedAt: t,
      lastSeq: 0,
      epoch: 0,
    });
    ids.push(id);
  }
  return ids;
}

/**
 * Raw `Store.append` across `conversations` conversations with `concurrency`
 * appends in flight (SQLite is synchronous, so its concurrency is effectively 1).
 */
export async function storeAppends(
  store: Store,
  opts: { conversations: number; concurrency: number; budget: Budget },
): Promise<{ per_s: number; p99_ms: number; p50_ms: number; appends: number; cpu_s: Record<string, number> }> {
  const convs = await seedConversations(store, "shop_bench", opts.conversations);
  const latencies: number[] = [];
  const meter = cpuMeter({});
  const start = now();
  const deadline = start + opts.budget.ms;
  let issued = 0;
  await pool(opts.concurrency, opts.concurrency, async (worker) => {
    while (issued < opts.budget.count && now() < deadline) {
      const i = issued++;
      const convId = convs[(worker + i) % convs.length] ?? "";
      const msgId = randomId();
      const m: NewMessage = {
        convId,
        msgId,
        sender: "p_bench",
        ts: Date.now(),
        envelope: sampleEnvelope(convId, msgId),
      };
      const t = now();
      await store.append(m);
      latencies.push(now() - t);
    }
  });
  const seconds = (now() - start) / 1000;
  return {
    per_s: Math.round(latencies.length / seconds),
    p50_ms: round(percentile(latencies, 50), 3),
    p99_ms: round(percentile(latencies, 99), 3),
    appends: latencies.length,
    cpu_s: meter(),
  };
}

/** The embedded store in a fresh temp dir. */
export async function sqliteAppends(opts: { conversations: number; budget: Budget }) {
  const dir = await mkdtemp(join(tmpdir(), "parley-bench-store-"));
  const store = await openStore({ dataDir: dir });
  try {
    return await storeAppends(store, { ...opts, concurrency: 1 });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The MongoDB store (FerretDB here) in its own database. */
export async function mongoAppends(opts: {
  uri: string;
  dbName: string;
  conversations: number;
  concurrency: number;
  budget: Budget;
}) {
  const store = await openStore({ mongodbUri: opts.uri, mongoDbName: opts.dbName, dataDir: "unused" });
  try {
    return await storeAppends(store, opts);
  } finally {
    await store.close();
  }
}

/** A no-op Express POST route in its own process; keep-alive client with `concurrency` requests in flight. */
export async function httpNoop(concurrency: number, budget: Budget): Promise<{ req_per_s: number; p99_ms: number }> {
  const server = await spawnNodeChild({ role: "http" });
  const url = new URL(`${String(server.ready.url)}/noop`);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({ text: "x".repeat(180) });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        { method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } },
        (res) => {
          res.resume();
          res.once("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  try {
    await pool(concurrency, concurrency, post);
    const latencies: number[] = [];
    const start = now();
    const deadline = start + budget.ms;
    let issued = 0;
    await pool(concurrency, concurrency, async () => {
      while (issued < budget.count && now() < deadline) {
        issued++;
        const t = now();
        await post();
        latencies.push(now() - t);
      }
    });
    const seconds = (now() - start) / 1000;
    return { req_per_s: Math.round(latencies.length / seconds), p99_ms: round(percentile(latencies, 99), 3) };
  } finally {
    agent.destroy();
    await server.stop();
  }
}
