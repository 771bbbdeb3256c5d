/**
 * Sends acknowledged through the sender's own message event (ADR 0052), on a
 * real gateway, a real nats-server and both stores: the SDK's outbox sends
 * resolve with their seq and time and get no reply on success; requests
 * without the opt-in (older SDKs, raw NATS, HTTP) are answered as before;
 * errors still come as replies; and a send whose event was lost resolves
 * through the catch-up after a reconnect, or through a retry, stored once.
 *
 * Replies are counted by a wiretap on the app account (or the bots account)
 * that sees every message nats-server routes. "No reply" is checked only after
 * the gateway counted the sends as answered (its metrics) and a later request's
 * reply reached the wiretap: the gateway's publishes leave in order, so a reply
 * of the sends would have arrived before it.
 */
import { createInbox, headers, type Msg, type NatsConnection } from "@nats-io/nats-core";
import { type ClientOptions, memoryStorage, type ParleyClient, ParleyError } from "@parley/sdk";
import { ACK_BY_EVENT, ACK_HEADER, type Envelope, type ServerEvent, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, waitFor } from "./helpers.js";
import { sample, scrape } from "./metrics-scrape.js";

const TOKEN = "metrics-token-0123456789abcdef";
const BOT_LOGIN = "acks-bot";
const BOT_PASSWORD = "bot password of some length";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A plaintext envelope of `convId` (the stack's clients send plaintext). */
function envelope(convId: string, over: Partial<Envelope> = {}): Envelope {
  return {
    v: 1,
    convId,
    epoch: 0,
    msgId: `ack${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    senderDevice: "d_test",
    ts: Date.now(),
    alg: "none",
    nonce: "",
    ct: "eyJ0eXBlIjoidGV4dCIsInRleHQiOiJ4In0",
    sig: "",
    ...over,
  };
}

/** WebSockets that a test can cut from the client's side, as a dropped network does. */
function cuttableSockets() {
  const open: WebSocket[] = [];
  class Cuttable extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      open.push(this);
    }
  }
  return {
    WebSocket: Cuttable as unknown as ClientOptions["WebSocket"],
    cut: () => {
      for (const s of open.splice(0)) s.terminate();
    },
  };
}

/** Counts `op` requests made through `client.request` (the outbox's sends go through it). */
function countRequests(client: ParleyClient, op: string): { count: number } {
  const counter = { count: 0 };
  const original = client.request.bind(client) as (op: string, body: unknown) => Promise<unknown>;
  client.request = ((o: string, body: unknown) => {
    if (o === op) counter.count++;
    return original(o, body);
  }) as unknown as ParleyClient["request"];
  return counter;
}

/** `msg.send` replies (results and errors) the wiretap saw on `principal`'s inbox. */
function sendReplies(tap: Wiretap, principal: string): Array<{ ok: boolean; error?: { code: string } }> {
  const prefix = `${subjects.inboxPrefix(principal)}.`;
  return tap.captured
    .filter((line) => line.startsWith(prefix))
    .map((line) => {
      try {
        return JSON.parse(line.slice(line.indexOf(" ") + 1));
      } catch {
        return undefined; // a status message (no payload)
      }
    })
    .filter((reply) => reply && (reply.ok ? "duplicate" in reply.result : reply.error?.code !== undefined));
}

/** `message` events of `principal`'s subject, and of the team's, by msgId, as the wiretap saw them. */
function eventsFor(tap: Wiretap, subject: string, msgId: string): number {
  return tap.captured.filter((line) => {
    if (!line.startsWith(`${subject} `)) return false;
    const event = JSON.parse(line.slice(subject.length + 1)) as ServerEvent;
    return event.type === "message" && event.message.msgId === msgId;
  }).length;
}

const stores = [["embedded"], ["mongodb"]] as const;

describe.each(stores)("sends acknowledged through their event (%s store)", (store) => {
  let stack: TestStack;
  let mongo: MongoForTests | undefined;
  let app: Wiretap;
  let bots: Wiretap;
  /** The failpoint: drops the gateway's publish when it answers true. */
  let drop: ((subject: string) => boolean) | undefined;
  const clients: ParleyClient[] = [];
  const conns: NatsConnection[] = [];

  beforeAll(async () => {
    if (store === "mongodb") mongo = await mongoForTests();
    stack = await startStack({
      ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
      env: { PARLEY_METRICS_PORT: "0", PARLEY_METRICS_TOKEN: TOKEN },
      failpoints: { dropPublish: (subject) => drop?.(subject) ?? false },
    });
    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: BOT_LOGIN,
      password: BOT_PASSWORD,
      displayName: "Acks Bot",
      role: "agent",
      kind: "bot",
      handle: "acksbot",
    });
    app = await startWiretap(stack, "app");
    bots = await startWiretap(stack, "bots");
  });
  afterAll(async () => {
    await Promise.allSettled(conns.map((nc) => nc.close()));
    await Promise.allSettled(clients.map((c) => c.close()));
    await app?.[Symbol.asyncDispose]();
    await bots?.[Symbol.asyncDispose]();
    await stack?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  async function connected(client: ParleyClient): Promise<ParleyClient> {
    clients.push(client);
    await client.connect();
    return client;
  }

  /** `msg.send` requests over NATS the gateway finished (answered or acknowledged through the event). */
  async function sendsDone(): Promise<number> {
    return sample(await scrape(stack.gateway.metricsUrl, TOKEN), "parley_rpc_requests_total", {
      op: "msg.send",
      transport: "nats",
    });
  }

  /**
   * Waits until the gateway finished `count` more sends than `before`, then until a later request's
   * reply to `client` reached `tap`: whatever the sends published has reached it by then.
   */
  async function settled(client: ParleyClient, tap: Wiretap, before: number, count: number): Promise<void> {
    await waitFor(async () => (await sendsDone()) >= before + count, "the gateway to finish the sends");
    const prefix = `${subjects.inboxPrefix(client.principal.id)}.`;
    const listReplies = () => tap.captured.filter((l) => l.startsWith(prefix) && l.includes(`"conversations"`)).length;
    const seen = listReplies();
    await client.request("conv.list", { limit: 1 });
    await waitFor(() => listReplies() > seen, "the later reply to reach the wiretap");
  }

  it("resolves a customer's and an agent's sends with seq and time from the event, with no reply", async () => {
    const customer = await connected(stack.customer(`cust-ack-${store}`));
    const agent = await connected(stack.agent());
    const convId = (await customer.openConversation()).id;
    await agent.loadConversation(convId);
    const before = await sendsDone();
    const sent = [];
    for (const text of ["one", "two", "three"]) sent.push(await customer.send(convId, text));
    const fromAgent = await agent.send(convId, "four");
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(fromAgent.seq).toBe(4);
    const stored = await stack.gateway.store.since(convId, 0, 10);
    expect(stored.map((m) => [m.seq, m.ts, m.msgId])).toEqual([...sent, fromAgent].map((m) => [m.seq, m.ts, m.msgId]));
    await settled(customer, app, before, 4);
    await settled(agent, app, before, 4);
    // The sender got each message once, on its own subject (the customer) or the team's (the agent).
    for (const m of sent) expect(eventsFor(app, subjects.user(customer.principal.id), m.msgId)).toBe(1);
    expect(eventsFor(app, subjects.team(SHOP_ID), fromAgent.msgId)).toBe(1);
    expect(sendReplies(app, customer.principal.id)).toEqual([]);
    expect(sendReplies(app, agent.principal.id)).toEqual([]);
    expect(customer.conversation(convId).value.pending).toEqual([]);
  });

  it("resolves a bot's send from the team subject across the bots account, with no reply", async () => {
    const bot = await connected(
      stack.client({ auth: { kind: "bot", shopId: SHOP_ID, login: BOT_LOGIN, password: BOT_PASSWORD } }),
    );
    const customer = await connected(stack.customer(`cust-bot-${store}`));
    const convId = (await customer.openConversation()).id;
    const before = await sendsDone();
    const sent = await bot.send(convId, "hello from the bot");
    expect(sent.seq).toBe(1);
    expect((await stack.gateway.store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual([sent.msgId]);
    await settled(bot, bots, before, 1);
    expect(eventsFor(bots, subjects.team(SHOP_ID), sent.msgId)).toBe(1);
    expect(sendReplies(bots, bot.principal.id)).toEqual([]);
  });

  it("answers a send without the opt-in as before: SDK request, raw NATS request, HTTP", async () => {
    const customer = await connected(stack.customer(`cust-plain-${store}`));
    const convId = (await customer.openConversation()).id;
    // An application's own msg.send through the SDK (no opt-in): the reply, duplicate included.
    const first = envelope(convId);
    const ack = await customer.request("msg.send", { convId, envelope: first });
    expect(ack).toMatchObject({ seq: 1, duplicate: false });
    expect(await customer.request("msg.send", { convId, envelope: first })).toEqual({ ...ack, duplicate: true });

    // An older SDK: a plain NATS request is answered with the result.
    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: customer.principal.id,
      kind: "customer",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    const raw = await stack.nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(customer.principal.id) });
    conns.push(raw);
    const api = subjects.api(customer.principal.id, "msg.send");
    const reply = await raw.request(api, encoder.encode(JSON.stringify({ convId, envelope: envelope(convId) })), {
      timeout: 5000,
    });
    expect(JSON.parse(decoder.decode(reply.data))).toMatchObject({ ok: true, result: { seq: 2, duplicate: false } });

    // HTTP RPC: the result in the response, as always.
    const session = (await (
      await fetch(`${stack.url}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ shopId: SHOP_ID, guest: true }),
      })
    ).json()) as { apiToken: string };
    const auth = { "content-type": "application/json", authorization: `Bearer ${session.apiToken}` };
    const opened = await fetch(`${stack.url}/v1/rpc/conv.open`, { method: "POST", headers: auth, body: "{}" });
    const guestConv = ((await opened.json()) as { result: { conversation: { id: string } } }).result.conversation.id;
    const res = await fetch(`${stack.url}/v1/rpc/msg.send`, {
      method: "POST",
      headers: { ...auth, [ACK_HEADER]: ACK_BY_EVENT },
      body: JSON.stringify({ convId: guestConv, envelope: envelope(guestConv) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, result: { seq: 1, duplicate: false } });
  });

  it("answers errors with the opt-in exactly as without it", async () => {
    const customer = await connected(stack.customer(`cust-err-${store}`));
    const other = await connected(stack.customer(`cust-err-other-${store}`));
    const convId = (await customer.openConversation()).id;
    const othersConv = (await other.openConversation()).id;
    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: customer.principal.id,
      kind: "customer",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    const prefix = subjects.inboxPrefix(customer.principal.id);
    const raw = await stack.nats.wsConnect(jwt, { inboxPrefix: prefix });
    conns.push(raw);
    const inbox = createInbox(prefix);
    const replies: Msg[] = [];
    raw.subscribe(`${inbox}.*`, {
      callback: (_err, msg) => {
        replies.push(msg);
      },
    });
    let n = 0;
    /** The error body of one raw msg.send, with the opt-in or without it. */
    const errorOf = async (body: unknown, optIn: boolean) => {
      const h = headers();
      if (optIn) h.set(ACK_HEADER, ACK_BY_EVENT);
      const subject = `${inbox}.${++n}`;
      raw.publish(subjects.api(customer.principal.id, "msg.send"), encoder.encode(JSON.stringify(body)), {
        reply: subject,
        headers: h,
      });
      const msg = await waitFor(() => replies.find((m) => m.subject === subject), "the reply");
      const { ok, error } = JSON.parse(decoder.decode(msg.data));
      expect(ok).toBe(false);
      const { requestId: _id, ...rest } = error;
      return rest;
    };
    const cases: Array<[string, unknown]> = [
      ["stale_epoch", { convId, envelope: envelope(convId, { epoch: 3 }) }],
      ["not_found", { convId: othersConv, envelope: envelope(othersConv) }],
      ["bad_request", { convId, envelope: envelope(othersConv) }],
      ["bad_request", { convId, envelope: { ...envelope(convId), alg: 7 } }],
    ];
    for (const [code, body] of cases) {
      const plain = await errorOf(body, false);
      expect(plain.code).toBe(code);
      expect(await errorOf(body, true)).toEqual(plain);
    }

    // Through the SDK's outbox (with the opt-in): refused for good, surfaced as the gateway's error.
    const refused = customer.send(othersConv, "not mine");
    expect(await codeOf(refused)).toBe("not_found");
    await expect(refused).rejects.toBeInstanceOf(ParleyError);
    expect(customer.conversation(othersConv).value.pending).toMatchObject([
      { state: "failed", error: { code: "not_found" } },
    ]);
  });

  it("resolves a send whose event was lost with the connection through the catch-up, stored once", async () => {
    const sockets = cuttableSockets();
    // A long timeout: only the catch-up can settle the send before it; a retry after it would be counted.
    const customer = await connected(
      stack.customer(`cust-cut-${store}`, { WebSocket: sockets.WebSocket, requestTimeout: 30_000 }),
    );
    const convId = (await customer.openConversation()).id;
    await customer.send(convId, "before");
    const sends = countRequests(customer, "msg.send");
    const own = subjects.user(customer.principal.id);
    // The connection drops between the append and the event: the event (and any reply) is lost.
    drop = (subject) => {
      if (subject !== own) return false;
      drop = undefined;
      sockets.cut();
      return true;
    };
    const sent = await customer.send(convId, "across the cut");
    expect(drop).toBeUndefined();
    expect(sent.seq).toBe(2);
    // The outbox moved on without a retry: the catch-up settled the send itself, not only its caller
    // (which any copy of the message resolves), so the next message goes out at once, as the second request.
    const next = await customer.send(convId, "after the cut");
    expect(next.seq).toBe(3);
    expect(sends.count).toBe(2);
    const stored = await stack.gateway.store.since(convId, 0, 10);
    expect(stored.map((m) => m.msgId)).toEqual(customer.conversation(convId).value.messages.map((m) => m.msgId));
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("resolves a send whose event was lost through the retry (same msgId), stored and shown once", async () => {
    const customer = await connected(stack.customer(`cust-retry-${store}`, { storage: memoryStorage() }));
    const agent = await connected(stack.agent());
    const convId = (await customer.openConversation()).id;
    await agent.loadConversation(convId);
    const agentSaw: string[] = [];
    agent.on("message", ({ message }) => agentSaw.push(message.msgId));
    const sends = countRequests(customer, "msg.send");
    const own = subjects.user(customer.principal.id);
    drop = (subject) => {
      if (subject !== own) return false;
      drop = undefined;
      return true;
    };
    const before = await sendsDone();
    const sent = await customer.send(convId, "lost once");
    expect(drop).toBeUndefined();
    // No event and no reply: the request timed out and the outbox sent it again, asking for the reply
    // this time (so events that keep being lost cost one timeout, not a loop), answered as a duplicate.
    expect(sends.count).toBe(2);
    await settled(customer, app, before, 2);
    expect(sendReplies(app, customer.principal.id)).toMatchObject([{ ok: true, result: { duplicate: true } }]);
    expect(sent.seq).toBe(1);
    expect((await stack.gateway.store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual([sent.msgId]);
    expect(customer.conversation(convId).value.messages.map((m) => m.msgId)).toEqual([sent.msgId]);
    await waitFor(() => agentSaw.includes(sent.msgId), "the agent to get the message");
    expect(agentSaw.filter((id) => id === sent.msgId)).toHaveLength(1);
  });
  it("asks for replies after one lost event until the link reconnects: one timeout, not one per message", async () => {
    const sockets = cuttableSockets();
    const customer = await connected(
      stack.customer(`cust-lossy-${store}`, { WebSocket: sockets.WebSocket, requestTimeout: 2_000 }),
    );
    const convId = (await customer.openConversation()).id;
    const sends = countRequests(customer, "msg.send");
    const own = subjects.user(customer.principal.id);
    const before = await sendsDone();
    // Every event of the sender's own subject is lost for as long as this lasts.
    drop = (subject) => subject === own;
    const texts = ["lossy 1", "lossy 2", "lossy 3"];
    const sent = [];
    for (const text of texts) sent.push(await customer.send(convId, text));
    // The first message: its event-acknowledged attempt timed out, its retry asked for the reply. The
    // next two asked for their replies at once, so they were sent once each.
    expect(sends.count).toBe(4);
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    await settled(customer, app, before, 4);
    expect(sendReplies(app, customer.principal.id)).toHaveLength(3);
    drop = undefined;
    // A new link tries the events again: the next send is acknowledged by its event, with no reply.
    const reconnected = new Promise<void>((resolve) =>
      customer.on("status", (st) => st.state === "connected" && resolve()),
    );
    sockets.cut();
    await reconnected;
    const afterCount = sends.count;
    const next = await customer.send(convId, "after the reconnect");
    expect(next.seq).toBe(4);
    expect(sends.count).toBe(afterCount + 1);
    await settled(customer, app, before, 5);
    expect(sendReplies(app, customer.principal.id)).toHaveLength(3);
    expect((await stack.gateway.store.since(convId, 0, 10)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });
});
