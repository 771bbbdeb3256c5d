/**
 * The team's presence read from NATS connections (ADR 0053) on the real stack:
 * a real nats-server (and a 3-node cluster), real gateways with their
 * connection watchers, SDK clients over real WebSockets. Nobody pings: an
 * agent is online while it holds a connection, customers are told by events
 * and ask once per connection. (signals.test.ts covers the heartbeat mode of a
 * gateway without a connection watcher.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import type { ParleyClient } from "@parley/sdk";
import { subjects, type TeamPresence } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { loadConfig } from "../src/config.js";
import { createGateway, type Gateway } from "../src/gateway.js";
import { createLogger } from "../src/logger.js";
import { installDualTransport } from "./harness/dual-transport.js";
import { killableWebSocket } from "./harness/killable-websocket.js";
import { startNatsCluster } from "./harness/nats.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

let stack: TestStack;
const open: ParleyClient[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  await stack?.[Symbol.asyncDispose]();
});

/** presence RPCs a gateway answered since it started, by op. */
async function presenceRpcs(gw: Gateway, op: "presence.ping" | "presence.get" | "presence.leave"): Promise<number> {
  const metric = await gw.metrics.registry.getSingleMetric("parley_rpc_requests_total")?.get();
  return (metric?.values ?? []).filter((v) => v.labels.op === op).reduce((sum, v) => sum + v.value, 0);
}

const named = (p: TeamPresence) => p.online.map((m) => m.displayName);
const sees = (c: ParleyClient, name: string) => named(c.presence.value).includes(name);

async function customer(sub: string): Promise<ParleyClient> {
  const c = stack.customer(sub);
  open.push(c);
  await c.connect();
  return c;
}

async function agent(ws?: typeof WebSocket): Promise<ParleyClient> {
  const c = stack.agent(ws ? { WebSocket: ws as unknown as typeof globalThis.WebSocket } : {});
  open.push(c);
  await c.connect();
  return c;
}

describe("presence from connections", () => {
  it("tells idle customers of an agent by events, with no presence RPC while they wait", async () => {
    const customers = await Promise.all(["idle-1", "idle-2", "idle-3", "idle-4", "idle-5"].map(customer));
    for (const c of customers) expect(sees(c, "Ada")).toBe(false);
    const before = await presenceRpcs(stack.gateway, "presence.ping");
    const ada = await agent();
    for (const c of customers) await waitFor(() => sees(c, "Ada"), "Ada online at every customer");
    // Longer than the heartbeat interval clients used to be given (10 s): an idle customer asks nothing.
    await new Promise((r) => setTimeout(r, 11_000));
    // The agent's own question when it connected, and nothing else.
    expect((await presenceRpcs(stack.gateway, "presence.ping")) - before).toBe(1);
    await ada.close();
    for (const c of customers) await waitFor(() => !sees(c, "Ada"), "Ada offline at every customer");
    expect(await presenceRpcs(stack.gateway, "presence.leave")).toBe(0);
    await Promise.all(customers.map((c) => c.close()));
  }, 30_000);

  it("takes an agent offline when its socket dies without a goodbye, and keeps it online while a second device lives", async () => {
    const cust = await customer("watcher-kill");
    const net = killableWebSocket();
    const phone = await agent(net.WebSocket);
    const laptop = await agent();
    await waitFor(() => sees(cust, "Ada"), "Ada online");
    net.kill();
    // The server saw the phone's socket go; the laptop keeps Ada online.
    await waitFor(() => stack.gateway.connections.count(laptop.principal.id) === 1, "the phone's connection gone");
    expect(sees(cust, "Ada")).toBe(true);
    await laptop.close();
    // Well inside the server's ping window (limits.ts, 90 s): the close of the socket is seen at once.
    await waitFor(() => !sees(cust, "Ada"), "Ada offline with her last device", 5_000);
    await phone.close();
    await cust.close();
  }, 30_000);

  it("gives a customer connecting late the snapshot at once", async () => {
    const ada = await agent();
    const late = await customer("late");
    // connect() resolves after the one presence question: no event needed.
    expect(late.presence.value.online).toEqual([{ principalId: ada.principal.id, displayName: "Ada", kind: "agent" }]);
    await ada.close();
    await waitFor(() => !sees(late, "Ada"), "Ada offline");
    await late.close();
  });

  it("answers SDKs that still ping, and tells them to ping rarely; their leave does not take a live agent offline", async () => {
    const ada = await agent();
    const old = await customer("old-sdk");
    const reply = await old.request("presence.ping", { conn: "c_oldsdk" });
    expect(reply).toMatchObject({ heartbeat: false, intervalMs: 300_000 });
    expect(named(reply.presence)).toEqual(["Ada"]);
    expect(await ada.request("presence.leave", { conn: "c_oldsdk" })).toEqual({ ok: true });
    expect(named((await old.request("presence.get", {})).presence)).toEqual(["Ada"]);
    await ada.close();
    await waitFor(async () => (await old.request("presence.ping", {})).presence.online.length === 0, "Ada gone");
    await old.close();
  });

  it("shows a renamed agent's new name", async () => {
    const cust = await customer("watcher-rename");
    const ada = await agent();
    await waitFor(() => sees(cust, "Ada"), "Ada online");
    await ada.request("profile.update", { displayName: "Ada L." });
    await waitFor(() => sees(cust, "Ada L."), "the new name");
    await ada.request("profile.update", { displayName: "Ada" });
    await waitFor(() => sees(cust, "Ada"), "the old name back");
    await ada.close();
    await cust.close();
  });

  it("neither loses nor keeps an agent across a gateway restart", async () => {
    const cust = await customer("watcher-restart");
    const ada = await agent();
    await waitFor(() => sees(cust, "Ada"), "Ada online");
    await stack.restartGateway();
    // The new gateway read the server's connection list: Ada is there.
    expect(named((await cust.request("presence.get", {})).presence)).toEqual(["Ada"]);
    await ada.close();
    // And it announces her going.
    await waitFor(() => !sees(cust, "Ada"), "Ada offline after the restart");
    expect(named((await cust.request("presence.get", {})).presence)).toEqual([]);
    await cust.close();
  });

  it("tells the same story from either of two gateways, and outlives one of them stopping", async () => {
    const second = await stack.extraGateway();
    const cust = await customer("watcher-two");
    const ada = await agent();
    await waitFor(() => sees(cust, "Ada"), "Ada online");
    // Requests land on either gateway (queue group): every answer names Ada.
    for (let i = 0; i < 12; i++) expect(named((await cust.request("presence.get", {})).presence)).toEqual(["Ada"]);
    await second.stop();
    expect(named((await cust.request("presence.get", {})).presence)).toEqual(["Ada"]);
    await ada.close();
    await waitFor(() => !sees(cust, "Ada"), "Ada offline");
    await cust.close();
  });
});

