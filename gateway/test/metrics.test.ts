/**
 * `/metrics` of a real gateway (real nats-server, both stores): counters and
 * histograms move with real traffic and carry bounded labels; the listener is
 * apart from the public port and asks for its token; every metric the sample
 * Grafana dashboard queries is in a real scrape.
 */
import { readFile } from "node:fs/promises";
import type { NatsConnection } from "@nats-io/nats-core";
import type { ParleyClient } from "@parley/sdk";
import { subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { generousQuotas, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { codeOf, collectTexts, waitFor } from "./helpers.js";
import { declares, labelSets, sample, scrape } from "./metrics-scrape.js";

const TOKEN = "metrics-token-0123456789abcdef";
const DASHBOARD = new URL("../../docs/operations/grafana-dashboard.json", import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("/metrics on the embedded store", () => {
  let stack: TestStack;
  let customer: ParleyClient;
  let agent: ParleyClient;
  let raw: NatsConnection;
  let convId: string;
  const read = () => scrape(stack.gateway.metricsUrl, TOKEN);

  beforeAll(async () => {
    stack = await startStack({
      env: {
        PARLEY_METRICS_PORT: "0",
        PARLEY_METRICS_TOKEN: TOKEN,
        // One conv.open per customer a minute: the second is the rate-limited call.
        PARLEY_QUOTAS: generousQuotas().replace("conv.open=100000/", "conv.open=1/"),
      },
    });
    customer = stack.customer("metrics-cust");
    agent = stack.agent();
    await customer.connect();
    await agent.connect();
    convId = (await customer.openConversation()).id;
    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: customer.principal.id,
      kind: "customer",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    raw = await stack.nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(customer.principal.id) });
  });
  afterAll(async () => {
    await raw?.close();
    await customer?.close();
    await agent?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  it("counts a customer and an agent exchanging messages: sends, store calls, sessions, connections", async () => {
    const before = await read();
    await agent.loadConversation(convId);
    const toAgent = collectTexts(agent);
    for (let i = 0; i < 5; i++) await customer.send(convId, `m${i}`);
    await agent.send(convId, "reply");
    // The agent's own reply is a message event too.
    await waitFor(() => toAgent.get(convId)?.length === 6, "the agent has the 6 messages");
    const after = await waitFor(async () => {
      const text = await read();
      return sample(text, "parley_open_connections") >= 2 && text;
    }, "the watcher counts both connections");

    const sends = { op: "msg.send", code: "ok", transport: "nats" };
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta("parley_rpc_requests_total", sends)).toBe(6);
    expect(delta("parley_send_duration_seconds_count", { transport: "nats" })).toBe(6);
    expect(delta("parley_send_duration_seconds_bucket", { transport: "nats", le: "+Inf" })).toBe(6);
    expect(delta("parley_rpc_duration_seconds_count", { transport: "nats" })).toBeGreaterThanOrEqual(6);
    expect(delta("parley_store_duration_seconds_count", { operation: "append", store: "embedded" })).toBe(6);
    expect(sample(after, "parley_connected_principals")).toBeGreaterThanOrEqual(2);
    expect(sample(after, "parley_nats_connected")).toBe(1);
    expect(sample(after, "parley_http_requests_total", { route: "/v1/session", method: "POST", status: "200" })).toBe(
      1,
    );
    expect(sample(after, "parley_http_requests_total", { route: "/v1/agent/session", status: "200" })).toBe(1);
    expect(sample(after, "process_cpu_seconds_total")).toBeGreaterThan(0);

    // Bounded labels: no principal, conversation or raw path anywhere in the scrape.
    for (const id of [customer.principal.id, agent.principal.id, convId, SHOP_ID]) expect(after).not.toContain(id);
    const ops = new Set(labelSets(after, "parley_rpc_requests_total").map((l) => l.op));
    expect(ops.has("msg.send")).toBe(true);
  });

  it("counts a rate-limited call by its limiter, and a bad request by op and code", async () => {
    const before = await read();
    expect(await codeOf(customer.openConversation())).toBe("rate_limited");
    const notJson = await raw.request(subjects.api(customer.principal.id, "msg.send"), encoder.encode("{nope"), {
      timeout: 3000,
    });
    expect(JSON.parse(decoder.decode(notJson.data))).toMatchObject({ ok: false, error: { code: "bad_request" } });
    const unknown = await raw.request(subjects.api(customer.principal.id, "no.such_op"), encoder.encode("{}"), {
      timeout: 3000,
    });
    expect(JSON.parse(decoder.decode(unknown.data))).toMatchObject({ ok: false, error: { code: "not_found" } });
    const after = await read();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);

    expect(delta("parley_limit_hits_total", { limiter: "quota.conv.open" })).toBe(1);
    expect(delta("parley_rpc_requests_total", { op: "conv.open", code: "rate_limited", transport: "nats" })).toBe(1);
    expect(delta("parley_rpc_requests_total", { op: "msg.send", code: "bad_request", transport: "nats" })).toBe(1);
    // An op that does not exist is counted as `unknown`, never under the name the caller made up.
    expect(delta("parley_rpc_requests_total", { op: "unknown", code: "not_found", transport: "nats" })).toBe(1);
    expect(after).not.toContain("no.such_op");
  });

  it("counts HTTP requests by route pattern and status, never by raw path", async () => {
    const before = await read();
    const res = await fetch(`${stack.url}/v1/rpc/msg.history`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    await fetch(`${stack.url}/v1/no/such/path-42`);
    const after = await read();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta("parley_http_requests_total", { route: "/v1/rpc/:op", method: "POST", status: "401" })).toBe(1);
    expect(delta("parley_rpc_requests_total", { op: "msg.history", code: "unauthorized", transport: "http" })).toBe(1);
    expect(delta("parley_http_requests_total", { route: "unmatched", method: "GET", status: "404" })).toBe(1);
    expect(after).not.toContain("path-42");
  });

  it("serves /metrics only on its own listener, and only with the token", async () => {
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(404);
    expect(new URL(stack.gateway.metricsUrl).hostname).toBe("127.0.0.1");
    expect(new URL(stack.gateway.metricsUrl).port).not.toBe(new URL(stack.url).port);
    expect((await fetch(stack.gateway.metricsUrl)).status).toBe(401);
    const wrong = await fetch(stack.gateway.metricsUrl, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const other = new URL("/healthz", stack.gateway.metricsUrl);
    expect((await fetch(other, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const ok = await fetch(stack.gateway.metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain");
  });

  it("has every metric the sample Grafana dashboard queries", async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as { panels: Array<{ targets?: unknown[] }> };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => (t as { expr: string }).expr));
    expect(exprs.length).toBeGreaterThan(5);
    const names = new Set(exprs.flatMap((e) => e.match(/\b(?:parley|process|nodejs)_[a-z_]+\b/g) ?? []));
    const text = await read();
    const missing = [...names].filter((name) => !declares(text, name));
    expect(missing).toEqual([]);
  });

  // Last in this block: it restarts nats-server under the gateway.
  it("counts the gateway's NATS disconnects and reconnects, for its service and watcher connections", async () => {
    const events = (text: string, connection: string, event: string) =>
      sample(text, "parley_nats_connection_events_total", { connection, event });
    const before = await read();
    await stack.nats.restart();
    const after = await waitFor(async () => {
      const text = await read();
      const back =
        events(text, "service", "reconnect") > events(before, "service", "reconnect") &&
        events(text, "watcher", "reconnect") > events(before, "watcher", "reconnect") &&
        sample(text, "parley_nats_connected") === 1;
      return back && text;
    }, "both connections reconnected");
    expect(events(after, "service", "disconnect")).toBeGreaterThan(events(before, "service", "disconnect"));
    expect(events(after, "watcher", "disconnect")).toBeGreaterThan(events(before, "watcher", "disconnect"));
  });
});

describe("/metrics on the MongoDB store", () => {
  let mongo: MongoForTests;
  let stack: TestStack;

  beforeAll(async () => {
    mongo = await mongoForTests();
    stack = await startStack({
      mongo: { uri: mongo.uri, dbName: mongo.dbName },
      env: { PARLEY_METRICS_PORT: "0", PARLEY_METRICS_TOKEN: TOKEN },
    });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  it("times store calls of the Mongo adapter", async () => {
    const customer = stack.customer("metrics-mongo");
    await customer.connect();
    const conv = (await customer.openConversation()).id;
    await customer.send(conv, "stored in MongoDB");
    const appended = { operation: "append", store: "mongodb" };
    const text = await waitFor(async () => {
      const t = await scrape(stack.gateway.metricsUrl, TOKEN);
      return sample(t, "parley_store_duration_seconds_count", appended) > 0 && t;
    }, "the append is counted");
    expect(sample(text, "parley_store_duration_seconds_count", appended)).toBe(1);
    expect(
      sample(text, "parley_store_duration_seconds_count", { operation: "getPrincipal", store: "mongodb" }),
    ).toBeGreaterThan(0);
    expect(sample(text, "parley_store_duration_seconds_count", { store: "embedded" })).toBe(0);
    expect(sample(text, "parley_rpc_requests_total", { op: "msg.send", code: "ok" })).toBe(1);
    await customer.close();
  });
});
