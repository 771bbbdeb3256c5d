/**
 * Ephemeral signals on the real stack: typing, read markers and unread counts,
 * and the team's presence, between SDK clients over real WebSockets, a real
 * nats-server and real gateways on the embedded store.
 *
 * The stack is assembled here rather than with harness/stack.ts because the
 * presence tests need a short heartbeat TTL (GatewayOptions.presence) and a
 * second gateway in the same queue group.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientAuth, type ClientEvents, createClient, type ParleyClient, ParleyError } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type GatewayConfig, loadConfig } from "../src/config.js";
import { createGateway, type Gateway } from "../src/gateway.js";
import { createLogger } from "../src/logger.js";
import { installDualTransport } from "./harness/dual-transport.js";
import { killableWebSocket } from "./harness/killable-websocket.js";
import { DEFAULT_TEST_ORIGIN, type NatsHarness, startNats } from "./harness/nats.js";
import { waitFor } from "./helpers.js";

const SHOP = "shop_signals";
const SECRET = "signals-shop-secret-0123456789abcdefghij";
const ADA = { login: "ada@signals.test", password: "ada's long password" };
const BEA = { login: "bea@signals.test", password: "bea's long password" };
/** Short, so the expiry of a silent connection can be waited for. */
const PRESENCE_TTL_MS = 1000;

let nats: NatsHarness;
let dir: string;
let config: GatewayConfig;
let gateway: Gateway;
let url = "";
const clients: ParleyClient[] = [];

async function boot(port: number): Promise<Gateway> {
  const gw = await createGateway({
    config: { ...config, port },
    natsAccount: { accountPub: nats.auth.appAccountPub, signingSeed: nats.auth.appSigningSeed },
    logger: createLogger("silent"),
    presence: { ttlMs: PRESENCE_TTL_MS },
  });
  await gw.start();
  installDualTransport();
  return gw;
}

/** An SDK client (not connected); closed after the suite if the test did not. */
function client(auth: ClientAuth, ws: typeof WebSocket = WebSocket): ParleyClient {
  const c = createClient({
    gatewayUrl: url,
    WebSocket: ws as unknown as typeof globalThis.WebSocket,
    origin: DEFAULT_TEST_ORIGIN,
    requestTimeout: 3000,
    auth,
    encryption: false, // signals need no message crypto
  });
  const connect = c.connect.bind(c);
  c.connect = async () => {
    try {
      return await connect();
    } finally {
      installDualTransport();
    }
  };
  clients.push(c);
  return c;
}

const customer = (sub: string, ws?: typeof WebSocket) =>
  client(
    {
      kind: "customer",
      shopId: SHOP,
      getToken: () =>
        signCustomerToken({ shopId: SHOP, key: { alg: "HS256", secret: SECRET }, customer: { id: sub, name: sub } }),
    },
    ws,
  );
const agent = (who = ADA, ws?: typeof WebSocket) => client({ kind: "agent", shopId: SHOP, ...who }, ws);

