/**
 * The connection watcher (gateway/src/nats/connections.ts) across a
 * nats-server restart: no disconnect event arrives for the connections the
 * old process held, so the watcher must forget them when it reads the lists
 * again, or every reconnected client would count twice against its cap; and
 * across a cluster node's shutdown (its shutdown notice).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createGateway } from "../src/gateway.js";
import { createLogger } from "../src/logger.js";
import { openSession } from "./attack/kit.js";
import { installDualTransport } from "./harness/dual-transport.js";
import { startNatsCluster } from "./harness/nats.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ env: { PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: "10" } });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

it("counts each of a principal's 8 reconnecting connections once after a nats-server restart and closes none", async () => {
  const session = await openSession(stack);
  const id = session.principal.id;
  const conns: NatsConnection[] = await Promise.all(
    Array.from({ length: 8 }, () =>
      stack.nats.wsConnect(session.nats.jwt, {
        inboxPrefix: session.nats.inboxPrefix,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
      }),
    ),
  );
  try {
    await waitFor(() => stack.gateway.connections.count(id) === 8, "the watcher sees 8");
    const reconnected = conns.map((nc) =>
      (async () => {
        for await (const s of nc.status()) if (s.type === "reconnect") return true;
        return false;
      })(),
    );
    await stack.nats.restart();
    expect(await Promise.all(reconnected)).toEqual(Array(8).fill(true));
    await waitFor(() => stack.gateway.connections.count(id) === 8, "the watcher counts 8 again", 15_000);
    // A few seconds more: nothing is closed as over the cap, the count stays.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(conns.filter((nc) => nc.isClosed())).toHaveLength(0);
    expect(stack.gateway.connections.count(id)).toBe(8);
  } finally {
    await Promise.all(conns.map((nc) => nc.close().catch(() => undefined)));
  }
}, 30_000);

it("forgets the connections of a cluster node that shuts down, so clients reconnecting elsewhere count once", async () => {
  await using cluster = await startNatsCluster(3);
  const dir = await mkdtemp(join(tmpdir(), "parley-watch-cluster-"));
  const gw = await createGateway({
    config: loadConfig({
      PARLEY_PORT: "0",
      NATS_URL: cluster.nodes[1]?.url ?? "",
      NATS_WS_URL: cluster.wsUrls.join(","),
      NATS_AUTH_FILE: join(dir, "unused.json"),
      PARLEY_DATA_DIR: join(dir, "data"),
      PARLEY_SESSION_SECRET: "watch-session-secret-0123456789abcdefghi",
      PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: "10",
    }),
    natsAccount: { accountPub: cluster.auth.appAccountPub, signingSeed: cluster.auth.appSigningSeed },
    natsSystemUser: { jwt: cluster.auth.gatewaySystemJwt, seed: cluster.auth.gatewaySystemSeed },
    logger: createLogger("silent"),
  });
  await gw.start();
  installDualTransport();
  const id = "g_watch_node";
  const { jwt } = await cluster.minter.mintPrincipal({ principalId: id, kind: "guest", shopId: "shop_watch" });
  // 7 connections on node 0 (the first URL, not shuffled), free to move to the others when it stops.
  const node0 = cluster.nodes[0];
  if (!node0) throw new Error("no node 0");
  const conns: NatsConnection[] = [];
  try {
    for (let i = 0; i < 7; i++) {
      conns.push(
        await cluster.wsConnect(jwt, {
          noRandomize: true,
          inboxPrefix: `_INBOX_${id}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 100,
        }),
      );
    }
    await waitFor(() => gw.connections.count(id) === 7, "the watcher sees 7");
    const moved = conns.map((nc) =>
      (async () => {
        for await (const s of nc.status()) if (s.type === "reconnect") return true;
        return false;
      })(),
    );
    await node0.stop();
    expect(await Promise.all(moved)).toEqual(Array(7).fill(true));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(conns.filter((nc) => nc.isClosed())).toHaveLength(0);
    expect(gw.connections.count(id)).toBe(7);
  } finally {
    await Promise.all(conns.map((nc) => nc.close().catch(() => undefined)));
    await gw.stop();
    await rm(dir, { recursive: true, force: true });
  }
}, 30_000);
