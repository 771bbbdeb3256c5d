/**
 * Request ids between gateways (real nats-server, two real gateways on real
 * ports): what one gateway tells the others because of a request carries that
 * request's id as the `X-Request-Id` NATS header, and the gateways that receive
 * it log the id with what they do. The connection watcher's revocations (a
 * team login removed, its password reset, or re-added with another one through
 * the admin API) and a team member's rename, on both stores; and, on a stack
 * with heartbeat presence instead of the watcher, the heartbeat's and the
 * leave's presence events and notes to the other gateway. A wiretap reads the
 * headers; the second gateway's log lines carry `extra: 1`.
 */
import type { ParleyClient } from "@parley/sdk";
import { REQUEST_ID_HEADER, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVOKE_SUBJECT } from "../src/nats/connections.js";
import { PRESENCE_SUBJECT } from "../src/service/presence.js";
import { PRESENCE_NAME_SUBJECT } from "../src/service/presence-connections.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { type LogLine, logLines, type RawCaller, rawCaller } from "./harness/request-ids.js";
import { ADMIN_TOKEN, SHOP_ID, type StackOptions, startStack } from "./harness/stack.js";
import { startWiretap } from "./harness/wiretap.js";
import { waitFor } from "./helpers.js";

const PASSWORD = "a long enough password";

/** A stack of two gateways (the second one's log lines say `extra: 1`), a wiretap and raw NATS connections. */
async function twoGateways(options: StackOptions) {
  const stack = await startStack({ ...options, env: { ...options.env, PARLEY_LOG_LEVEL: "debug" } });
  const boss = await stack.gateway.admin.addAgent(SHOP_ID, {
    login: "boss@shop.test",
    password: PASSWORD,
    displayName: "Boss",
    role: "admin",
    kind: "agent",
  });
  const extra = await stack.extraGateway();
  const tap = await startWiretap(stack);
  const raws: RawCaller[] = [];
  return {
    stack,
    tap,
    /** Both gateways. */
    gateways: [stack.gateway, extra],
    /** An admin agent of the shop (may `team.remove`). */
    boss: boss.principal.id,
    /** Adds a team login; answers its principal id. */
    async teamLogin(login: string): Promise<string> {
      const input = { login, password: PASSWORD, displayName: login, role: "agent", kind: "agent" } as const;
      const added = await stack.gateway.admin.addAgent(SHOP_ID, input);
      return added.principal.id;
    },
    /** A raw NATS connection of a team member: requests on it name the request id the test gives. */
    async raw(principalId: string): Promise<RawCaller["call"]> {
      const raw = await rawCaller(stack, principalId, "agent");
      raws.push(raw);
      return raw.call;
    },
    /** The captured messages on `subject` that carry the request id `id` (as soon as there are `count`). */
    carried: (subject: string, id: string, count = 1) =>
      waitFor(() => {
        const found = tap.messages.filter((m) => m.subject === subject && m.requestId === id);
        return found.length >= count ? found : undefined;
      }, `${count} message(s) on ${subject} with ${id}`),
    /** Log lines `msg` naming `id`, as soon as `done` says they are all there. */
    logged: (msg: string, id: string, done: (found: LogLine[]) => boolean) =>
      waitFor(() => {
        const found = logLines(stack).filter((l) => l.msg === msg && l.reqId === id);
        return done(found) ? found : undefined;
      }, `the ${msg} lines of ${id}`),
    async [Symbol.asyncDispose]() {
      for (const raw of raws) await raw.nc.close();
      await tap[Symbol.asyncDispose]();
      await stack[Symbol.asyncDispose]();
    },
  };
}

type TwoGateways = Awaited<ReturnType<typeof twoGateways>>;

/** Each gateway, the first (no `extra`) and the second (`extra: 1`), logged the line once at least. */
const fromBoth = (found: LogLine[]) => [undefined, 1].every((extra) => found.some((l) => l.extra === extra));