/** Every payload of one event, in arrival order. */
function record<K extends keyof ClientEvents>(c: ParleyClient, event: K): ClientEvents[K][] {
  const seen: ClientEvents[K][] = [];
  c.on(event, (payload) => seen.push(payload));
  return seen;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  expect((err as ParleyError).code).toBe(code);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "parley-signals-"));
  nats = await startNats();
  config = loadConfig({
    PARLEY_PORT: "0",
    NATS_URL: nats.url,
    NATS_WS_URL: nats.wsUrl,
    NATS_AUTH_FILE: join(dir, "unused-auth.json"),
    PARLEY_DATA_DIR: join(dir, "data"),
    PARLEY_SESSION_SECRET: "signals-session-secret-0123456789abcdef",
    PARLEY_SEND_RATE: "100000",
  });
  gateway = await boot(0);
  url = gateway.url;
  await gateway.admin.putShop(SHOP, {
    name: "Signals Shop",
    tokenKey: { alg: "HS256", secret: SECRET },
    allowedOrigins: [],
    allowGuests: false,
  });
  await gateway.admin.addAgent(SHOP, { ...ADA, displayName: "Ada", role: "admin", kind: "agent" });
  await gateway.admin.addAgent(SHOP, { ...BEA, displayName: "Bea", role: "agent", kind: "agent" });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await gateway?.stop().catch(() => undefined);
  await nats?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("typing", () => {
  it("reaches the agent as typing, then stopped: explicitly, on send, and by the 6 s timeout", async () => {
    const cust = customer("typist");
    const ada = agent();
    const seen = record(ada, "typing");
    await cust.connect();
    await ada.connect();
    const conv = await cust.openConversation();
    const me = cust.principal.id;
    const ofCustomer = () => seen.filter((e) => e.principalId === me && e.conversationId === conv.id);

    cust.typing(conv.id, true);
    await waitFor(() => ofCustomer().length === 1, "typing at the agent");
    expect(ofCustomer()[0]?.active).toBe(true);
    expect(ada.conversation(conv.id).value.typing).toEqual([me]);
    cust.typing(conv.id, false);
    await waitFor(() => ofCustomer().length === 2, "stopped at the agent");
    expect(ofCustomer()[1]?.active).toBe(false);
    expect(ada.conversation(conv.id).value.typing).toEqual([]);

    // Sending a message says "stopped" by itself.
    cust.typing(conv.id, true);
    await waitFor(() => ofCustomer().length === 3, "typing again");
    await cust.send(conv.id, "here is my question");
    await waitFor(() => ofCustomer().length === 4, "stopped by the send");
    expect(ofCustomer()[3]?.active).toBe(false);

    // A typist whose "stopped" never comes (raw RPC, no SDK throttle state) is cleared after 6 s.
    await cust.request("signal.typing", { convId: conv.id, active: true });
    await waitFor(() => ofCustomer().length === 5, "typing once more");
    await waitFor(() => ofCustomer().length === 6, "the SDK's own timeout", 15_000);
    expect(ofCustomer().map((e) => e.active)).toEqual([true, false, true, false, true, false]);
    expect(ada.conversation(conv.id).value.typing).toEqual([]);
    // The typist's own client never lists itself.
    expect(cust.conversation(conv.id).value.typing).toEqual([]);
  });

  it("refuses a non-member with not_found, and nobody hears of it", async () => {
    const owner = customer("owner");
    const stranger = customer("stranger");
    const ada = agent();
    const seenByAda = record(ada, "typing");
    const seenByOwner = record(owner, "typing");
    const readsByAda = record(ada, "read");
    await Promise.all([owner.connect(), stranger.connect(), ada.connect()]);
    const conv = await owner.openConversation();
    await owner.send(conv.id, "hello");

    await expectCode(stranger.request("signal.typing", { convId: conv.id, active: true }), "not_found");
    await expectCode(stranger.request("signal.read", { convId: conv.id, seq: 1 }), "not_found");
    await expectCode(stranger.request("signal.typing", { convId: "cv_nope", active: true }), "not_found");
    stranger.typing(conv.id, true);

    // A member's signal after them arrives after whatever they could have caused.
    await ada.request("signal.typing", { convId: conv.id, active: true });
    await waitFor(() => seenByOwner.length === 1, "the agent's typing at the owner");
    owner.typing(conv.id, true);
    await waitFor(() => seenByAda.some((e) => e.principalId === owner.principal.id), "the owner's typing");
    const strangerId = stranger.principal.id;
    expect(seenByAda.filter((e) => e.principalId === strangerId)).toEqual([]);
    expect(seenByOwner.filter((e) => e.principalId === strangerId)).toEqual([]);
    expect(readsByAda).toEqual([]);
  });

  it("drops a flood server-side: bounded events, no errors", async () => {
    const cust = customer("flooder");
    const ada = agent();
    const seen = record(ada, "typing");
    const messages = record(ada, "message");
    await cust.connect();
    await ada.connect();
    const conv = await cust.openConversation();
    const me = cust.principal.id;

    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => cust.request("signal.typing", { convId: conv.id, active: true })),
    );
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(replies.every((r) => r.ok === true)).toBe(true);
    // Through the SDK the throttle holds them back before they leave the client.
    for (let i = 0; i < 40; i++) cust.typing(conv.id, true);
    // Events from one publisher arrive in order: once the message is in, every typing event before it is too.
    await cust.send(conv.id, "barrier");
    await waitFor(() => messages.some((m) => m.conversationId === conv.id), "the barrier message");
    const active = seen.filter((e) => e.principalId === me && e.active).length;
    expect(active).toBeGreaterThanOrEqual(1);
    // A burst of 3 per 3 s window: at most 3 + one per second of the flood, plus the SDK's own signal.
    expect(active).toBeLessThanOrEqual(3 + seconds + 1);
  });
});

