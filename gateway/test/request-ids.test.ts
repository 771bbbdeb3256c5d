/**
 * Request ids across NATS and HTTP (real gateway, real nats-server): the SDK's
 * id reaches the gateway's log line for that request and comes back in the
 * error reply, and rides on the message events its `msg.send` publishes; a
 * valid caller id is kept, a forged or oversized one replaced. Every other op
 * that publishes events (over NATS, `POST /v1/rpc` and the admin API: a team
 * login's password reset, its re-add with another password, its removal) puts
 * its request's id on each of them, on both stores: requests with known ids
 * are sent on raw connections (harness/request-ids.ts), and a wiretap reads the
 * events' headers. Webhooks: request-ids-webhooks.test.ts; notices between
 * gateways and heartbeat presence: request-ids-gateways.test.ts.
 */
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { type ParleyClient, ParleyError } from "@parley/sdk";
import { buildCommit, createDeviceIdentity, signDeviceRecord } from "@parley/sdk/crypto";
import {
  MAX_REQUEST_ID_LENGTH,
  REQUEST_ID_HEADER,
  type RpcOp,
  type SessionResponse,
  subjects,
} from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envelope, random } from "./harness/epoch-fixtures.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { type LogLine, logLines as linesOf, type RawCaller, rawCaller } from "./harness/request-ids.js";
import { ADMIN_TOKEN, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { waitFor } from "./helpers.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("request ids", () => {
  let stack: TestStack;
  let owner: ParleyClient;
  let outsider: ParleyClient;
  let raw: NatsConnection;
  let convId: string;
  const logLines = () => linesOf(stack);

  /** Sends `{}` as `op` from the outsider's raw connection with `id` in the request-id header (none when undefined). */
  const rawRequest = async (op: string, id: string | undefined) => {
    const h = headers();
    if (id !== undefined) h.set(REQUEST_ID_HEADER, id);
    const reply = await raw.request(subjects.api(outsider.principal.id, op), encoder.encode("{}"), {
      timeout: 3000,
      ...(id !== undefined ? { headers: h } : {}),
    });
    return JSON.parse(decoder.decode(reply.data)) as { ok: boolean; error?: { code: string; requestId?: string } };
  };

  beforeAll(async () => {
    stack = await startStack({ env: { PARLEY_LOG_LEVEL: "debug" } });
    owner = stack.customer("rid-owner");
    outsider = stack.customer("rid-outsider");
    await owner.connect();
    await outsider.connect();
    convId = (await owner.openConversation()).id;
    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: outsider.principal.id,
      kind: "customer",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    raw = await stack.nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(outsider.principal.id) });
  });
  afterAll(async () => {
    await raw?.close();
    await owner?.close();
    await outsider?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  it("carries the SDK's id into the gateway's log line for that request and back in the error", async () => {
    const error = await outsider.loadConversation(convId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ParleyError);
    const requestId = (error as ParleyError).requestId;
    expect(requestId).toMatch(/^r_[A-Za-z0-9_-]{22}$/);
    const code = (error as ParleyError).code;
    const line = logLines().find((l) => l.msg === "nats request" && l.reqId === requestId);
    expect(line).toMatchObject({ op: expect.any(String), code });
    // Each request has its own id: no other request's line carries this one.
    expect(logLines().filter((l) => l.reqId === requestId)).toHaveLength(1);
  });

  it("puts the id the SDK sent with msg.send on the message events that send publishes", async () => {
    await using tap = await startWiretap(stack);
    await owner.send(convId, "carry my request id");
    const request = subjects.api(owner.principal.id, "msg.send");
    const sent = tap.requestIds.filter((r) => r.subject === request);
    expect(sent).toHaveLength(1);
    const requestId = sent[0]?.requestId;
    expect(requestId).toMatch(/^r_[A-Za-z0-9_-]{22}$/);
    // The owner's own event subject and the shop team's: the event reaches both with the request's id.
    const eventSubjects = [subjects.user(owner.principal.id), subjects.team(SHOP_ID)];
    const events = await waitFor(() => {
      const found = tap.requestIds.filter((r) => eventSubjects.includes(r.subject));
      return found.length === 2 ? found : undefined;
    }, "the message events");
    expect(events.map((e) => e.requestId)).toEqual([requestId, requestId]);
    // Nothing else carries it: the request and its two events (the reply goes back to the SDK, which knows the id).
    expect(tap.requestIds.filter((r) => r.requestId === requestId).map((r) => r.subject)).toEqual([
      request,
      ...eventSubjects,
    ]);
    // And the gateway's log line for the request names the same id.
    expect(logLines().find((l) => l.msg === "nats request" && l.reqId === requestId)).toMatchObject({ op: "msg.send" });
  });

  it("keeps a valid caller id and replaces a forged or oversized one", async () => {
    const kept = await rawRequest("no.such_op", "support-case:4711.a");
    expect(kept.error?.requestId).toBe("support-case:4711.a");

    const oversized = "a".repeat(MAX_REQUEST_ID_LENGTH + 1);
    const forged = 'x","level":60,"msg":"forged';
    for (const offered of [oversized, forged, ""]) {
      const reply = await rawRequest("no.such_op", offered);
      expect(reply.error?.code).toBe("not_found");
      expect(reply.error?.requestId).toMatch(/^g_[A-Za-z0-9_-]+_[0-9a-z]+$/);
      expect(reply.error?.requestId).not.toBe(offered);
    }
    const none = await rawRequest("no.such_op", undefined);
    expect(none.error?.requestId).toMatch(/^g_/);
    const ids = logLines().map((l) => l.reqId);
    expect(ids).toContain(none.error?.requestId);
    expect(ids).not.toContain(oversized);
    expect(stack.logs()).not.toContain("forged");
  });

  it("answers HTTP requests with their id, in the header and in the error body", async () => {
    const res = await fetch(`${stack.url}/v1/rpc/msg.history`, {
      method: "POST",
      headers: { [REQUEST_ID_HEADER]: "http-req-0001", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe("http-req-0001");
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized", requestId: "http-req-0001" } });
    const line = logLines().find((l) => l.msg === "http request" && l.reqId === "http-req-0001");
    expect(line).toMatchObject({ route: "/v1/rpc/:op", status: 401 });

    const bad = await fetch(`${stack.url}/healthz`, { headers: { [REQUEST_ID_HEADER]: "no spaces allowed" } });
    expect(bad.headers.get(REQUEST_ID_HEADER)).toMatch(/^g_/);
  });
});

/** A principal's own raw NATS connection: requests on it carry whatever request id the test names. */
type Raw = RawCaller;

/** Where an event is expected: the subject and the event's `type`. */
type Expected = [subject: string, type: string];

describe.each(["embedded", "mongodb"] as const)(
  "events carry the id of the request that caused them (%s store)",
  (store) => {
    let mongo: MongoForTests | undefined;
    let stack: TestStack;
    let tap: Wiretap;
    const clients: ParleyClient[] = [];
    const raws: Raw[] = [];
    let owner: Raw;
    let friend: Raw;
    let other: Raw;
    let third: Raw;
    let agent: Raw;
    let convId: string;
    let counter = 0;
    const team = subjects.team(SHOP_ID);
    const user = (who: Raw | string) => subjects.user(typeof who === "string" ? who : who.id);

    /** The gateway's log line for the request `id` (`nats request` or `http request`). */
    const logLineOf = (id: string, msg: string) =>
      waitFor(() => linesOf(stack).find((l: LogLine) => l.msg === msg && l.reqId === id), `the ${msg} line of ${id}`);

    const typeOf = (data: string): string | undefined => {
      try {
        return (JSON.parse(data) as { type?: string }).type;
      } catch {
        return undefined;
      }
    };

    /**
     * Waits until every expected event of the request `id` was captured since `from`; answers the captured
     * ones in the same order. Events that name another request (an earlier one's, arriving late) are not
     * this one's; an event naming none is taken, so a missing id shows as a mismatch.
     */
    const eventsOf = (id: string, from: number, expected: Expected[]) =>
      waitFor(() => {
        const since = tap.messages.slice(from).filter((m) => m.requestId === undefined || m.requestId === id);
        const found = expected.map(([subject, type]) =>
          since.find((m) => m.subject === subject && typeOf(m.data) === type),
        );
        return found.every((m) => m !== undefined) ? found : undefined;
      }, `the events of request ${id}`);

    /**
     * Waits for the `expected` events of request `id` captured since `from` and checks each carries `id`.
     * Soft: the requests that follow still run (they build on this one), and each one's miss is reported.
     */
    async function expectCarriedSince(id: string, from: number, expected: Expected[], label: string): Promise<void> {
      const events = await eventsOf(id, from, expected);
      expect
        .soft(
          events.map((e) => [e?.subject, typeOf(e?.data ?? ""), e?.requestId]),
          label,
        )
        .toEqual(expected.map(([subject, type]) => [subject, type, id]));
    }

    /** Sends `op` as `who` with the request id `id` on its raw connection; the result, or throws the error code. */
    const call = (who: Raw, op: RpcOp, body: unknown, id: string): Promise<unknown> => who.call(op, body, id);

    /**
     * Runs `op` as `who` with a request id of its own, waits for the `expected` events and checks that each
     * carries that id as its `X-Request-Id` header; answers the op's result.
     */
    async function expectCarried<T>(who: Raw, op: RpcOp, body: unknown, expected: Expected[]): Promise<T> {
      const id = `ev-${op}-${++counter}`;
      const from = tap.messages.length;
      const result = await call(who, op, body, id);
      await expectCarriedSince(id, from, expected, op);
      // The gateway's log line for the request names the same id: an operator follows it from event to log.
      expect(await logLineOf(id, "nats request")).toMatchObject({ op, ok: true });
      return result as T;
    }

    /** A raw connection for the principal of a connected SDK client. */
    async function rawOf(client: ParleyClient, kind: "customer" | "agent"): Promise<Raw> {
      const raw = await rawCaller(stack, client.principal.id, kind);
      raws.push(raw);
      return raw;
    }

    /** Adds a team login to be removed or reset later; answers its principal id. */
    async function teamLogin(login: string): Promise<string> {
      const { principal } = await stack.gateway.admin.addAgent(SHOP_ID, {
        login,
        password: "a long enough password",
        displayName: login,
        role: "agent",
        kind: "agent",
      });
      return principal.id;
    }

    beforeAll(async () => {
      if (store === "mongodb") mongo = await mongoForTests();
      stack = await startStack({
        env: { PARLEY_LOG_LEVEL: "debug" },
        ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
      });
      const names = ["ev-owner", "ev-friend", "ev-other", "ev-third"];
      for (const name of names) clients.push(stack.customer(name));
      clients.push(stack.agent());
      for (const c of clients) await c.connect();
      for (const [i, c] of clients.slice(0, 4).entries()) await c.updateProfile({ handle: `ev_${i}_${store}` });
      const customers = await Promise.all(clients.slice(0, 4).map((c) => rawOf(c, "customer")));
      [owner, friend, other, third] = customers as [Raw, Raw, Raw, Raw];
      agent = await rawOf(clients[4] as ParleyClient, "agent");
      tap = await startWiretap(stack);
    });
    afterAll(async () => {
      await tap?.[Symbol.asyncDispose]();
      for (const raw of raws) await raw.nc.close();
      for (const c of clients) await c.close();
      await stack?.[Symbol.asyncDispose]();
      await mongo?.[Symbol.asyncDispose]();
    });

    it("conv.open, signal.typing, signal.read and signal.live", async () => {
      const opened = await expectCarried<{ conversation: { id: string } }>(owner, "conv.open", {}, [
        [user(owner), "conversation"],
        [team, "conversation"],
      ]);
      convId = opened.conversation.id;
      await expectCarried(owner, "signal.typing", { convId, active: true }, [[team, "typing"]]);
      await call(owner, "msg.send", { convId, envelope: envelope(convId, 0, "none") }, "ev-setup-send");
      await expectCarried(owner, "signal.read", { convId, seq: 1 }, [
        [user(owner), "read"],
        [team, "read"],
      ]);
      await expectCarried(owner, "signal.live", { convId, envelope: envelope(convId, 0, "none") }, [
        [user(owner), "live"],
        [team, "live"],
      ]);
    });

    it("conv.assign, conv.close, the reopening msg.send, conv.handover, conv.reopen and note.add", async () => {
      const conversation: Expected[] = [
        [user(owner), "conversation"],
        [team, "conversation"],
      ];
      await expectCarried(agent, "conv.assign", { convId, assignee: agent.id }, conversation);
      await expectCarried(agent, "conv.close", { convId }, conversation);
      // The customer writes into the closed conversation: the send reopens it, and says so with its own id.
      await expectCarried(owner, "msg.send", { convId, envelope: envelope(convId, 0, "none") }, [
        [user(owner), "message"],
        ...conversation,
      ]);
      await expectCarried(agent, "conv.handover", { convId }, conversation);
      await expectCarried(agent, "conv.close", { convId }, conversation);
      await expectCarried(agent, "conv.reopen", { convId }, conversation);
      await expectCarried(agent, "note.add", { convId, envelope: envelope(convId, 0) }, [[team, "note"]]);
    });

    it("every invite op, conv.leave and conv.remove", async () => {
      const handle = (i: number) => `ev_${i}_${store}`;
      type Created = { invite: { id: string } };
      const invited = (invitee: Raw): Expected[] => [
        [user(invitee), "invite"],
        [user(owner), "invitation"],
        [team, "invitation"],
      ];
      const declined = await expectCarried<Created>(
        owner,
        "invite.create",
        { convId, handle: handle(1) },
        invited(friend),
      );
      await expectCarried(friend, "invite.decline", { inviteId: declined.invite.id }, [
        ...invited(friend),
        [user(friend), "invitation"],
      ]);
      const revoked = await expectCarried<Created>(
        agent,
        "invite.create",
        { convId, handle: handle(1) },
        invited(friend),
      );
      await expectCarried(agent, "invite.revoke", { inviteId: revoked.invite.id }, invited(friend));
      const accepted = await expectCarried<Created>(
        agent,
        "invite.create",
        { convId, handle: handle(1) },
        invited(friend),
      );
      await expectCarried(friend, "invite.accept", { inviteId: accepted.invite.id }, [
        [user(friend), "membership"],
        [user(owner), "membership"],
        [team, "membership"],
        ...invited(friend),
      ]);
      const blocked = await expectCarried<Created>(
        owner,
        "invite.create",
        { convId, handle: handle(2) },
        invited(other),
      );
      await expectCarried(other, "invite.block", { inviteId: blocked.invite.id }, [
        ...invited(other),
        [user(other), "invitation"],
      ]);
      const joined = await expectCarried<Created>(
        owner,
        "invite.create",
        { convId, handle: handle(3) },
        invited(third),
      );
      await call(third, "invite.accept", { inviteId: joined.invite.id }, "ev-setup-accept");
      await expectCarried(friend, "conv.leave", { convId }, [
        [user(friend), "membership"],
        [user(owner), "membership"],
        [team, "membership"],
      ]);
      await expectCarried(owner, "conv.remove", { convId, principalId: third.id }, [
        [user(third), "membership"],
        [user(owner), "membership"],
        [team, "membership"],
      ]);
    });

    it("device.register, epoch.commit, team.init, team.wrap.put and team.remove", async () => {
      // A customer's device and the first epoch of a conversation of its own (before the shop has a team key).
      const identity = await createDeviceIdentity();
      const record = await signDeviceRecord(identity, owner.id);
      await call(owner, "device.register", { record }, "ev-setup-device");
      const { conversation } = (await call(owner, "conv.open", {}, "ev-setup-open")) as {
        conversation: { id: string };
      };
      const { commit } = await buildCommit({
        identity,
        principalId: owner.id,
        convId: conversation.id,
        prev: undefined,
        members: [{ principalId: owner.id, devices: [record] }],
        historyPolicy: "none",
        reason: "create",
      });
      await expectCarried(owner, "epoch.commit", { commit }, [
        [user(owner), "commit"],
        [team, "commit"],
      ]);

      // The admin agent's device waits for the team key; the key and its wrap are told to the team.
      const agentDevice = await signDeviceRecord(await createDeviceIdentity(), agent.id);
      await expectCarried(agent, "device.register", { record: agentDevice }, [[team, "team"]]);
      const by = { principalId: agent.id, deviceId: agentDevice.deviceId };
      const key = {
        shopId: SHOP_ID,
        version: 1,
        boxPk: random(32),
        sigPk: random(32),
        createdBy: by,
        ts: Date.now(),
        sig: random(64),
      };
      await expectCarried(agent, "team.init", { record: key }, [[team, "team"]]);
      const wrap = {
        shopId: SHOP_ID,
        version: 1,
        deviceId: agentDevice.deviceId,
        principalId: agent.id,
        sealed: random(112),
        wrappedBy: by,
        ts: Date.now(),
        sig: random(64),
      };
      await expectCarried(agent, "team.wrap.put", { wrap }, [[team, "team"]]);

      // Removing a login ends its sessions (told to it) and makes the team key's rotation due (told to the team).
      const gone = await teamLogin(`ev-gone-${store}@shop.test`);
      await expectCarried(agent, "team.remove", { login: `ev-gone-${store}@shop.test` }, [
        [user(gone), "session"],
        [team, "team"],
      ]);
    });

    it("profile.update: a team member's rename reaches the team's presence with the request's id", async () => {
      await expectCarried(agent, "profile.update", { displayName: `Ada ${store}` }, [[team, "presence"]]);
    });

    /** Sends an HTTP request with the id `id`, then checks its log line and that each `expected` event carries `id`. */
    async function httpCall(path: string, init: RequestInit, id: string, expected: Expected[]): Promise<void> {
      const from = tap.messages.length;
      const res = await fetch(`${stack.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), [REQUEST_ID_HEADER]: id },
      });
      expect(res.status, path).toBe(200);
      expect(res.headers.get(REQUEST_ID_HEADER)).toBe(id);
      expect(await logLineOf(id, "http request")).toMatchObject({ status: 200 });
      await expectCarriedSince(id, from, expected, path);
    }

    it("over HTTP: POST /v1/rpc", async () => {
      const session = (await (
        await fetch(`${stack.url}/v1/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ shopId: SHOP_ID, token: await stack.customerToken("ev-http", "ev-http") }),
        })
      ).json()) as SessionResponse;
      await httpCall(
        "/v1/rpc/conv.open",
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${session.apiToken}` },
          body: "{}",
        },
        `http-open-${store}`,
        [
          [user(session.principal.id), "conversation"],
          [team, "conversation"],
        ],
      );
    });

    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const agents = `/v1/admin/shops/${SHOP_ID}/agents`;
    const newPassword = "another long password";
    /**
     * The admin API's ways to end a team login's sessions: the request for the login, and the events it
     * causes for its principal (the session's end; a removal also makes the team key's rotation due).
     */
    const adminRevocations: [
      how: string,
      request: (login: string) => [path: string, init: RequestInit],
      expected: (principal: string) => Expected[],
    ][] = [
      [
        "password reset",
        (login) => [`${agents}/${login}/password`, { method: "PUT", body: JSON.stringify({ password: newPassword }) }],
        (p) => [[user(p), "session"]],
      ],
      [
        "re-add with another password",
        (login) => [
          agents,
          { method: "POST", body: JSON.stringify({ login, password: newPassword, displayName: login }) },
        ],
        (p) => [[user(p), "session"]],
      ],
      [
        "removal",
        (login) => [`${agents}/${login}`, { method: "DELETE" }],
        (p) => [
          [user(p), "session"],
          [team, "team"],
        ],
      ],
    ];
    it.each(adminRevocations)("over HTTP: the admin API's %s", async (how, request, expected) => {
      const slug = how.split(" ")[0];
      const login = `ev-${slug}-${store}@shop.test`;
      const principal = await teamLogin(login);
      const [path, init] = request(login);
      await httpCall(path, { ...init, headers: admin }, `http-${slug}-${store}`, expected(principal));
    });
  },
);