it("follows an agent on one node of a 3-node cluster for a customer on another, announced once by one of two gateways", async () => {
  await using cluster = await startNatsCluster(3);
  const dir = await mkdtemp(join(tmpdir(), "parley-presence-cluster-"));
  const gateways: Gateway[] = [];
  const conns: NatsConnection[] = [];
  try {
    for (const i of [1, 2]) {
      const gw = await createGateway({
        config: loadConfig({
          PARLEY_PORT: "0",
          NATS_URL: cluster.nodes[i]?.url ?? "",
          NATS_WS_URL: cluster.wsUrls.join(","),
          NATS_AUTH_FILE: join(dir, "unused.json"),
          PARLEY_DATA_DIR: join(dir, `data-${i}`),
          PARLEY_SESSION_SECRET: "presence-session-secret-0123456789abcdef",
        }),
        natsAccount: { accountPub: cluster.auth.appAccountPub, signingSeed: cluster.auth.appSigningSeed },
        natsSystemUser: { jwt: cluster.auth.gatewaySystemJwt, seed: cluster.auth.gatewaySystemSeed },
        logger: createLogger("silent"),
      });
      await gw.start();
      installDualTransport();
      gateways.push(gw);
    }
    const shopId = "shop_presence_cluster";
    const custId = "c_presence_cluster";
    const agentId = "a_presence_cluster";
    const node = (i: number) => {
      const n = cluster.nodes[i];
      if (!n) throw new Error(`no node ${i}`);
      return n;
    };
    const cust = await cluster.minter.mintPrincipal({ principalId: custId, kind: "customer", shopId });
    const watcher = await node(2).wsConnect(cust.jwt, { inboxPrefix: `_INBOX_${custId}` });
    conns.push(watcher);
    const heard: TeamPresence[] = [];
    watcher.subscribe(subjects.user(custId), {
      callback: (_e, m) => {
        const ev = m.json<{ type: string; presence: TeamPresence }>();
        if (ev.type === "presence") heard.push(ev.presence);
      },
    });
    await watcher.flush();
    // Both gateways know the customer (it is told), from the connection alone.
    await waitFor(() => gateways.every((gw) => gw.connections.count(custId) === 1), "the customer seen");
    const minted = await cluster.minter.mintPrincipal({ principalId: agentId, kind: "agent", shopId });
    const agentConn = await node(0).wsConnect(minted.jwt, { inboxPrefix: `_INBOX_${agentId}` });
    conns.push(agentConn);
    await waitFor(() => heard.some((p) => p.online.some((m) => m.principalId === agentId)), "the agent online");
    await agentConn.close();
    await waitFor(() => heard.length >= 2 && heard.at(-1)?.online.length === 0, "the agent offline");
    // One announcement per change, whichever gateway the queue group chose.
    expect(heard.map((p) => p.online.map((m) => m.principalId))).toEqual([[agentId], []]);
    expect(heard[1]?.updatedAt).toBeGreaterThan(heard[0]?.updatedAt ?? Number.POSITIVE_INFINITY);
  } finally {
    await Promise.all(conns.map((nc) => nc.close().catch(() => undefined)));
    for (const gw of gateways) await gw.stop();
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
