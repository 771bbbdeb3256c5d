/**
 * Bots sign in with their own NATS key: the gateway issues a non-bearer JWT to
 * the bot's public nkey in the bots account, which refuses bearer JWTs. Real
 * gateway, real nats-server (operator mode with the app and bots accounts).
 */
import { decode } from "@nats-io/jwt";
import { AuthorizationError, type Msg, type NatsConnection, PermissionViolationError } from "@nats-io/nats-core";
import { createUser } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import type { ParleyClient } from "@parley/sdk";
import type { SessionResponse } from "@parley/sdk/protocol";
import { subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDualTransport } from "./harness/dual-transport.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { collectTexts, waitFor } from "./helpers.js";

const BOT_LOGIN = "helper-bot";
const BOT_PASSWORD = "bot password of some length";

let stack: TestStack;
const clients: ParleyClient[] = [];
const conns: NatsConnection[] = [];

beforeAll(async () => {
  stack = await startStack();
  await stack.gateway.admin.addAgent(SHOP_ID, {
    login: BOT_LOGIN,
    password: BOT_PASSWORD,
    displayName: "Shop Bot",
    role: "agent",
    kind: "bot",
    handle: "shopbot",
  });
});

afterAll(async () => {
  await Promise.allSettled(conns.map((nc) => nc.close()));
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function botSession(natsUserKey: string): Promise<SessionResponse> {
  const { status, json } = await post("/v1/agent/session", {
    shopId: SHOP_ID,
    login: BOT_LOGIN,
    password: BOT_PASSWORD,
    natsUserKey,
  });
  expect(status).toBe(200);
  return json as unknown as SessionResponse;
}

function track<T extends ParleyClient>(client: T): T {
  clients.push(client);
  return client;
}

describe("bot credentials", () => {
  it("issues a non-bearer JWT bound to the bot's own key, in the bots account", async () => {
    const key = createUser();
    const session = await botSession(key.getPublicKey());
    expect(session.principal.kind).toBe("bot");
    const claims = decode<{ bearer_token?: boolean; issuer_account?: string }>(session.nats.jwt);
    expect(claims.sub).toBe(key.getPublicKey());
    expect(claims.nats.bearer_token).toBe(false);
    expect(claims.nats.issuer_account).toBe(stack.nats.auth.botsAccountPub);
    expect(claims.nats.issuer_account).not.toBe(stack.nats.auth.appAccountPub);
  });

  it("refuses a bot login without a key, and a key on a human agent's login", async () => {
    const noKey = await post("/v1/agent/session", { shopId: SHOP_ID, login: BOT_LOGIN, password: BOT_PASSWORD });
    expect(noKey.status).toBe(400);
    expect((noKey.json.error as { code: string }).code).toBe("bad_request");

    const agentWithKey = await post("/v1/agent/session", {
      shopId: SHOP_ID,
      login: "ada@shop.test",
      password: "correct horse battery",
      natsUserKey: createUser().getPublicKey(),
    });
    expect(agentWithKey.status).toBe(400);

    const badKey = await post("/v1/agent/session", {
      shopId: SHOP_ID,
      login: BOT_LOGIN,
      password: BOT_PASSWORD,
      natsUserKey: "UNOTAKEY",
    });
    expect(badKey.status).toBe(400);
  });

  it("refuses the bot's JWT without the key's signature, or signed by another key", async () => {
    const key = createUser();
    const { nats } = await botSession(key.getPublicKey());
    await expect(stack.nats.wsConnect(nats.jwt, { reconnect: false })).rejects.toBeInstanceOf(AuthorizationError);
    await expect(
      stack.nats.wsConnect(nats.jwt, { reconnect: false, seed: createUser().getSeed() }),
    ).rejects.toBeInstanceOf(AuthorizationError);
    // With its own seed the same JWT works, over the WebSocket and over plain TCP.
    const ws = await stack.nats.wsConnect(nats.jwt, { reconnect: false, seed: key.getSeed() });
    conns.push(ws);
    const tcp = await withDualTransport(() =>
      connect({
        servers: stack.nats.url,
        reconnect: false,
        authenticator: (nonce?: string) => {
          const sig = key.sign(new TextEncoder().encode(nonce ?? ""));
          return { jwt: nats.jwt, nkey: key.getPublicKey(), sig: Buffer.from(sig).toString("base64url") };
        },
      }),
    );
    conns.push(tcp);
    await tcp.flush();
  });

  it("keeps a bot to its own subjects across the account boundary", async () => {
    const key = createUser();
    const session = await botSession(key.getPublicKey());
    const nc = await stack.nats.wsConnect(session.nats.jwt, {
      reconnect: false,
      seed: key.getSeed(),
      inboxPrefix: session.nats.inboxPrefix,
    });
    conns.push(nc);
    // Its own request subject reaches the gateway through the service import and gets an answer.
    const reply = await nc.request(subjects.api(session.principal.id, "conv.list"), "{}", { timeout: 5_000 });
    expect(JSON.parse(reply.string()).ok).toBe(true);

    // Another principal's event subject is refused and delivers nothing.
    const customer = track(stack.customer("cust-bots-1"));
    const me = await customer.connect();
    const stolen: Msg[] = [];
    let refused: Error | undefined;
    nc.subscribe(subjects.user(me.id), {
      callback: (err, msg) => {
        if (err) refused = err;
        else stolen.push(msg);
      },
    });
    // Publishing as another principal is refused too.
    nc.publish(subjects.api(me.id, "conv.list"), "{}");
    await waitFor(() => refused, "the subscription to be refused");
    expect(refused).toBeInstanceOf(PermissionViolationError);
    const conv = await customer.openConversation();
    await customer.send(conv.id, "only for my own subject");
    await nc.flush();
    expect(stolen).toHaveLength(0);
    expect(nc.isClosed()).toBe(false);
  });
});

describe("a bot on the SDK", () => {
  it("receives a customer's message on the team subject and answers it", async () => {
    const bot = track(
      stack.client({ auth: { kind: "bot", shopId: SHOP_ID, login: BOT_LOGIN, password: BOT_PASSWORD } }),
    );
    const who = await bot.connect();
    expect(who.kind).toBe("bot");
    const botSeen = collectTexts(bot);

    const customer = track(stack.customer("cust-bots-2"));
    await customer.connect();
    const customerSeen = collectTexts(customer);
    const conv = await customer.openConversation();
    await customer.send(conv.id, "when do you open?");

    await waitFor(() => botSeen.get(conv.id)?.includes("when do you open?"), "the bot to get the question");
    await bot.send(conv.id, "9 to 5, Monday to Saturday");
    await waitFor(
      () => customerSeen.get(conv.id)?.includes("9 to 5, Monday to Saturday"),
      "the customer to get the bot's answer",
    );
  });

  it("refreshes with the same key: the new JWT is bound to it", async () => {
    const key = createUser();
    const session = await botSession(key.getPublicKey());
    const refreshed = await post("/v1/session/refresh", {
      refreshToken: session.refreshToken,
      natsUserKey: key.getPublicKey(),
    });
    expect(refreshed.status).toBe(200);
    const jwt = (refreshed.json as unknown as SessionResponse).nats.jwt;
    expect(decode(jwt).sub).toBe(key.getPublicKey());
    const withoutKey = await post("/v1/session/refresh", { refreshToken: session.refreshToken });
    expect(withoutKey.status).toBe(400);
  });
});
