/**
 * Webhooks end to end, on both stores: a real gateway (two, and a restart)
 * on a real nats-server POSTs to a real HTTP receiver on a loopback port; the
 * receiver checks each delivery with `verifyWebhook` from `@parley/sdk/server`.
 * Signed, retried with the same id, delivered once across a restart and
 * across two gateways, `message.created` only for offline customers (a burst
 * coalesced into one), the delivery log, and no content in any delivery.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParleyClient } from "@parley/sdk";
import type { WebhookEvent } from "@parley/sdk/protocol";
import { verifyWebhook, WebhookVerificationError } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { ADMIN_TOKEN, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { startWebhookReceiver, type WebhookReceiver } from "./harness/webhook-receiver.js";
import { codeOf, waitFor } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const ENV = {
  PARLEY_WEBHOOK_ALLOW_LOOPBACK: "true",
  PARLEY_WEBHOOK_BACKOFF: "100",
  PARLEY_WEBHOOK_COALESCE: "400",
  PARLEY_WEBHOOK_POLL: "40",
  PARLEY_WEBHOOK_TIMEOUT: "3000",
};

/** What the webhook admin routes answer (the fields these tests read). */
interface AdminReply {
  webhook: { url: string; updatedAt: number; secret?: string };
  error: { code: string };
}

async function admin(stack: TestStack, method: string, body?: unknown): Promise<{ status: number; json: AdminReply }> {
  const res = await fetch(`${stack.url}/v1/admin/shops/${SHOP_ID}/webhook`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as AdminReply };
}

