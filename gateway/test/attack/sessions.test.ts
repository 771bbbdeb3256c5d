/**
 * Attack rows for sessions (issue 17 items 7 and 10): stolen or reused refresh
 * tokens, logout, an agent's password change and removal, the absolute session
 * lifetime, and password guessing against agent logins from one IP and across
 * two gateways on one store. Everything over HTTP, as an attacker holding a
 * token would. Each row uses its own client IP (X-Forwarded-For through a
 * trusted loopback proxy) and its own agent login, so the rows' limits stay apart.
 */
import type { SessionResponse } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { createGateway, type Gateway } from "../../src/gateway.js";
import { createLogger } from "../../src/logger.js";
import { attack } from "../harness/attack.js";
import { installDualTransport } from "../harness/dual-transport.js";
import { ADMIN_TOKEN, SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { waitFor } from "../helpers.js";
import { postJson, rawNats } from "./kit.js";

const DAY_MS = 86_400_000;
const PASSWORD = "long enough password 1";

let stack: TestStack;
let second: Gateway;
/** Added to the gateways' session clock: moves sessions past their absolute lifetime. */
let clockOffset = 0;

beforeAll(async () => {
  stack = await startStack({ sessionNow: () => Date.now() + clockOffset, env: { PARLEY_TRUST_PROXY: "loopback" } });
  // A second gateway on the same store (the same data directory) and NATS, with the same clock.
  second = await createGateway({
    config: { ...stack.config, port: 0 },
    natsAccount: { accountPub: stack.nats.auth.appAccountPub, signingSeed: stack.nats.auth.appSigningSeed },
    logger: createLogger("silent"),
    sessionNow: () => Date.now() + clockOffset,
  });
  await second.start();
  installDualTransport();
});
afterAll(async () => {
  await second?.stop().catch(() => undefined);
  await stack?.[Symbol.asyncDispose]();
});

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: number | undefined;
  session: SessionResponse | undefined;
}

function answer(res: { status: number; body: unknown }): Answer {
  const error = (res.body as { error?: { code?: string; retryAfter?: number } }).error;
  return {
    status: res.status,
    code: error?.code,
    retryAfter: error?.retryAfter,
    session: res.status === 200 ? (res.body as SessionResponse) : undefined,
  };
}

const from = (ip: string) => ({ "x-forwarded-for": ip });

async function admin(method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${stack.url}/v1/admin/shops/${SHOP_ID}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.text();
  return res.status;
}

const addAgent = (login: string, password = PASSWORD) =>
  admin("POST", "/agents", { login, password, displayName: login, role: "agent" });

const login = async (ip: string, who: string, password = PASSWORD, url = stack.url) =>
  answer(
    await postJson({ url } as TestStack, "/v1/agent/session", { shopId: SHOP_ID, login: who, password }, from(ip)),
  );

const refresh = async (ip: string, refreshToken: string) =>
  answer(await postJson(stack, "/v1/session/refresh", { refreshToken }, from(ip)));

/** One HTTP RPC with the session's API token: the HTTP status. */
async function rpcStatus(session: SessionResponse): Promise<number> {
  const res = await fetch(`${stack.url}/v1/rpc/conv.list`, {
    method: "POST",
    headers: { authorization: `Bearer ${session.apiToken}`, "content-type": "application/json" },
    body: "{}",
  });
  await res.text();
  return res.status;
}

async function signedIn(ip: string, who: string): Promise<SessionResponse> {
  expect(await addAgent(who)).toBe(200);
  const first = await login(ip, who);
  if (!first.session) throw new Error(`sign-in refused: ${first.status} ${first.code}`);
  return first.session;
}

attack(
  {
    area: "sessions",
    attack: "stolen refresh token used after the owner refreshed twice",
    expected: "reuse answers unauthorized and revokes the family: the owner's newest token fails too",
  },
  async (row) => {
    const ip = "198.51.100.11";
    const t1 = await signedIn(ip, "reuse@shop.test");
    const t2 = await refresh(ip, t1.refreshToken);
    const t3 = await refresh(ip, t2.session?.refreshToken ?? "");
    const reused = await refresh(ip, t1.refreshToken);
    const newest = await refresh(ip, t3.session?.refreshToken ?? "");
    row.observed(
      `rotations: ${t2.status}, ${t3.status}; reused token: ${reused.status} ${reused.code}; newest after reuse: ${newest.status} ${newest.code}`,
    );
    expect([t2.status, t3.status]).toEqual([200, 200]);
    expect(reused.code).toBe("unauthorized");
    expect(newest.code).toBe("unauthorized");
  },
);

