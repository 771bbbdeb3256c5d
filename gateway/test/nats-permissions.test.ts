/**
 * NATS authorisation against a real nats-server in operator mode: what a minted
 * principal JWT lets a WebSocket client do, and everything it must not.
 */
import { createAccount, decode, encodeUser, type User } from "@nats-io/jwt";
import {
  AuthorizationError,
  InvalidArgumentError,
  jwtAuthenticator,
  type Msg,
  type NatsConnection,
  PermissionViolationError,
  RequestError,
  type Status,
  type Subscription,
  UserAuthenticationExpiredError,
} from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { API_QUEUE, API_WILDCARD, type PrincipalKind, randomId, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { JwtMinter } from "../src/nats/minter.js";
import { asAttack } from "./harness/attack.js";
import { DEFAULT_TEST_ORIGIN, type NatsHarness, startNats } from "./harness/nats.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

let nats: NatsHarness;
let service: NatsConnection;
/** Everything that reached the service's `api.*.>` subscription, in order. */
const apiReceived: string[] = [];
const open: NatsConnection[] = [];

beforeAll(async () => {
  nats = await startNats({ debug: true });
  service = await nats.serviceConnection();
  service.subscribe(API_WILDCARD, {
    queue: API_QUEUE,
    callback: (_err, msg) => {
      apiReceived.push(msg.subject);
      // Echo service: reply to requests so request/reply can be tested.
      if (msg.reply) msg.respond(enc.encode(`echo:${msg.subject}`));
    },
  });
  await service.flush();
});

afterAll(async () => {
  await Promise.allSettled(open.map((nc) => nc.close()));
  await service?.close();
  await nats?.[Symbol.asyncDispose]();
});

function track(nc: NatsConnection): NatsConnection {
  open.push(nc);
  return nc;
}

/** Records every status event of a connection from the moment it is created. */
function statusLog(nc: NatsConnection) {
  const events: Status[] = [];
  const waiters: { pred: (s: Status) => boolean; resolve: (s: Status) => void }[] = [];
  (async () => {
    for await (const s of nc.status()) {
      events.push(s);
      for (const w of waiters.splice(0)) {
        if (w.pred(s)) w.resolve(s);
        else waiters.push(w);
      }
    }
  })().catch(() => {});
  return {
    events,
    /** Resolves with the first event (past or future) matching `pred`. */
    waitFor(pred: (s: Status) => boolean, ms = 10_000): Promise<Status> {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching status in ${ms} ms; saw ${JSON.stringify(events)}`)),
          ms,
        );
        waiters.push({
          pred,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        });
      });
    },
  };
}

const isError = (s: Status): s is Extract<Status, { type: "error" }> => s.type === "error";

interface Principal {
  id: string;
  kind: PrincipalKind;
  shopId: string;
}

function principal(kind: PrincipalKind = "customer", shopId = randomId("s_")): Principal {
  return { id: randomId(kind[0] === "g" ? "g_" : `${kind[0]}_`), kind, shopId };
}

async function mint(p: Principal, ttlSeconds = 120): Promise<string> {
  return (await nats.minter.mintPrincipal({ principalId: p.id, kind: p.kind, shopId: p.shopId, ttlSeconds })).jwt;
}

/** Connects principal `p` over WebSocket with its private inbox prefix. */
async function connectAs(p: Principal): Promise<{ nc: NatsConnection; status: ReturnType<typeof statusLog> }> {
  const nc = track(await nats.wsConnect(await mint(p), { inboxPrefix: subjects.inboxPrefix(p.id) }));
  return { nc, status: statusLog(nc) };
}

/** A callback subscription that records its deliveries and its terminal error. */
function recordingSub(nc: NatsConnection, subject: string) {
  const msgs: Msg[] = [];
  let error: Error | undefined;
  const sub: Subscription = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) error = err;
      else msgs.push(msg);
    },
  });
  return {
    sub,
    msgs,
    get error() {
      return error;
    },
  };
}

function until(pred: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** Publishes from the service on `subject` and then on the principal's own subject as a sentinel. */
async function serviceSendThenSentinel(subject: string, own: string): Promise<void> {
  service.publish(subject, "forbidden");
  service.publish(own, "sentinel");
  await service.flush();
}

async function expectSubscriptionRefused(nc: NatsConnection, p: Principal, subject: string): Promise<void> {
  const own = recordingSub(nc, subjects.user(p.id));
  const bad = recordingSub(nc, subject);
  await nc.flush();
  // The server answers a refused SUB with -ERR before the PONG of the flush.
  const closedWith = await bad.sub.closed;
  expect(closedWith).toBeInstanceOf(PermissionViolationError);
  expect((closedWith as PermissionViolationError).operation).toBe("subscription");
  expect((closedWith as PermissionViolationError).subject).toBe(subject);
  expect(bad.error).toBeInstanceOf(PermissionViolationError);

  // Deliveries to one connection keep their order: once the sentinel arrives,
  // anything sent earlier on the forbidden subject would have arrived too.
  await serviceSendThenSentinel(
    subject === ">" || subject === "_INBOX.>" ? `user.${randomId("q_")}.ev` : subject,
    subjects.user(p.id),
  );
  await until(() => own.msgs.length === 1, 5_000, "sentinel");
  expect(bad.msgs).toHaveLength(0);
  expect(nc.isClosed()).toBe(false);

  // Still usable: a legitimate request and subscription work afterwards.
  const reply = await nc.request(subjects.api(p.id, "ping"), "x", { timeout: 5_000 });
  expect(dec.decode(reply.data)).toBe(`echo:api.${p.id}.ping`);
  own.sub.unsubscribe();
}

describe("a principal's WebSocket connection", () => {
  it("can publish on its own api.P.x and receive on its own user.P.ev", async () => {
    const p = principal();
    const { nc } = await connectAs(p);
    const events = recordingSub(nc, subjects.user(p.id));
    await nc.flush();
    const marker = randomId("m_");
    nc.publish(subjects.api(p.id, marker), "hello");
    await nc.flush();
    await until(() => apiReceived.includes(`api.${p.id}.${marker}`), 5_000, "api publish at the service");
    service.publish(subjects.user(p.id), "event");
    await until(() => events.msgs.length === 1, 5_000, "user event");
    expect(dec.decode(events.msgs[0]?.data ?? new Uint8Array())).toBe("event");
  });

  it("lets an agent receive its shop's team events", async () => {
    const p = principal("agent");
    const { nc } = await connectAs(p);
    const team = recordingSub(nc, subjects.team(p.shopId));
    await nc.flush();
    service.publish(subjects.team(p.shopId), "team-event");
    await until(() => team.msgs.length === 1, 5_000, "team event");
    expect(team.error).toBeUndefined();
  });

  it("is refused a subscription to another principal's user.Q.ev, gets 0 deliveries and stays usable", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "subscribe to another principal's user.Q.ev",
      expected: "permission error, 0 deliveries, connection usable",
    });
    const p = principal();
    const { nc, status } = await connectAs(p);
    await expectSubscriptionRefused(nc, p, subjects.user(randomId("q_")));
    const err = await status.waitFor(isError);
    expect(isError(err) && err.error).toBeInstanceOf(PermissionViolationError);
    row.observed(`permission error, 0 deliveries, connection open: ${!nc.isClosed()}`);
  });

  it("as a customer is refused its shop's team.S.ev and another shop's team subject", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "customer subscribes to its shop's and another shop's team subject",
      expected: "permission error, 0 deliveries",
    });
    const p = principal("customer");
    const { nc } = await connectAs(p);
    await expectSubscriptionRefused(nc, p, subjects.team(p.shopId));
    await expectSubscriptionRefused(nc, p, subjects.team("OTHER"));
    row.observed("2 of 2 subscriptions refused, 0 deliveries");
  });

  it("as an agent is refused another shop's team subject", async () => {
    const p = principal("agent");
    const { nc } = await connectAs(p);
    await expectSubscriptionRefused(nc, p, subjects.team(randomId("s_")));
  });

  it("is refused a subscription to > and to _INBOX.> and sees nobody else's traffic", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "subscribe to >, _INBOX.>, _INBOX_*.>, api.*.>",
      expected: "permission error, 0 deliveries",
    });
    const p = principal();
    const { nc } = await connectAs(p);
    await expectSubscriptionRefused(nc, p, ">");
    await expectSubscriptionRefused(nc, p, "_INBOX.>");
    await expectSubscriptionRefused(nc, p, "_INBOX_*.>");
    await expectSubscriptionRefused(nc, p, "api.*.>");
    row.observed("4 of 4 subscriptions refused, 0 deliveries");
  });

  it("cannot publish as another principal: nothing arrives at the service and the connection stays usable", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "publish as another principal (api.Q.msg.send, user.Q.ev)",
      expected: "permission error, nothing reaches the service, connection usable",
    });
    const p = principal();
    const q = randomId("q_");
    const { nc, status } = await connectAs(p);
    const forged = subjects.api(q, "msg.send");
    nc.publish(forged, "forged");
    nc.publish(`user.${q}.ev`, "forged-event");
    const after = `api.${p.id}.after-${randomId()}`;
    nc.publish(after, "legit");
    await nc.flush();
    await until(() => apiReceived.includes(after), 5_000, "legit publish");
    expect(apiReceived.filter((s) => s.includes(q))).toEqual([]);
    const err = await status.waitFor((s) => isError(s) && (s.error as PermissionViolationError).subject === forged);
    expect(isError(err) && err.error).toBeInstanceOf(PermissionViolationError);
    expect(isError(err) && (err.error as PermissionViolationError).operation).toBe("publish");
    expect(nc.isClosed()).toBe(false);
    row.observed(
      `${apiReceived.filter((s) => s.includes(q)).length} forged requests at the service, connection open: ${!nc.isClosed()}`,
    );
  });

  it("gets no reply with the default _INBOX. prefix but does with its own _INBOX_P prefix", async () => {
    const p = principal();
    const jwt = await mint(p);
    const plain = track(await nats.wsConnect(jwt));
    const before = apiReceived.length;
    const err = await plain.request(subjects.api(p.id, "ping"), "x", { timeout: 2_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // The reply subscription _INBOX.<nuid>.* is refused, which fails the request at once.
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).cause).toBeInstanceOf(PermissionViolationError);
    // The request itself was allowed and reached the service; only the reply cannot come back.
    await until(() => apiReceived.slice(before).includes(`api.${p.id}.ping`), 5_000, "request at service");
    expect(plain.isClosed()).toBe(false);

    const own = track(await nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(p.id) }));
    const reply = await own.request(subjects.api(p.id, "ping"), "x", { timeout: 5_000 });
    expect(dec.decode(reply.data)).toBe(`echo:api.${p.id}.ping`);
  });

  it("cannot use another principal's inbox prefix for replies", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "use another principal's inbox prefix for replies",
      expected: "request fails, no reply readable",
    });
    const p = principal();
    const q = randomId("q_");
    const nc = track(await nats.wsConnect(await mint(p), { inboxPrefix: subjects.inboxPrefix(q) }));
    await expect(nc.request(subjects.api(p.id, "ping"), "x", { timeout: 2_000 })).rejects.toThrow();
    row.observed("request refused");
  });
});

describe("credentials the server refuses", () => {
  it("refuses a bearer, WebSocket-only JWT over plain TCP (nats://) while it works over WebSocket", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "WebSocket-only bearer JWT over plain TCP",
      expected: "refused (authorization error)",
    });
    const jwt = await mint(principal());
    await expect(
      connect({ servers: nats.url, authenticator: jwtAuthenticator(jwt), maxReconnectAttempts: 0 }),
    ).rejects.toBeInstanceOf(AuthorizationError);
    const ok = track(await nats.wsConnect(jwt));
    await ok.flush();
    row.observed("TCP refused, WebSocket accepted");
  });

  it("refuses an expired JWT", async (ctx) => {
    const row = asAttack(ctx, { area: "nats", attack: "expired JWT", expected: "refused" });
    const p = principal();
    const signer = fromSeed(enc.encode(nats.auth.appSigningSeed));
    const good = decode<User>(await mint(p));
    const expired = await encodeUser(p.id, createUser(), nats.auth.appAccountPub, good.nats, {
      signer,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    await expect(nats.wsConnect(expired, { maxReconnectAttempts: 0 })).rejects.toBeInstanceOf(AuthorizationError);
    expect(nats.logs()).toMatch(/expired/i);
    row.observed("refused, server logged expiry");
  });

  it("refuses a JWT whose claims were edited without re-signing", async (ctx) => {
    const row = asAttack(ctx, { area: "nats", attack: "JWT with edited claims (allow >)", expected: "refused" });
    const p = principal();
    const jwt = await mint(p);
    const [header, payload, sig] = jwt.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { nats: User };
    claims.nats.sub = { allow: [">"] };
    claims.nats.pub = { allow: [">"] };
    const edited = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${sig}`;
    await expect(nats.wsConnect(edited, { maxReconnectAttempts: 0 })).rejects.toBeInstanceOf(AuthorizationError);
    // Control: the untouched JWT is accepted.
    track(await nats.wsConnect(jwt));
    row.observed("edited JWT refused, original accepted");
  });

  it("refuses a JWT signed by a rogue key that is not one of the account's signing keys", async (ctx) => {
    const row = asAttack(ctx, { area: "nats", attack: "JWT signed by a rogue key", expected: "refused" });
    const rogue = new JwtMinter({
      accountPub: nats.auth.appAccountPub,
      signingSeed: dec.decode(createAccount().getSeed()),
    });
    const p = principal();
    const { jwt } = await rogue.mintPrincipal({ principalId: p.id, kind: p.kind, shopId: p.shopId });
    await expect(nats.wsConnect(jwt, { maxReconnectAttempts: 0 })).rejects.toBeInstanceOf(AuthorizationError);
    row.observed("refused");
  });
});