describe.each(["sqlite", "mongodb"] as const)("webhooks on the %s store", (kind) => {
  let mongo: MongoForTests | undefined;
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let secret: string;
  let agent: ParleyClient;
  const clients: ParleyClient[] = [];
  const track = <T extends ParleyClient>(c: T): T => {
    clients.push(c);
    return c;
  };

  /** Every verified event the receiver was sent for one conversation, of one type. */
  async function eventsOf(convId: string, type: string): Promise<WebhookEvent[]> {
    const out: WebhookEvent[] = [];
    for (const r of receiver.delivered(type)) {
      const event = await verifyWebhook({ secret, header: String(r.headers["parley-signature"]), rawBody: r.raw });
      if (event.data.conversationId === convId) out.push(event);
    }
    return out;
  }

  beforeAll(async () => {
    if (kind === "mongodb") mongo = await mongoForTests();
    stack = await startStack({
      env: ENV,
      ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
    });
    receiver = await startWebhookReceiver();
    agent = track(stack.agent());
    await agent.connect();
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await stack?.[Symbol.asyncDispose]();
    await receiver?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  it("sets the webhook through the admin API: the secret shown once, bad URLs refused", async () => {
    expect((await admin(stack, "GET")).status).toBe(404);
    for (const url of ["https://10.0.0.7/hook", "https://169.254.169.254/latest", "ftp://example.com/", "nope"]) {
      const refused = await admin(stack, "PUT", { url });
      expect(refused.status, url).toBe(400);
      expect(refused.json.error.code).toBe("bad_request");
    }
    expect((await admin(stack, "PUT", { url: receiver.url, secret: "short" })).status).toBe(400);
    const set = await admin(stack, "PUT", { url: receiver.url });
    expect(set.status).toBe(200);
    expect(set.json.webhook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    secret = set.json.webhook.secret ?? "";
    const got = await admin(stack, "GET");
    expect(got.json.webhook).toEqual({ url: receiver.url, updatedAt: set.json.webhook.updatedAt });
    expect(JSON.stringify(got.json)).not.toContain(secret);
    const noToken = await fetch(`${stack.url}/v1/admin/shops/${SHOP_ID}/webhook`);
    expect(noToken.status).toBe(401);
  });

  it("signs conversation.opened, .assigned, .closed and .reopened; the helper refuses tampering and old ones", async () => {
    const customer = track(stack.customer(`wh-${kind}-triage`));
    await customer.connect();
    const conv = await customer.openConversation();
    await agent.assign(conv.id, agent.principal.id);
    await agent.closeConversation(conv.id);
    await agent.reopenConversation(conv.id);
    const types = ["conversation.opened", "conversation.assigned", "conversation.closed", "conversation.reopened"];
    for (const type of types) await waitFor(async () => (await eventsOf(conv.id, type)).length === 1, type);
    const [opened] = await eventsOf(conv.id, "conversation.opened");
    expect(opened?.data).toMatchObject({
      conversationId: conv.id,
      status: "open",
      assignee: null,
      customer: { principalId: customer.principal.id, externalId: `wh-${kind}-triage`, kind: "customer" },
      actor: { principalId: customer.principal.id },
    });
    const [assigned] = await eventsOf(conv.id, "conversation.assigned");
    expect(assigned?.data).toMatchObject({ assignee: { principalId: agent.principal.id, kind: "agent" } });
    expect((await eventsOf(conv.id, "conversation.closed"))[0]?.data).toMatchObject({ status: "closed" });

    const r = receiver.delivered("conversation.closed").find((x) => x.raw.includes(conv.id));
    const header = String(r?.headers["parley-signature"]);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(r?.headers["content-type"]).toBe("application/json");
    const tampered = (r?.raw ?? "").replace('"closed"', '"open"');
    expect(await codeOfWebhook(verifyWebhook({ secret, header, rawBody: tampered }))).toBe("webhook_bad_signature");
    const later = Date.now() + 10 * 60_000;
    expect(await codeOfWebhook(verifyWebhook({ secret, header, rawBody: r?.raw ?? "", now: later }))).toBe(
      "webhook_too_old",
    );
  });

  it("retries a 500 with the same id and growing delays, then delivers once", async () => {
    receiver.script([500, 503, 500], `"wh-${kind}-retry"`);
    const customer = track(stack.customer(`wh-${kind}-retry`));
    await customer.connect();
    const conv = await customer.openConversation();
    await waitFor(async () => (await eventsOf(conv.id, "conversation.opened")).length === 1, "delivery");
    const tries = receiver.received.filter((r) => r.raw.includes(conv.id) && r.type === "conversation.opened");
    expect(tries.map((t) => t.status)).toEqual([500, 503, 500, 200]);
    expect(new Set(tries.map((t) => t.id)).size).toBe(1);
    expect(new Set(tries.map((t) => t.raw)).size).toBe(1);
    expect(tries.map((t) => t.headers["parley-webhook-attempt"])).toEqual(["1", "2", "3", "4"]);
    const id = tries[0]?.id;
    // The gateway logs an attempt after the receiver has answered it: wait for the fourth line.
    const log = await waitFor(async () => {
      const lines = (await agent.request("webhook.log", {})).attempts.filter((a) => a.eventId === id).reverse();
      return lines.length >= 4 ? lines : undefined;
    }, "the fourth attempt in the log");
    expect(log.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, "retry"],
      [2, 503, "retry"],
      [3, 500, "retry"],
      [4, 200, "delivered"],
    ]);
    // The delay each failure scheduled (from the attempt's end to the next): longer every time.
    const delays = log.slice(0, 3).map((a) => (a.nextAt ?? 0) - (a.at + a.durationMs));
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(delays[2]).toBeGreaterThan(delays[1] as number);
  });

  it("delivers an event once when the gateway restarts between its retries", async () => {
    // Refused until the gateway restarted: the delivery that succeeds is the new gateway's.
    receiver.script(
      Array.from({ length: 50 }, () => 500),
      `"wh-${kind}-restart"`,
    );
    const customer = track(stack.customer(`wh-${kind}-restart`));
    await customer.connect();
    const conv = await customer.openConversation();
    await waitFor(() => receiver.received.some((r) => r.raw.includes(conv.id) && r.status === 500), "first try");
    await stack.restartGateway();
    receiver.script([]);
    await waitFor(async () => (await eventsOf(conv.id, "conversation.opened")).length === 1, "delivery");
    // Nothing more comes for it: wait for an event queued after it to arrive first.
    const marker = track(stack.customer(`wh-${kind}-restart-marker`));
    await marker.connect();
    const after = await marker.openConversation();
    await waitFor(async () => (await eventsOf(after.id, "conversation.opened")).length === 1, "marker");
    const tries = receiver.received.filter((r) => r.raw.includes(conv.id));
    expect(tries.at(-1)?.status).toBe(200);
    expect(tries.filter((t) => t.status === 200)).toHaveLength(1);
    expect(new Set(tries.map((t) => t.id)).size).toBe(1);
  });

  it("with two gateways, delivers each event once", async () => {
    await stack.extraGateway();
    const convs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = track(stack.customer(`wh-${kind}-two-${i}`));
      await c.connect();
      convs.push((await c.openConversation()).id);
    }
    for (const id of convs) await waitFor(async () => (await eventsOf(id, "conversation.opened")).length > 0, id);
    const marker = track(stack.customer(`wh-${kind}-two-marker`));
    await marker.connect();
    const last = await marker.openConversation();
    await waitFor(async () => (await eventsOf(last.id, "conversation.opened")).length === 1, "marker");
    for (const id of convs) expect(receiver.received.filter((r) => r.raw.includes(id)).length, id).toBe(1);
  });

  it("sends message.created for an offline customer (a burst as one), not for an online one, and no content", async () => {
    const canary = `canary-${kind}-${Math.random().toString(36).slice(2)}`;
    const away = track(stack.customer(`wh-${kind}-away`));
    await away.connect();
    const awayConv = await away.openConversation();
    await away.close();
    const here = track(stack.customer(`wh-${kind}-here`));
    await here.connect();
    const hereConv = await here.openConversation();
    await agent.loadConversation(awayConv.id);
    await agent.loadConversation(hereConv.id);
    for (let i = 0; i < 3; i++) await agent.send(awayConv.id, `${canary} to the away customer ${i}`);
    await agent.send(hereConv.id, `${canary} to the online customer`);
    const [event] = await waitFor(async () => {
      const e = await eventsOf(awayConv.id, "message.created");
      return e.length > 0 && e;
    }, "message.created");
    expect(event?.data).toMatchObject({
      conversationId: awayConv.id,
      recipients: [{ principalId: away.principal.id, externalId: `wh-${kind}-away`, kind: "customer" }],
      count: 3,
      firstSeq: 1,
      lastSeq: 3,
      senderRole: "agent",
    });
    // The online customer's message: queued after it, a marker event arrives, and none for it came.
    const marker = track(stack.customer(`wh-${kind}-msg-marker`));
    await marker.connect();
    const m = await marker.openConversation();
    await waitFor(async () => (await eventsOf(m.id, "conversation.opened")).length === 1, "marker");
    expect(await eventsOf(hereConv.id, "message.created")).toEqual([]);
    expect(await eventsOf(awayConv.id, "message.created")).toHaveLength(1);

    const stored = await stack.gateway.store.since(awayConv.id, 0, 100);
    expect(stored.length).toBe(3);
    const everything = receiver.received.map((r) => r.raw).join("\n");
    expect(everything).not.toContain(canary);
    for (const message of stored) expect(everything).not.toContain(message.envelope.ct);
  });

  it("shows the delivery log to admin agents only", async () => {
    const { webhook, attempts } = await agent.request("webhook.log", {});
    expect(webhook?.url).toBe(receiver.url);
    expect(attempts.length).toBeGreaterThan(5);
    expect(attempts.some((a) => a.outcome === "delivered" && a.status === 200)).toBe(true);
    expect(JSON.stringify(attempts)).not.toContain(secret);
    const customer = track(stack.customer(`wh-${kind}-nosy`));
    await customer.connect();
    expect(await codeOf(customer.request("webhook.log", {}))).toBe("forbidden");
  });

  it("reaches the example shop backend, which verifies each webhook and refuses a forged one", async () => {
    const { startShopBackend } = (await import(join(ROOT, "examples/shop-backend/server.mjs"))) as {
      startShopBackend(o: object): Promise<{ url: string; close(): Promise<void> }>;
    };
    const shopSecret = `whsec_demo-${kind}-0123456789abcdefghijklmnop`;
    const seen: WebhookEvent[] = [];
    const backend = await startShopBackend({
      gatewayUrl: stack.url,
      shopId: SHOP_ID,
      key: { alg: "HS256", secret: "unused-in-this-test-0123456789abcdef" },
      webhookSecret: shopSecret,
      onWebhook: (e: WebhookEvent) => seen.push(e),
    });
    try {
      expect((await admin(stack, "PUT", { url: `${backend.url}/parley/webhook`, secret: shopSecret })).status).toBe(
        200,
      );
      const customer = track(stack.customer(`wh-${kind}-backend`));
      await customer.connect();
      const conv = await customer.openConversation();
      await waitFor(() => seen.some((e) => e.data.conversationId === conv.id), "the backend's webhook");
      const forged = await fetch(`${backend.url}/parley/webhook`, {
        method: "POST",
        headers: { "parley-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` },
        body: "{}",
      });
      expect([forged.status, await forged.text()]).toEqual([400, "webhook_bad_signature"]);
    } finally {
      await backend.close();
      await admin(stack, "PUT", { url: receiver.url, secret });
    }
  });

  it("removes the webhook through the admin API", async () => {
    expect((await admin(stack, "DELETE")).status).toBe(200);
    expect((await admin(stack, "DELETE")).status).toBe(404);
  });
});

async function codeOfWebhook(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
  return "verified";
}