attack(
  {
    area: "sessions",
    attack: "refresh token and API token used after logout",
    expected: "logout 200; refresh unauthorized, HTTP RPC with the API token 401",
  },
  async (row) => {
    const ip = "198.51.100.12";
    const first = await signedIn(ip, "logout@shop.test");
    const next = await refresh(ip, first.refreshToken);
    const session = next.session as SessionResponse;
    const out = await postJson(stack, "/v1/session/logout", { refreshToken: session.refreshToken }, from(ip));
    const after = await refresh(ip, session.refreshToken);
    const api = await rpcStatus(session);
    row.observed(`logout ${out.status}; refresh after: ${after.status} ${after.code}; API token: ${api}`);
    expect(out.status).toBe(200);
    expect(after.code).toBe("unauthorized");
    expect(api).toBe(401);
  },
);

attack(
  {
    area: "sessions",
    attack: "old refresh token after an admin reset the agent's password",
    expected: "refresh unauthorized (re-added with a new password, or PUT …/password), old password refused",
  },
  async (row) => {
    const ip = "198.51.100.13";
    const who = "reset@shop.test";
    const before = await signedIn(ip, who);
    // The reported path: the admin re-adds the agent with a new password.
    expect(await addAgent(who, "a brand new password 2")).toBe(200);
    const afterReAdd = await refresh(ip, before.refreshToken);
    // The dedicated route.
    const again = (await login(ip, who, "a brand new password 2")).session as SessionResponse;
    const put = await admin("PUT", `/agents/${encodeURIComponent(who)}/password`, { password: "a third password 3" });
    const afterPut = await refresh(ip, again.refreshToken);
    const oldPassword = await login(ip, who, "a brand new password 2");
    row.observed(
      `re-add: refresh ${afterReAdd.status} ${afterReAdd.code}; PUT password ${put}: refresh ${afterPut.status} ${afterPut.code}; old password ${oldPassword.status}`,
    );
    expect(afterReAdd.code).toBe("unauthorized");
    expect(put).toBe(200);
    expect(afterPut.code).toBe("unauthorized");
    expect(oldPassword.code).toBe("unauthorized");
  },
);