/**
 * Speaks the NATS protocol directly over a `ws` WebSocket (no nats.js), as a
 * hostile client would: CONNECT with a bearer JWT, then the given frames.
 * Resolves with everything the server sent once it closes the socket or 3 s pass.
 */
async function rawWsSession(jwt: string, frames: string[]): Promise<{ text: string; closedByServer: boolean }> {
  const socket = new WebSocket(nats.wsUrl, { origin: DEFAULT_TEST_ORIGIN });
  let text = "";
  return new Promise((resolve, reject) => {
    let closedByServer = false;
    let connected = false;
    const timer = setTimeout(() => {
      socket.close();
      resolve({ text, closedByServer });
    }, 3_000);
    socket.on("error", reject);
    socket.on("message", (data: Buffer) => {
      const chunk = data.toString("utf8");
      text += chunk;
      if (!connected && text.includes("INFO ")) {
        connected = true;
        const connect = { jwt, verbose: false, pedantic: false, protocol: 1, headers: true, lang: "raw", version: "0" };
        socket.send(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n`);
      }
      if (text.includes("PONG") && frames.length > 0) {
        for (const f of frames.splice(0)) socket.send(f);
        socket.send("PING\r\n");
      }
    });
    socket.on("close", () => {
      closedByServer = true;
      clearTimeout(timer);
      resolve({ text, closedByServer });
    });
  });
}

describe("user limits", () => {
  it("the client refuses a payload over the 128 KiB user limit locally and stays usable", async () => {
    const p = principal();
    const { nc } = await connectAs(p);
    // The server announces the user's limit in INFO, not the server-wide 256 KiB.
    expect(nc.info?.max_payload).toBe(128 * 1024);
    const okSubject = `api.${p.id}.small-${randomId()}`;
    nc.publish(okSubject, new Uint8Array(100 * 1024));
    await nc.flush();
    await until(() => apiReceived.includes(okSubject), 5_000, "100 KiB publish");
    expect(() => nc.publish(`api.${p.id}.big`, new Uint8Array(129 * 1024))).toThrow(InvalidArgumentError);
    await nc.flush();
    expect(nc.isClosed()).toBe(false);
  });

  it("the server rejects a payload over the user limit from a client that skips the check, and delivers none of it", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "129 KiB payload from a client that skips the 128 KiB check",
      expected: "connection closed, nothing delivered",
    });
    const p = principal();
    const jwt = await mint(p);
    const bigSubject = `api.${p.id}.big-${randomId()}`;
    const transcript = await rawWsSession(jwt, [`PUB ${bigSubject} ${129 * 1024}\r\n${"x".repeat(129 * 1024)}\r\n`]);
    expect(transcript.text).toContain("PONG"); // authenticated and healthy before the big PUB
    expect(transcript.closedByServer).toBe(true);
    // The server sends -ERR 'Maximum Payload Violation' and closes at once; the close
    // often overtakes the -ERR frame on the WebSocket, so the server log is the witness
    // (read through a pipe, so poll for it).
    await until(
      () => nats.logs().includes(`${129 * 1024} vs ${128 * 1024}`),
      3_000,
      "payload violation in the server log",
    );
    await service.flush();
    expect(apiReceived).not.toContain(bigSubject);
    row.observed(`closed by server: ${transcript.closedByServer}, delivered: ${apiReceived.includes(bigSubject)}`);
  });

  it("refuses subscriptions beyond the 50-subscription user limit", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "60 subscriptions on one connection",
      expected: "beyond 50 refused",
    });
    const p = principal();
    const { nc, status } = await connectAs(p);
    const subs = Array.from({ length: 60 }, () => recordingSub(nc, subjects.user(p.id)));
    await nc.flush();
    const err = await status.waitFor(isError);
    expect(isError(err) && err.error.message).toMatch(/maximum subscriptions/i);
    service.publish(subjects.user(p.id), "x");
    await service.flush();
    await until(() => subs.reduce((n, s) => n + s.msgs.length, 0) >= 50, 5_000, "50 deliveries");
    await nc.flush();
    expect(subs.reduce((n, s) => n + s.msgs.length, 0)).toBe(50);
    row.observed(`${subs.reduce((n, s) => n + s.msgs.length, 0)} of 60 subscriptions delivered`);
  });
});

describe("JWT expiry mid-session", () => {
  it("the server closes the connection when a static JWT expires and the client gives up", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "JWT expiring mid-session, no refresh",
      expected: "server closes the connection",
    });
    const p = principal();
    const nc = track(
      await nats.wsConnect(await mint(p, 2), {
        inboxPrefix: subjects.inboxPrefix(p.id),
        reconnectTimeWait: 100,
        maxReconnectAttempts: 5,
      }),
    );
    const status = statusLog(nc);
    const closed = await Promise.race([
      nc.closed(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("not closed")), 10_000)),
    ]);
    expect(closed).toBeInstanceOf(Error);
    const expired = status.events.find((s) => isError(s) && s.error instanceof UserAuthenticationExpiredError);
    expect(expired).toBeDefined();
    row.observed("closed after expiry (authentication expired)");
  });

  it("an authenticator returning a JWT refreshed before expiry lets the client reconnect and resume receiving", async (ctx) => {
    const row = asAttack(ctx, {
      area: "nats",
      attack: "JWT expiring mid-session, refreshed by the client",
      expected: "reconnects, 0 events lost",
    });
    const p = principal("agent");
    const first = await nats.minter.mintPrincipal({ principalId: p.id, kind: p.kind, shopId: p.shopId, ttlSeconds: 2 });
    let current = first.jwt;
    const refresher = setTimeout(
      async () => {
        current = await mint(p, 60);
      },
      first.expiresAt - Date.now() - 700,
    );
    try {
      const nc = track(
        await nats.wsConnect(() => current, { inboxPrefix: subjects.inboxPrefix(p.id), reconnectTimeWait: 100 }),
      );
      const status = statusLog(nc);
      const events = recordingSub(nc, subjects.user(p.id));
      const team = recordingSub(nc, subjects.team(p.shopId));
      await nc.flush();
      service.publish(subjects.user(p.id), "before");
      await until(() => events.msgs.length === 1, 5_000, "event before expiry");

      const expiredErr = await status.waitFor(
        (s) => isError(s) && s.error instanceof UserAuthenticationExpiredError,
        10_000,
      );
      expect(expiredErr).toBeDefined();
      await status.waitFor((s) => s.type === "reconnect", 10_000);
      expect(nc.isClosed()).toBe(false);
      // "reconnect" fires once the SUBs are re-sent; a round trip makes sure the server has them.
      await nc.flush();

      // The client resubscribed on reconnect with the new JWT: deliveries resume.
      service.publish(subjects.user(p.id), "after");
      service.publish(subjects.team(p.shopId), "team-after");
      await until(() => events.msgs.length === 2 && team.msgs.length === 1, 5_000, "events after refresh");
      expect(dec.decode(events.msgs[1]?.data ?? new Uint8Array())).toBe("after");
      const reply = await nc.request(subjects.api(p.id, "ping"), "x", { timeout: 5_000 });
      expect(dec.decode(reply.data)).toBe(`echo:api.${p.id}.ping`);
      expect(events.error).toBeUndefined();
      row.observed(`${events.msgs.length} of 2 events, ${team.msgs.length} of 1 team events after the refresh`);
    } finally {
      clearTimeout(refresher);
    }
  });
});

describe("WebSocket allowed_origins", () => {
  it("accepts the configured origin and refuses a wrong one, a wrong scheme and a wrong port", async () => {
    const jwt = await mint(principal());
    track(await nats.wsConnect(jwt, { origin: DEFAULT_TEST_ORIGIN }));
    for (const origin of ["https://evil.example", "http://chat.parley.test", "https://chat.parley.test:8443"]) {
      // The upgrade is answered with HTTP 403, before any NATS protocol.
      await expect(nats.wsConnect(jwt, { origin, maxReconnectAttempts: 0 })).rejects.toThrow(/403/);
    }
  });

  it("accepts a client that sends no Origin header at all (non-browser clients)", async () => {
    const jwt = await mint(principal());
    const nc = track(await nats.wsConnect(jwt, { origin: null }));
    await nc.flush();
  });
});

describe("nats-server restart", () => {
  it("a WebSocket client and the TCP service connection reconnect by themselves and the stream resumes", async () => {
    await using local = await startNats();
    const svc = await local.serviceConnection({ reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    try {
      const p = principal();
      const { jwt } = await local.minter.mintPrincipal({ principalId: p.id, kind: p.kind, shopId: p.shopId });
      const nc = await local.wsConnect(jwt, { reconnectTimeWait: 100, maxReconnectAttempts: -1 });
      const status = statusLog(nc);
      const svcStatus = statusLog(svc);
      try {
        const events = recordingSub(nc, subjects.user(p.id));
        await nc.flush();
        let n = 0;
        const pump = setInterval(() => {
          if (!svc.isClosed()) svc.publish(subjects.user(p.id), String(n++));
        }, 20);
        try {
          await until(() => events.msgs.length >= 5, 5_000, "stream before restart");
          await local.restart();
          await status.waitFor((s) => s.type === "reconnect", 15_000);
          // The TCP service connection (opened before the WebSocket one) reconnects too.
          await svcStatus.waitFor((s) => s.type === "reconnect", 15_000);
          const seen = events.msgs.length;
          await until(() => events.msgs.length >= seen + 5, 10_000, "stream after restart");
        } finally {
          clearInterval(pump);
        }
        expect(status.events.some((s) => s.type === "disconnect")).toBe(true);
        expect(nc.isClosed()).toBe(false);
      } finally {
        await nc.close();
      }
    } finally {
      await svc.close();
    }
  });
});

describe("the gateways' system-account user (connection watcher)", () => {
  const watcher = () =>
    connect({
      servers: [nats.url],
      inboxPrefix: "_INBOX_parley_watch",
      authenticator: jwtAuthenticator(nats.auth.gatewaySystemJwt, enc.encode(nats.auth.gatewaySystemSeed)),
    }).then(track);

  it("sees the app account's connect events (with the principal's tag) and may list its connections", async () => {
    const nc = await watcher();
    const sub = nc.subscribe(`$SYS.ACCOUNT.${nats.auth.appAccountPub}.CONNECT`, { max: 1 });
    await nc.flush();
    const p = principal();
    await connectAs(p);
    for await (const m of sub) {
      const ev = JSON.parse(dec.decode(m.data)) as { client?: { tags?: string[] } };
      expect(ev.client?.tags).toContain(`principal:${p.id}`);
    }
    const reply = await nc.request(`$SYS.REQ.ACCOUNT.${nats.auth.appAccountPub}.CONNZ`, '{"auth":true}');
    const body = JSON.parse(dec.decode(reply.data)) as { data?: { connections?: { tags?: string[] }[] } };
    expect(body.data?.connections?.some((c) => c.tags?.includes(`principal:${p.id}`))).toBe(true);
  });

  it("may do nothing else: no $SYS.>, no server VARZ, no RELOAD, no system account's CONNZ, no app subjects", async () => {
    const nc = await watcher();
    const statuses = statusLog(nc);
    const denied: unknown[] = [];
    for (const subject of ["$SYS.>", "$SYS.SERVER.*.STATSZ", "api.>", ">"]) {
      nc.subscribe(subject, {
        callback: (err) => {
          if (err) denied.push(err);
        },
      });
    }
    for (const subject of [
      "$SYS.REQ.SERVER.PING.VARZ",
      `$SYS.REQ.SERVER.${nc.info?.server_id}.RELOAD`,
      `$SYS.REQ.ACCOUNT.${nats.auth.systemAccountPub}.CONNZ`,
      "$SYS.REQ.CLAIMS.UPDATE",
    ]) {
      nc.publish(subject, "{}");
    }
    await nc.flush();
    const publishDenials = () =>
      statuses.events.filter(isError).filter((s) => /permissions violation for publish/i.test(s.error.message));
    await until(() => denied.length >= 4 && publishDenials().length >= 4, 5_000, "8 permission errors");
    expect(publishDenials()).toHaveLength(4);
    expect(denied.every((e) => e instanceof PermissionViolationError)).toBe(true);
  });
});
