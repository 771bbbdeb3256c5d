/**
 * Attack rows for NATS connections (issue 17, items 2 and 7): one guest
 * credential opening dozens of WebSocket connections, many guests filling the
 * app account so that no gateway could connect any more, and the gateway
 * disconnecting every live connection of one principal on demand.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import type { SessionResponse } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createGateway, type Gateway } from "../../src/gateway.js";
import { createLogger } from "../../src/logger.js";
import { attack } from "../harness/attack.js";
import { installDualTransport } from "../harness/dual-transport.js";
import { startNatsCluster } from "../harness/nats.js";
import { startStack, type TestStack } from "../harness/stack.js";
import { openSession, rawNats } from "./kit.js";

const CAP = 10;

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ env: { PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: String(CAP) } });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

/** Opens `n` raw WebSocket connections with one session's JWT, all at once, none reconnecting. */
async function flood(s: TestStack, session: SessionResponse, n: number): Promise<NatsConnection[]> {
  const settled = await Promise.allSettled(
    Array.from({ length: n }, () =>
      s.nats.wsConnect(session.nats.jwt, { inboxPrefix: session.nats.inboxPrefix, reconnect: false }),
    ),
  );
  return settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
}

const alive = (conns: NatsConnection[]) => conns.filter((nc) => !nc.isClosed()).length;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits up to `ms` for `done`, then answers whether it came true (no throw: the row asserts with figures). */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (done()) return true;
    await sleep(50);
  }
  return done();
}