attack(
  {
    area: "sessions",
    attack: "removed agent keeps using its refresh token, API token and password",
    expected:
      "DELETE 200; refresh unauthorized, HTTP RPC 401, sign-in unauthorized; its live NATS connection closed at once and kept out",
  },
  async (row) => {
    const ip = "198.51.100.14";
    const who = "removed@shop.test";
    const session = await signedIn(ip, who);
    const live = await rawNats(stack, session);
    const principal = session.principal.id;
    const drops: string[] = [];
    (async () => {
      for await (const s of live.nc.status()) if (s.type === "disconnect") drops.push(s.type);
    })().catch(() => undefined);
    await waitFor(() => stack.gateway.connections.count(principal) === 1, "the watcher to see the agent's connection");
    const removed = await admin("DELETE", `/agents/${encodeURIComponent(who)}`);
    await waitFor(() => drops.length > 0, "the removed agent's live connection to be closed", 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // its client reconnects at once with the same JWT
    await waitFor(() => stack.gateway.connections.count(principal) === 0, "no connection of the removed agent");
    const after = await refresh(ip, session.refreshToken);
    const api = await rpcStatus(session);
    const again = await login(ip, who);
    const twice = await admin("DELETE", `/agents/${encodeURIComponent(who)}`);
    await live.close();
    row.observed(
      `DELETE ${removed} (again: ${twice}); refresh ${after.status} ${after.code}; API token ${api}; sign-in ${again.status} ${again.code}; live NATS connection closed (${drops.length} disconnect(s)), 0 connections of the agent 1.5 s later`,
    );
    expect(removed).toBe(200);
    expect(twice).toBe(404);
    expect(after.code).toBe("unauthorized");
    expect(api).toBe(401);
    expect(again.code).toBe("unauthorized");
  },
);

attack(
  {
    area: "sessions",
    attack: "refresh token kept refreshing past the absolute session lifetime (30 days)",
    expected: "refresh on day 29 works, on day 31 unauthorized",
  },
  async (row) => {
    const ip = "198.51.100.15";
    const first = await signedIn(ip, "lifetime@shop.test");
    try {
      clockOffset = 29 * DAY_MS;
      const day29 = await refresh(ip, first.refreshToken);
      clockOffset = 31 * DAY_MS;
      const day31 = await refresh(ip, day29.session?.refreshToken ?? "");
      row.observed(`day 29: ${day29.status}; day 31: ${day31.status} ${day31.code}`);
      expect(day29.status).toBe(200);
      expect(day31.code).toBe("unauthorized");
    } finally {
      clockOffset = 0;
    }
  },
);

attack(
  {
    area: "sessions",
    attack: "password guessing: 12 wrong passwords for one agent, then the right one",
    expected: "5 answered unauthorized, the rest rate_limited with retryAfter; the right password also rate_limited",
  },
  async (row) => {
    const ip = "198.51.100.16";
    const who = "guessed@shop.test";
    expect(await addAgent(who)).toBe(200);
    const answers: Answer[] = [];
    for (let i = 0; i < 12; i++) answers.push(await login(ip, who, `wrong guess ${i}`));
    const right = await login(ip, who);
    const unauthorized = answers.filter((a) => a.code === "unauthorized").length;
    const limited = answers.filter((a) => a.code === "rate_limited");
    row.observed(
      `${unauthorized} unauthorized, ${limited.length} rate_limited (retryAfter ${limited[0]?.retryAfter ?? "-"} s); right password: ${right.status} ${right.code ?? ""}`,
    );
    expect(unauthorized).toBe(5);
    expect(limited.length).toBe(7);
    expect(limited.every((a) => (a.retryAfter ?? 0) >= 1)).toBe(true);
    expect(right.code).toBe("rate_limited");
  },
);

attack(
  {
    area: "sessions",
    attack: "password guessing from one IP across 25 agent logins",
    expected: "20 answered unauthorized, the rest rate_limited (per-IP budget)",
  },
  async (row) => {
    const ip = "198.51.100.17";
    const answers: Answer[] = [];
    for (let i = 0; i < 25; i++) answers.push(await login(ip, `nobody-${i}@shop.test`, "wrong password"));
    const unauthorized = answers.filter((a) => a.code === "unauthorized").length;
    const limited = answers.filter((a) => a.code === "rate_limited").length;
    row.observed(`${unauthorized} unauthorized, ${limited} rate_limited of 25`);
    expect(unauthorized).toBe(20);
    expect(limited).toBe(5);
  },
);

attack(
  {
    area: "sessions",
    attack: "password guessing for one agent alternating two gateways on one store, from 12 IPs",
    expected: "the login's budget is shared: 5 unauthorized, 7 rate_limited",
  },
  async (row) => {
    const who = "twogateways@shop.test";
    expect(await addAgent(who)).toBe(200);
    const answers: Answer[] = [];
    for (let i = 0; i < 12; i++) {
      const url = i % 2 === 0 ? stack.url : second.url;
      answers.push(await login(`203.0.113.${i + 1}`, who, `wrong guess ${i}`, url));
    }
    const unauthorized = answers.filter((a) => a.code === "unauthorized").length;
    const limited = answers.filter((a) => a.code === "rate_limited").length;
    row.observed(`${unauthorized} unauthorized, ${limited} rate_limited of 12 (two gateways, 12 IPs)`);
    expect(unauthorized).toBe(5);
    expect(limited).toBe(7);
  },
);

attack(
  {
    area: "sessions",
    attack: "a non-admin agent calls team.remove and team.members over HTTP RPC",
    expected: "forbidden both; the target keeps its login",
  },
  async (row) => {
    const ip = "198.51.100.18";
    const plain = await signedIn(ip, "plain@shop.test");
    const target = await signedIn(ip, "target@shop.test");
    const call = async (op: string, body: unknown) => {
      const res = await fetch(`${stack.url}/v1/rpc/${op}`, {
        method: "POST",
        headers: { authorization: `Bearer ${plain.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return answer({ status: res.status, body: await res.json() });
    };
    const removed = await call("team.remove", { login: "target@shop.test" });
    const listed = await call("team.members", {});
    const still = await refresh(ip, target.refreshToken);
    row.observed(
      `team.remove ${removed.status} ${removed.code}; team.members ${listed.status} ${listed.code}; target refresh ${still.status}`,
    );
    expect(removed.code).toBe("forbidden");
    expect(listed.code).toBe("forbidden");
    expect(still.status).toBe(200);
  },
);
