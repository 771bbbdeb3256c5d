import { memoryStorage } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, AGENT_LOGIN, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";

describe("sessions for agents and guests, and the admin API", () => {
  let stack: TestStack;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("logs an agent in with the right password and refuses a wrong one or an unknown login alike", async () => {
    const agent = stack.agent();
    const me = await agent.connect();
    expect(me).toMatchObject({ kind: "agent", shopId: SHOP_ID, handle: "ada" });
    await agent.close();
    for (const body of [
      { shopId: SHOP_ID, login: AGENT_LOGIN, password: "wrong password" },
      { shopId: SHOP_ID, login: "nobody@shop.test", password: "wrong password" },
    ]) {
      const res = await post("/v1/agent/session", body);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toEqual({
        code: "unauthorized",
        message: "wrong login or password",
        requestId: res.headers.get("x-request-id"),
      });
    }
  });

  it("lets an agent see every conversation of its shop but not open one", async () => {
    const customer = stack.customer("cust-agent-view");
    const agent = stack.agent();
    await customer.connect();
    await agent.connect();
    const conv = await customer.openConversation();
    expect((await agent.listConversations()).map((c) => c.id)).toContain(conv.id);
    await expect(agent.openConversation()).rejects.toMatchObject({ code: "forbidden" });
    await Promise.all([customer.close(), agent.close()]);
  });

  it("resumes a guest's identity from the refresh token kept in storage", async () => {
    const storage = memoryStorage();
    const first = stack.client({ auth: { kind: "guest", shopId: SHOP_ID, displayName: "Visitor" }, storage });
    const id = (await first.connect()).id;
    const conv = await first.openConversation();
    await first.send(conv.id, "remember me");
    await first.close();
    const again = stack.client({ auth: { kind: "guest", shopId: SHOP_ID }, storage });
    expect((await again.connect()).id).toBe(id);
    expect((await again.loadConversation(conv.id)).messages.map((m) => m.body)).toEqual([
      { type: "text", text: "remember me" },
    ]);
    const stranger = stack.client({ auth: { kind: "guest", shopId: SHOP_ID }, storage: memoryStorage() });
    expect((await stranger.connect()).id).not.toBe(id);
    await Promise.all([again.close(), stranger.close()]);
  });

  it("refuses a refresh token that was tampered with", async () => {
    const guest = await (await post("/v1/session", { shopId: SHOP_ID, guest: true })).json();
    const [h, p, s] = guest.refreshToken.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "a_someone_else" })).toString("base64url")}.${s}`;
    const res = await post("/v1/session/refresh", { refreshToken: forged });
    expect(res.status).toBe(401);
    const ok = await post("/v1/session/refresh", { refreshToken: guest.refreshToken });
    expect(ok.status).toBe(200);
    expect((await ok.json()).principal.id).toBe(guest.principal.id);
    // An API token is not a refresh token.
    expect((await post("/v1/session/refresh", { refreshToken: guest.apiToken })).status).toBe(401);
  });

  it("rate-limits handle lookups so handles cannot be enumerated", async () => {
    const prober = stack.customer("cust-prober");
    await prober.connect();
    const conv = await prober.openConversation();
    const codes: string[] = [];
    for (let i = 0; i < 25; i++) {
      codes.push(
        await prober.invite(conv.id, `@guess_${i}`).then(
          () => "ok",
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(codes.slice(0, 20).every((c) => c === "unknown_handle")).toBe(true);
    expect(codes.slice(20).every((c) => c === "rate_limited")).toBe(true);
    await prober.close();
  });

  it("registers shops and agents through the admin API only with the admin token", async () => {
    const shop = {
      name: "Second Shop",
      tokenKey: { alg: "HS256", secret: "second-shop-secret-0123456789abcdefgh" },
      allowedOrigins: ["https://second.example"],
      allowGuests: false,
    };
    const put = (token: string) =>
      fetch(`${stack.url}/v1/admin/shops/shop_two`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(shop),
      });
    expect((await put("wrong-admin-token-000000000")).status).toBe(401);
    expect(await stack.gateway.store.getShop("shop_two")).toBeUndefined();
    const ok = await put(ADMIN_TOKEN);
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).not.toContain(shop.tokenKey.secret);
    const agent = await post(
      "/v1/admin/shops/shop_two/agents",
      { login: "bo@second.example", password: "long enough pw", displayName: "Bo" },
      { authorization: `Bearer ${ADMIN_TOKEN}` },
    );
    expect(agent.status).toBe(200);
    const login = await post("/v1/agent/session", {
      shopId: "shop_two",
      login: "bo@second.example",
      password: "long enough pw",
    });
    expect(login.status).toBe(200);
    const badOrigin = await fetch(`${stack.url}/v1/admin/shops/shop_three`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ ...shop, allowedOrigins: ["https://x.example/path"] }),
    });
    expect(badOrigin.status).toBe(400);
  });
});