async function closeAll(conns: NatsConnection[]): Promise<void> {
  await Promise.all(conns.map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
}

attack(
  {
    area: "nats",
    attack: "one guest credential opens 40 WebSocket connections",
    expected: `at most ${CAP} stay connected (PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL), others keep being served`,
  },
  async (row) => {
    const session = await openSession(stack);
    const conns = await flood(stack, session, 40);
    const settled = await within(8_000, () => alive(conns) <= CAP);
    await sleep(500);
    const left = alive(conns);
    const survivor = conns.find((nc) => !nc.isClosed());
    const other = await rawNats(stack, await openSession(stack));
    const otherReply = await other.rpc("conv.list", {});
    const own = survivor
      ? await survivor.request(`api.${session.principal.id}.conv.list`, "{}", { timeout: 3_000 })
      : undefined;
    const health = await fetch(`${stack.url}/healthz`);
    row.observed(
      `${conns.length} of 40 opened, ${left} still connected after ${settled ? "the cap applied" : "8 s"}; ` +
        `a survivor's request ${own ? "answered" : "not sent"}, another guest's conv.list ok: ${otherReply.ok}, /healthz ${health.status}`,
    );
    expect(left).toBeLessThanOrEqual(CAP);
    expect(left).toBeGreaterThan(0);
    expect(own).toBeDefined();
    expect(otherReply.ok).toBe(true);
    expect(health.status).toBe(200);
    await other.close();
    await closeAll(conns);
  },
  { timeout: 25_000 },
);

attack(
  {
    area: "nats",
    attack: "a removed principal's live connections (disconnect on revocation)",
    expected:
      "every connection of that principal closed, also those older than the gateway, and a reconnect with its old JWT; another principal's stay up",
  },
  async (row) => {
    const victim = await openSession(stack);
    const bystander = await openSession(stack);
    // Two connections from before this gateway started: it must learn them from the server, not from events.
    const before = await flood(stack, victim, 2);
    await stack.restartGateway();
    const after = await flood(stack, victim, 2);
    const others = await flood(stack, bystander, 2);
    const mine = [...before, ...after];
    const count = await stack.gateway.connections.disconnect(victim.principal.id);
    const allClosed = await within(5_000, () => alive(mine) === 0);
    await sleep(300);
    const reply = others[0]
      ? await others[0].request(`api.${bystander.principal.id}.conv.list`, "{}", { timeout: 3_000 })
      : undefined;
    // The attacker still holds the (unexpired) JWT and simply reconnects with it.
    const again = await flood(stack, victim, 1);
    const refusedAgain = await within(3_000, () => alive(again) === 0);
    row.observed(
      `disconnect() answered ${count}; ${mine.length - alive(mine)} of ${mine.length} of the principal's connections closed` +
        `${allClosed ? "" : " (5 s)"}; ${alive(others)} of ${others.length} of another principal's still up, its request answered: ${reply !== undefined}; ` +
        `a reconnect with the old JWT ${refusedAgain ? "closed" : "stayed up 3 s"}`,
    );
    expect(refusedAgain).toBe(true);
    expect(count).toBe(mine.length);
    expect(alive(mine)).toBe(0);
    expect(alive(others)).toBe(others.length);
    expect(reply).toBeDefined();
    await closeAll(others);
  },
  { timeout: 25_000 },
);

attack(
  {
    area: "nats",
    attack: "8 guests flood the app account (limit 30) with 48 connections, then a gateway connects",
    expected:
      "principals held to the account limit minus the gateways' reserve (5): a new gateway connects and answers",
  },
  async (row) => {
    await using small = await startStack({
      natsAccountLimits: { connections: 30 },
      env: { PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: String(CAP), PARLEY_NATS_RESERVED_CONNECTIONS: "5" },
    });
    const sessions = await Promise.all(Array.from({ length: 8 }, () => openSession(small)));
    const owned = (
      await Promise.all(sessions.map(async (s) => (await flood(small, s, 6)).map((nc) => ({ nc, id: s.principal.id }))))
    ).flat();
    const conns = owned.map((o) => o.nc);
    const budget = 30 - 5;
    const held = await within(8_000, () => alive(conns) <= budget);
    await sleep(300);
    const left = alive(conns);
    let second: Awaited<ReturnType<TestStack["extraGateway"]>> | undefined;
    let refused = "";
    try {
      second = await small.extraGateway();
    } catch (err) {
      refused = String((err as Error).message ?? err);
    }
    const health = second ? (await fetch(`${second.url}/healthz`)).status : 0;
    const survivor = owned.find((o) => !o.nc.isClosed());
    const answered = survivor
      ? await survivor.nc.request(`api.${survivor.id}.conv.list`, "{}", { timeout: 3_000 }).then(
          () => true,
          () => false,
        )
      : false;
    row.observed(
      `${conns.length} of 48 opened, ${left} still connected ${held ? "" : "after 8 s "}(budget ${budget}); ` +
        `second gateway ${second ? `started, /healthz ${health}` : `refused: ${refused.slice(0, 80)}`}; a survivor's request answered: ${answered}`,
    );
    expect(left).toBeLessThanOrEqual(budget);
    expect(second).toBeDefined();
    expect(health).toBe(200);
    expect(answered).toBe(true);
    await closeAll(conns);
  },
  { timeout: 30_000 },
);

attack(
  {
    area: "nats",
    attack: "one principal spreads 15 connections over a 3-node cluster with 2 gateways, then is disconnected",
    expected: `at most ${CAP} stay up across the cluster; disconnect() on either gateway closes them on every node`,
  },
  async (row) => {
    await using cluster = await startNatsCluster(3);
    const dir = await mkdtemp(join(tmpdir(), "parley-conn-cluster-"));
    const gateways: Gateway[] = [];
    const conns: NatsConnection[] = [];
    try {
      for (const node of cluster.nodes.slice(0, 2)) {
        const gw = await createGateway({
          config: loadConfig({
            PARLEY_PORT: "0",
            NATS_URL: node.url,
            NATS_WS_URL: cluster.wsUrls.join(","),
            NATS_AUTH_FILE: join(dir, "unused.json"),
            PARLEY_DATA_DIR: join(dir, "data"),
            PARLEY_SESSION_SECRET: "cluster-session-secret-0123456789abcdefg",
            PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: String(CAP),
          }),
          natsAccount: {
            accountPub: cluster.auth.appAccountPub,
            signingSeed: cluster.auth.appSigningSeed,
            accountJwt: cluster.auth.appAccountJwt,
          },
          natsBotsAccount: { accountPub: cluster.auth.botsAccountPub, signingSeed: cluster.auth.botsSigningSeed },
          natsSystemUser: { jwt: cluster.auth.gatewaySystemJwt, seed: cluster.auth.gatewaySystemSeed },
          logger: createLogger("silent"),
        });
        await gw.start();
        installDualTransport();
        gateways.push(gw);
      }
      const mint = (principalId: string) =>
        cluster.minter.mintPrincipal({ principalId, kind: "guest", shopId: "shop_cluster" }).then((m) => m.jwt);
      const [flooder, bystander] = await Promise.all([mint("g_cluster_flood"), mint("g_cluster_other")]);
      const open = async (jwt: string, i: number, inboxPrefix: string) => {
        const node = cluster.nodes[i % cluster.nodes.length];
        return node?.wsConnect(jwt, { inboxPrefix, reconnect: false });
      };
      const settled = await Promise.allSettled(
        Array.from({ length: 15 }, (_, i) => open(flooder, i, "_INBOX_g_cluster_flood")),
      );
      for (const r of settled) if (r.status === "fulfilled" && r.value) conns.push(r.value);
      const others = (await Promise.all([0, 1, 2].map((i) => open(bystander, i, "_INBOX_g_cluster_other")))).filter(
        (nc): nc is NatsConnection => nc !== undefined,
      );
      await within(8_000, () => alive(conns) <= CAP);
      await sleep(500);
      const capped = alive(conns);
      const nodesUsed = new Set(conns.filter((nc) => !nc.isClosed()).map((nc) => nc.info?.server_id)).size;
      const count = await gateways[1]?.connections.disconnect("g_cluster_flood");
      const closed = await within(5_000, () => alive(conns) === 0);
      await sleep(300);
      row.observed(
        `${conns.length} of 15 opened, ${capped} still up (on ${nodesUsed} nodes); disconnect() via the second gateway answered ${count}, ` +
          `${closed ? "all closed" : `${alive(conns)} still up after 5 s`}; another principal's ${alive(others)} of ${others.length} up`,
      );
      conns.push(...others);
      expect(capped).toBeLessThanOrEqual(CAP);
      expect(nodesUsed).toBeGreaterThan(1);
      expect(count).toBe(capped);
      expect(closed).toBe(true);
      expect(alive(others)).toBe(3);
    } finally {
      await closeAll(conns);
      for (const gw of gateways) await gw.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  },
  { timeout: 30_000 },
);
