/**
 * Request ids on webhook deliveries, on both stores: a real gateway on a real
 * nats-server POSTs to a real HTTP receiver on a loopback port. An event a
 * request queued is delivered with that request's id as `Parley-Request-Id`
 * (outside the signed body, which stays as it was), over NATS RPC and
 * `POST /v1/rpc` alike, on every attempt, also after a gateway restart
 * between two of them; the gateway's delivery log lines name it as `reqId`.
 * An event no request queued is delivered without the header.
 */
import { toBase64Url } from "@parley/sdk/internal";
import { REQUEST_ID_HEADER, randomId, type SessionResponse, WebhookHeaders } from "@parley/sdk/protocol";
import { verifyWebhook } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { type LogLine, logLines, type RawCaller, rawCaller } from "./harness/request-ids.js";
import { ADMIN_TOKEN, AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from "./harness/webhook-receiver.js";
import { waitFor } from "./helpers.js";

const ENV = {
  PARLEY_LOG_LEVEL: "debug",
  PARLEY_WEBHOOK_ALLOW_LOOPBACK: "true",
  PARLEY_WEBHOOK_BACKOFF: "100",
  PARLEY_WEBHOOK_COALESCE: "200",
  PARLEY_WEBHOOK_POLL: "40",
  PARLEY_WEBHOOK_TIMEOUT: "3000",
};
/** The header as node's HTTP server shows it (lower case). */
const HEADER = WebhookHeaders.requestId.toLowerCase();

/** A plaintext envelope (the conversations here have no epoch chain). */
const envelope = (convId: string) => ({
  v: 1 as const,
  convId,
  epoch: 0,
  msgId: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
  senderDevice: "d_test",
  ts: Date.now(),
  alg: "none" as const,
  nonce: "",
  ct: toBase64Url(crypto.getRandomValues(new Uint8Array(40))),
  sig: "",
});

describe.each(["embedded", "mongodb"] as const)("webhook deliveries carry their request's id (%s store)", (store) => {
  let mongo: MongoForTests | undefined;
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let secret: string;
  let agentToken: string;
  let agent: RawCaller;

  /** A POST to the gateway's HTTP API, with `id` as the request id; answers the JSON body. */
  async function post<T>(path: string, body: unknown, id?: string, token?: string): Promise<T> {
    const res = await fetch(`${stack.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(id ? { [REQUEST_ID_HEADER]: id } : {}),
      },
      body: JSON.stringify(body),
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  }

  /** A customer with an HTTP session only (no NATS connection: offline) and a conversation it opened in request `id`. */
  async function offlineCustomer(sub: string, id?: string): Promise<{ token: string; convId: string }> {
    const customerToken = await stack.customerToken(sub, sub);
    const session = await post<SessionResponse>("/v1/session", { shopId: SHOP_ID, token: customerToken });
    const opened = await post<{ result: { conversation: { id: string } } }>(
      "/v1/rpc/conv.open",
      {},
      id,
      session.apiToken,
    );
    return { token: session.apiToken, convId: opened.result.conversation.id };
  }

  /** The delivered webhooks of one conversation and type (as soon as there is one). */
  const deliveredOf = (convId: string, type: string) =>
    waitFor(() => {
      const found = receiver.delivered(type).filter((r) => r.raw.includes(convId));
      return found.length > 0 ? found : undefined;
    }, `${type} of ${convId}`);

  /** Checks that the body is as signed and names no request: the id rides in the header only. */
  async function expectSignedWithoutId(r: ReceivedWebhook, id: string | undefined): Promise<void> {
    const event = await verifyWebhook({ secret, header: String(r.headers["parley-signature"]), rawBody: r.raw });
    expect(Object.keys(event).sort()).toEqual(["createdAt", "data", "id", "shopId", "type"]);
    if (id !== undefined) expect(r.raw).not.toContain(id);
  }

  /** The gateway's `webhook attempt` log line of the event `eventId` with this outcome. */
  const attemptLine = (eventId: string, outcome: string) =>
    waitFor(
      () =>
        logLines(stack).find((l: LogLine) => l.msg === "webhook attempt" && l.id === eventId && l.outcome === outcome),
      `the ${outcome} line of ${eventId}`,
    );

  beforeAll(async () => {
    if (store === "mongodb") mongo = await mongoForTests();
    stack = await startStack({ env: ENV, ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}) });
    receiver = await startWebhookReceiver();
    const set = await fetch(`${stack.url}/v1/admin/shops/${SHOP_ID}/webhook`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url }),
    });
    secret = ((await set.json()) as { webhook: { secret: string } }).webhook.secret;
    const session = await post<SessionResponse>("/v1/agent/session", {
      shopId: SHOP_ID,
      login: AGENT_LOGIN,
      password: AGENT_PASSWORD,
    });
    agentToken = session.apiToken;
    agent = await rawCaller(stack, session.principal.id, "agent");
  });
  afterAll(async () => {
    await agent?.nc.close();
    await stack?.[Symbol.asyncDispose]();
    await receiver?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  const sends: [transport: string, send: (convId: string, id: string) => Promise<unknown>][] = [
    ["NATS RPC", (convId, id) => agent.call("msg.send", { convId, envelope: envelope(convId) }, id)],
    ["POST /v1/rpc", (convId, id) => post("/v1/rpc/msg.send", { convId, envelope: envelope(convId) }, id, agentToken)],
  ];
  it.each(sends)("a send over %s: its message.created comes with the send's id", async (transport, send) => {
    const tag = transport.startsWith("NATS") ? "nats" : "http";
    const opener = `wh-open-${tag}-${store}`;
    const { convId } = await offlineCustomer(`rq-wh-${tag}-${store}`, opener);
    const id = `wh-send-${tag}-${store}`;
    await send(convId, id);
    const [created] = await deliveredOf(convId, "message.created");
    expect(created?.headers[HEADER]).toBe(id);
    await expectSignedWithoutId(created as ReceivedWebhook, id);
    // The customer's conv.open (POST /v1/rpc) queued conversation.opened: that one names the open.
    const [opened] = await deliveredOf(convId, "conversation.opened");
    expect(opened?.headers[HEADER]).toBe(opener);
    // The delivery's log line names the send; so does the gateway's line of the request itself.
    expect(await attemptLine(created?.id ?? "", "delivered")).toMatchObject({ reqId: id, type: "message.created" });
    const request = transport.startsWith("NATS") ? "nats request" : "http request";
    expect(logLines(stack).find((l) => l.msg === request && l.reqId === id)).toBeDefined();
  });

  it("an event no request queued comes without the header", async () => {
    // Queued straight into the outbox, as an older gateway left its events: no request behind it.
    const convId = `cv_norequest_${store}`;
    const now = Date.now();
    const eventId = randomId("wh_");
    await stack.gateway.store.enqueueWebhook({
      id: eventId,
      shopId: SHOP_ID,
      type: "conversation.closed",
      createdAt: now,
      data: { conversationId: convId, status: "closed" },
      attempts: 0,
      dueAt: now,
    });
    const [delivered] = await deliveredOf(convId, "conversation.closed");
    expect(delivered?.headers).not.toHaveProperty(HEADER);
    await expectSignedWithoutId(delivered as ReceivedWebhook, undefined);
    expect(await attemptLine(eventId, "delivered")).not.toHaveProperty("reqId");
  });

  it("keeps the id on every attempt, across a gateway restart between two", async () => {
    const sub = `rq-wh-retry-${store}`;
    // Refused until the gateway restarted: the delivery that succeeds is the new gateway's, from the stored event.
    receiver.script(
      Array.from({ length: 50 }, () => 500),
      `"${sub}"`,
    );
    const id = `wh-retry-${store}`;
    const { convId } = await offlineCustomer(sub, id);
    await waitFor(() => receiver.received.some((r) => r.raw.includes(convId) && r.status === 500), "first try");
    await stack.restartGateway();
    receiver.script([]);
    const [delivered] = await deliveredOf(convId, "conversation.opened");
    const tries = receiver.received.filter((r) => r.raw.includes(convId));
    expect(tries.length).toBeGreaterThan(1);
    expect(tries.map((t) => t.headers[HEADER])).toEqual(tries.map(() => id));
    expect(new Set(tries.map((t) => t.id)).size).toBe(1);
    // Both gateways' delivery lines name the request: a retry before the restart and the delivery after it.
    expect(await attemptLine(delivered?.id ?? "", "retry")).toMatchObject({ reqId: id });
    expect(await attemptLine(delivered?.id ?? "", "delivered")).toMatchObject({ reqId: id });
  });
});
