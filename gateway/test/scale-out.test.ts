/**
 * Scale-out as docs/architecture.md ("Realtime and scale-out") describes it: two stateless gateways in one
 * queue group on a 3-node NATS cluster, sharing one MongoDB store (FerretDB
 * here). Clients land on different nodes; one gateway stops mid-stream and the
 * other carries on: 0 lost, 0 duplicated.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createClient, type ParleyClient } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../src/config.js";
import { createGateway, type Gateway } from "../src/gateway.js";
import { createLogger } from "../src/logger.js";
import { installDualTransport } from "./harness/dual-transport.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { DEFAULT_TEST_ORIGIN, type NatsClusterHarness, startNatsCluster } from "./harness/nats.js";
import { waitFor } from "./helpers.js";

const SHOP = "shop_scale";
const SECRET = "scale-shop-secret-0123456789abcdefghijk";

describe("two gateways on a three-node NATS cluster", () => {
  let cluster: NatsClusterHarness;
  let mongo: MongoForTests;
  let dir: string;
  const gateways: Gateway[] = [];
  const served = [0, 0];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-scale-"));
    cluster = await startNatsCluster(3);
    mongo = await mongoForTests();
    for (const [i, node] of cluster.nodes.slice(0, 2).entries()) {
      const sink = new Writable({
        write(chunk, _enc, done) {
          served[i] = (served[i] ?? 0) + (String(chunk).match(/"msg":"nats request"/g)?.length ?? 0);
          done();
        },
      });
      const config = loadConfig({
        PARLEY_PORT: "0",
        NATS_URL: node.url,
        NATS_WS_URL: cluster.wsUrls.join(","),
        NATS_AUTH_FILE: join(dir, "unused.json"),
        PARLEY_SESSION_SECRET: "scale-session-secret-0123456789abcdefgh",
        MONGODB_URI: mongo.uri,
        MONGODB_DB: mongo.dbName,
        PARLEY_SEND_RATE: "100000",
      });
      const gateway = await createGateway({
        config,
        natsAccount: { accountPub: cluster.auth.appAccountPub, signingSeed: cluster.auth.appSigningSeed },
        logger: createLogger("debug", sink),
      });
      await gateway.start();
      installDualTransport();
      gateways.push(gateway);
    }
    await gateways[0]?.admin.putShop(SHOP, {
      name: "Scale",
      tokenKey: { alg: "HS256", secret: SECRET },
      allowedOrigins: [],
      allowGuests: false,
    });
    await gateways[0]?.admin.addAgent(SHOP, {
      login: "ops@scale.test",
      password: "scale agent password",
      displayName: "Ops",
      role: "agent",
      kind: "agent",
    });
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop().catch(() => undefined);
    await mongo?.[Symbol.asyncDispose]();
    await cluster?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  const client = async (gatewayUrl: string, auth: Parameters<typeof createClient>[0]["auth"]) => {
    const c = createClient({
      gatewayUrl,
      auth,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      origin: DEFAULT_TEST_ORIGIN,
      requestTimeout: 3000,
      encryption: false, // transport under failover, plaintext envelopes
    });
    await c.connect();
    installDualTransport();
    return c;
  };

  it("shares requests between the gateways and loses nothing when one of them stops", async () => {
    const [a, b] = gateways;
    if (!a || !b) throw new Error("two gateways expected");
    const customer: ParleyClient = await client(a.url, {
      kind: "customer",
      shopId: SHOP,
      getToken: () =>
        signCustomerToken({ shopId: SHOP, key: { alg: "HS256", secret: SECRET }, customer: { id: "c1" } }),
    });
    const agent: ParleyClient = await client(b.url, {
      kind: "agent",
      shopId: SHOP,
      login: "ops@scale.test",
      password: "scale agent password",
    });
    const convId = (await customer.openConversation()).id;
    await agent.loadConversation(convId);
    const received: string[] = [];
    agent.on("message", ({ message }) => received.push(message.msgId));

    const sent: string[] = [];
    let stopped: Promise<void> | undefined;
    for (let i = 0; i < 300; i++) {
      sent.push((await customer.send(convId, `n${i}`)).msgId);
      if (i === 150) stopped = a.stop(); // gateway A leaves the queue group mid-stream
    }
    await stopped;
    await waitFor(() => new Set(received).size === sent.length, "the agent to receive all 300", 30_000);
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
    expect(received.length - new Set(received).size).toBe(0);
    expect(sent.filter((id) => !received.includes(id))).toEqual([]);
    const stored = await b.store.since(convId, 0, 1000);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await Promise.all([customer.close(), agent.close()]);
  });
});