describe.each(["embedded", "mongodb"] as const)(
  "notices between gateways carry the request's id (%s store)",
  (store) => {
    let mongo: MongoForTests | undefined;
    let two: TwoGateways;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

    beforeAll(async () => {
      if (store === "mongodb") mongo = await mongoForTests();
      two = await twoGateways(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {});
    });
    afterAll(async () => {
      await two?.[Symbol.asyncDispose]();
      await mongo?.[Symbol.asyncDispose]();
    });

    /** The admin API's ways of revoking a login's sessions: each sends the revocation notice with its id. */
    const revocations: [how: string, revoke: (login: string, id: string) => Promise<Response>][] = [
      [
        "removal",
        (login, id) =>
          fetch(`${two.stack.url}/v1/admin/shops/${SHOP_ID}/agents/${login}`, {
            method: "DELETE",
            headers: { ...admin, [REQUEST_ID_HEADER]: id },
          }),
      ],
      [
        "password reset",
        (login, id) =>
          fetch(`${two.stack.url}/v1/admin/shops/${SHOP_ID}/agents/${login}/password`, {
            method: "PUT",
            headers: { ...admin, [REQUEST_ID_HEADER]: id },
            body: JSON.stringify({ password: "another long password" }),
          }),
      ],
      [
        "re-add with another password",
        (login, id) =>
          fetch(`${two.stack.url}/v1/admin/shops/${SHOP_ID}/agents`, {
            method: "POST",
            headers: { ...admin, [REQUEST_ID_HEADER]: id },
            body: JSON.stringify({ login, password: "another long password", displayName: login }),
          }),
      ],
    ];
    it.each(revocations)("the admin API's %s: the revocation notice, logged by both gateways", async (how, revoke) => {
      const tag = how.split(" ")[0];
      const login = `gw-${tag}-${store}@shop.test`;
      const principal = await two.teamLogin(login);
      const id = `gw-revoke-${tag}-${store}`;
      expect((await revoke(login, id)).status).toBe(200);
      const [notice] = await two.carried(REVOKE_SUBJECT, id);
      expect(JSON.parse(notice?.data ?? "{}")).toMatchObject({ principal });
      const lines = await two.logged("connection revocation", id, fromBoth);
      for (const line of lines) expect(line).toMatchObject({ principal });
    });

    it("team.remove over NATS RPC: the revocation notice, logged by both gateways", async () => {
      const boss = await two.raw(two.boss);
      const login = `gw-team-remove-${store}@shop.test`;
      const principal = await two.teamLogin(login);
      const id = `gw-team-remove-${store}`;
      await boss("team.remove", { login }, id);
      await two.carried(REVOKE_SUBJECT, id);
      const lines = await two.logged("connection revocation", id, fromBoth);
      for (const line of lines) expect(line).toMatchObject({ principal });
    });

    it("profile.update of a team member online: the rename notice, logged by both gateways", async () => {
      const login = `gw-rename-${store}@shop.test`;
      const principal = await two.teamLogin(login);
      const client: ParleyClient = two.stack.client({
        auth: { kind: "agent", shopId: SHOP_ID, login, password: PASSWORD },
      });
      await client.connect();
      try {
        // Online on both gateways (each watcher saw the connection): a rename changes what both show.
        await waitFor(() => two.gateways.every((gw) => gw.connections.count(principal) > 0), "the member online");
        const call = await two.raw(principal);
        const id = `gw-rename-${store}`;
        await call("profile.update", { displayName: `Renamed again ${store}` }, id);
        const [notice] = await two.carried(PRESENCE_NAME_SUBJECT, id);
        expect(JSON.parse(notice?.data ?? "{}")).toEqual({
          principalId: principal,
          displayName: `Renamed again ${store}`,
        });
        const lines = await two.logged("presence rename", id, fromBoth);
        for (const line of lines) expect(line).toMatchObject({ principalId: principal, online: true });
      } finally {
        await client.close();
      }
    });
  },
);

describe("heartbeat presence: events and notes carry the request's id", () => {
  // Presence kept by heartbeats lives in memory and on NATS only: one store is enough.
  let two: TwoGateways;
  beforeAll(async () => {
    two = await twoGateways({ heartbeatPresence: { ttlMs: 60_000 } });
  });
  afterAll(async () => {
    await two?.[Symbol.asyncDispose]();
  });

  /** A heartbeat that brings a member online, and the leave that takes it offline. */
  const beats: [op: "presence.ping" | "presence.leave", note: Record<string, unknown>][] = [
    ["presence.ping", { t: "up", conn: "c1" }],
    ["presence.leave", { t: "down", conn: "c1", why: "leave" }],
  ];

  it("a team member's heartbeat and leave", async () => {
    const principal = await two.teamLogin("beat@shop.test");
    const call = await two.raw(principal);
    for (const [op, note] of beats) {
      const id = `beat-${op}`;
      await call(op, { conn: "c1" }, id);
      // The team hears of the change with the request's id.
      const [event] = await two.carried(subjects.team(SHOP_ID), id);
      expect(JSON.parse(event?.data ?? "{}"), op).toMatchObject({ type: "presence" });
      // The other gateways are told with it, and the one that did not serve the request logs it.
      const [sent] = await two.carried(PRESENCE_SUBJECT, id);
      expect(JSON.parse(sent?.data ?? "{}"), op).toMatchObject({ ...note, principalId: principal });
      const [line] = await two.logged("presence note", id, (found) => found.length > 0);
      expect(line, op).toMatchObject({ note: note.t, principalId: principal, conn: "c1" });
    }
  });
});