describe("read markers and unread counts", () => {
  it("tells the other member, survives reconnects and a gateway restart, and never moves back", async () => {
    const cust = customer("reader");
    const ada = agent();
    const reads = record(ada, "read");
    await cust.connect();
    await ada.connect();
    const conv = await cust.openConversation();
    await cust.send(conv.id, "my own message is never unread");
    await ada.loadConversation(conv.id);
    for (const text of ["one", "two", "three"]) await ada.send(conv.id, text);

    const listed = async (c: ParleyClient) => (await c.listConversations()).find((x) => x.id === conv.id);
    expect(await listed(cust)).toMatchObject({ lastSeq: 4, readUpTo: 0, unread: 3 });
    await waitFor(() => cust.conversation(conv.id).value.unread === 3, "the customer's tracker to count 3");

    // A second device of the same customer, connected while the first reads.
    const second = customer("reader");
    await second.connect();
    await second.listConversations();
    expect(second.conversation(conv.id).value.unread).toBe(3);

    // Many calls coalesce; the marker follows the highest.
    await Promise.all([cust.markRead(conv.id, 2), cust.markRead(conv.id, 4), cust.markRead(conv.id, 3)]);
    expect(cust.conversation(conv.id).value).toMatchObject({ readUpTo: 4, unread: 0 });
    await waitFor(() => reads.length > 0, "the read receipt at the agent");
    expect(reads).toEqual([{ conversationId: conv.id, principalId: cust.principal.id, seq: 4 }]);
    expect(ada.conversation(conv.id).value.readBy).toEqual({ [cust.principal.id]: 4 });
    await waitFor(() => second.conversation(conv.id).value.readUpTo === 4, "the other device's marker");
    expect(second.conversation(conv.id).value.unread).toBe(0);
    expect(await listed(second)).toMatchObject({ readUpTo: 4, unread: 0 });

    // Never backwards; past the head refused; message seqs untouched.
    expect(await cust.request("signal.read", { convId: conv.id, seq: 1 })).toEqual({ seq: 4 });
    await expectCode(cust.request("signal.read", { convId: conv.id, seq: 5 }), "bad_request");
    await expectCode(cust.request("signal.read", { convId: conv.id, seq: -1 }), "bad_request");
    expect((await cust.request("conv.get", { convId: conv.id })).conversation.lastSeq).toBe(4);
    expect((await ada.send(conv.id, "four")).seq).toBe(5);
    expect(await listed(cust)).toMatchObject({ lastSeq: 5, readUpTo: 4, unread: 1 });
    // The agent has not read the customer's message.
    expect(await listed(ada)).toMatchObject({ readUpTo: 0, unread: 1 });
    await ada.markRead(conv.id, 5);

    await Promise.all([cust.close(), second.close(), ada.close()]);
    const port = Number(new URL(url).port);
    await gateway.stop();
    gateway = await boot(port);

    const again = customer("reader");
    const adaAgain = agent();
    await again.connect();
    await adaAgain.connect();
    expect(await listed(again)).toMatchObject({ lastSeq: 5, readUpTo: 4, unread: 1 });
    expect(await listed(adaAgain)).toMatchObject({ lastSeq: 5, readUpTo: 5, unread: 0 });
    await again.loadConversation(conv.id);
    expect(again.conversation(conv.id).value).toMatchObject({
      readUpTo: 4,
      unread: 1,
      readBy: { [adaAgain.principal.id]: 5 },
    });
    await again.markRead(conv.id, 5);
    expect(await listed(again)).toMatchObject({ readUpTo: 5, unread: 0 });
    await Promise.all([again.close(), adaAgain.close()]);
  });
});

describe("presence", () => {
  it("shows an agent online to customers, and offline after close or once its heartbeats stop", async () => {
    const cust = customer("watcher");
    const changes = record(cust, "presence");
    await cust.connect();
    expect(cust.presence.value.shopId).toBe(SHOP);
    const online = () => cust.presence.value.online.map((m) => m.displayName);
    const notBea = () => !online().includes("Bea");
    await waitFor(notBea, "no Bea at first");

    const bea = agent(BEA);
    await bea.connect();
    await waitFor(() => online().includes("Bea"), "Bea online at the customer");
    expect(cust.presence.value.online.find((m) => m.displayName === "Bea")).toEqual({
      principalId: bea.principal.id,
      displayName: "Bea",
      kind: "agent",
    });
    expect(changes.some((p) => p.online.some((m) => m.displayName === "Bea"))).toBe(true);
    // The agent sees itself among the team.
    expect(bea.presence.value.online.map((m) => m.displayName)).toContain("Bea");

    await bea.close();
    await waitFor(notBea, "Bea gone after close");

    // A device that drops off the network: no close, no leave; gone once the TTL passes.
    const net = killableWebSocket();
    const beaAgain = agent(BEA, net.WebSocket);
    await beaAgain.connect();
    await waitFor(() => online().includes("Bea"), "Bea back");
    net.kill();
    await waitFor(notBea, "Bea expired", 15_000);
    await beaAgain.close();
    await cust.close();
  });

  it("keeps one agent online with two devices until the last one leaves", async () => {
    const cust = customer("watcher-2");
    await cust.connect();
    const online = () => cust.presence.value.online.map((m) => m.displayName);
    const phone = agent(BEA);
    const laptop = agent(BEA);
    await phone.connect();
    await laptop.connect();
    await waitFor(() => online().includes("Bea"), "Bea online");
    await phone.close();
    // A heartbeat round later Bea is still there: the laptop keeps her online.
    const { presence } = await cust.request("presence.get", {});
    expect(presence.online.map((m) => m.displayName)).toContain("Bea");
    await laptop.close();
    await waitFor(() => !online().includes("Bea"), "Bea gone with her last device");
    await cust.close();
  });

  it("is the same whichever of two gateways answers, and expires when the agent vanishes", async () => {
    const second = await boot(0);
    try {
      const cust = customer("watcher-3");
      const changes = record(cust, "presence");
      await cust.connect();
      const net = killableWebSocket();
      const bea = agent(BEA, net.WebSocket);
      await bea.connect();
      const beaId = bea.principal.id;
      // Heartbeats land on either gateway; both must tell the same story.
      await waitFor(() => cust.presence.value.online.some((m) => m.principalId === beaId), "Bea online");
      for (let i = 0; i < 12; i++) {
        const { presence } = await cust.request("presence.get", {});
        expect(presence.online.map((m) => m.principalId)).toContain(beaId);
      }
      net.kill();
      await waitFor(() => !cust.presence.value.online.some((m) => m.principalId === beaId), "Bea expired", 15_000);
      for (let i = 0; i < 12; i++) {
        const { presence } = await cust.request("presence.get", {});
        expect(presence.online.map((m) => m.principalId)).not.toContain(beaId);
      }
      const wentOffline = changes.filter(
        (p, i) =>
          i > 0 &&
          !p.online.some((m) => m.principalId === beaId) &&
          changes[i - 1]?.online.some((m) => m.principalId === beaId),
      );
      expect(wentOffline).toHaveLength(1);
      await bea.close();
      await cust.close();
    } finally {
      await second.stop();
    }
  });
});
