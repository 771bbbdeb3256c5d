/**
 * The OpenAPI document against a real gateway on a real port (real NATS, the
 * embedded store): the routes its Express app registers are exactly the
 * documented ones, both ways; it serves the document it was built with, with
 * no secret in it; and real requests and answers (sign-ins, RPC over HTTP, the
 * admin API, files, health, the widget's config, error bodies) conform to the
 * documented schemas, checked with ajv.
 */
import { httpRoutes, openApiDocument } from "@parley/gateway";
import { isRpcOp, RPC_OPS, type SessionResponse } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenApiConformance } from "./harness/openapi-conformance.js";
import { ADMIN_TOKEN, AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";

const doc = openApiDocument();
const conformance = new OpenApiConformance(doc);

interface Call {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The documented path (`/v1/admin/shops/{shopId}`). */
  docPath: string;
  /** The path requested; @default docPath */
  path?: string;
  body?: unknown;
  /** A raw body instead of JSON. */
  raw?: { type: string; data: Blob | string };
  bearer?: string;
  status: number;
}

describe("the OpenAPI document against a real gateway", () => {
  let stack: TestStack;

  /** Sends a request; checks its JSON body against the documented request and the answer against the documented one. */
  const call = async (c: Call): Promise<{ body: unknown; res: Response }> => {
    const headers: Record<string, string> = {};
    if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
    let payload: string | Blob | undefined;
    if (c.raw) {
      headers["content-type"] = c.raw.type;
      payload = c.raw.data;
    } else if (c.body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(c.body);
    }
    const res = await fetch(`${stack.url}${c.path ?? c.docPath}`, { method: c.method, headers, body: payload });
    const text = await res.text();
    expect(res.status, `${c.method} ${c.path ?? c.docPath}: ${text.slice(0, 300)}`).toBe(c.status);
    const json = res.headers.get("content-type")?.startsWith("application/json");
    const body: unknown = json ? JSON.parse(text) : text;
    if (json) {
      expect(conformance.answerProblems(c.method, c.docPath, c.status, body), `${c.method} ${c.docPath}`).toEqual([]);
    }
    return { body, res };
  };

  /** Also checks that the JSON body sent is a documented one (a valid request must conform, not only its answer). */
  const valid = async <T = Record<string, unknown>>(c: Call): Promise<T> => {
    if (c.body !== undefined) expect(conformance.requestProblems(c.method, c.docPath, c.body)).toEqual([]);
    return (await call(c)).body as T;
  };
  const session = (c: Call) => valid<SessionResponse>(c);

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("documents exactly the routes the gateway's Express app registers, both ways", () => {
    const served = new Set(stack.gateway.httpRoutes().map((r) => `${r.method} ${r.path}`));
    const documented = new Set(httpRoutes.map((r) => `${r.method.toUpperCase()} ${r.servedBy ?? r.path}`));
    expect(
      [...served].filter((r) => !documented.has(r)),
      "served but not documented",
    ).toEqual([]);
    expect(
      [...documented].filter((r) => !served.has(r)),
      "documented but not served",
    ).toEqual([]);
    // The walk reaches mounted routers (files, admin, widget) and the RPC route.
    for (const route of ["POST /v1/rpc/:op", "GET /v1/files/:id", "DELETE /v1/admin/shops/:shopId/agents/:login"]) {
      expect([...served]).toContain(route);
    }
    const rpcOps = httpRoutes.filter((r) => r.servedBy === "/v1/rpc/:op").map((r) => r.path.slice("/v1/rpc/".length));
    expect(rpcOps.every(isRpcOp)).toBe(true);
    expect(rpcOps.sort()).toEqual([...RPC_OPS].sort());
  });

  it("serves the document it was built with, without a secret of its configuration", async () => {
    const { body, res } = await call({ method: "GET", docPath: "/v1/openapi.json", status: 200 });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(body).toEqual(doc);
    const text = JSON.stringify(body);
    for (const secret of [ADMIN_TOKEN, stack.config.sessionSecret, AGENT_PASSWORD]) {
      expect(text.includes(secret)).toBe(false);
    }
  });

  it("answers sign-ins, refresh and logout as documented", async () => {
    const guest = await session({
      method: "POST",
      docPath: "/v1/session",
      body: { shopId: SHOP_ID, guest: true, displayName: "Visitor" },
      status: 200,
    });
    expect(guest.principal).toMatchObject({ kind: "guest", displayName: "Visitor" });
    // The check can fail: a field missing, one not documented, or a wrong type does not pass.
    const { apiToken: _token, ...withoutToken } = guest;
    for (const wrong of [withoutToken, { ...guest, extra: 1 }, { ...guest, refreshExpiresAt: "soon" }]) {
      expect(conformance.answerProblems("POST", "/v1/session", 200, wrong)).not.toEqual([]);
    }
    const device = { deviceId: "d_openapi", sigPk: "A".repeat(43), boxPk: "B".repeat(43) };
    const token = await stack.customerToken("cust-openapi", "Cleo");
    const customer = await session({
      method: "POST",
      docPath: "/v1/session",
      body: { shopId: SHOP_ID, token, device },
      status: 200,
    });
    const agent = await session({
      method: "POST",
      docPath: "/v1/agent/session",
      body: { shopId: SHOP_ID, login: AGENT_LOGIN, password: AGENT_PASSWORD },
      status: 200,
    });
    expect(agent.principal).toMatchObject({ kind: "agent", handle: "ada" });
    const next = await session({
      method: "POST",
      docPath: "/v1/session/refresh",
      body: { refreshToken: customer.refreshToken },
      status: 200,
    });
    await valid({
      method: "POST",
      docPath: "/v1/session/logout",
      body: { refreshToken: next.refreshToken },
      status: 200,
    });
    await valid({
      method: "POST",
      docPath: "/v1/session/refresh",
      body: { refreshToken: next.refreshToken },
      status: 401,
    });
  });

  it("answers RPC over HTTP with each op's documented result", async () => {
    const token = await stack.customerToken("cust-openapi-rpc", "Dora");
    const customer = await session({
      method: "POST",
      docPath: "/v1/session",
      body: { shopId: SHOP_ID, token },
      status: 200,
    });
    const agent = await session({
      method: "POST",
      docPath: "/v1/agent/session",
      body: { shopId: SHOP_ID, login: AGENT_LOGIN, password: AGENT_PASSWORD },
      status: 200,
    });
    const rpc = (bearer: string, op: string, body: unknown, status = 200) =>
      valid<{ result: { conversation: { id: string } } }>({
        method: "POST",
        docPath: `/v1/rpc/${op}`,
        body,
        bearer,
        status,
      });

    const convId = (await rpc(customer.apiToken, "conv.open", {})).result.conversation.id;
    for (const [op, body] of [
      ["conv.get", { convId }],
      ["conv.list", { limit: 10 }],
      ["msg.history", { convId }],
      ["member.history", { convId }],
      ["profile.get", {}],
      ["handle.check", { handle: "dora" }],
      ["profile.update", { handle: "dora", displayName: "Dora D." }],
      ["invite.list", {}],
      ["block.list", {}],
      ["keys.backup.list", { convId }],
      ["time.now", {}],
      ["call.ice", {}],
      ["signal.read", { convId, seq: 0 }],
    ] as const) {
      await rpc(customer.apiToken, op, body);
    }
    for (const [op, body] of [
      ["conv.list", {}],
      ["conv.assign", { convId, assignee: agent.principal.id }],
      ["conv.close", { convId }],
      ["team.members", {}],
      ["team.get", { shopId: SHOP_ID }],
      ["team.devices", {}],
      ["team.wrap.get", {}],
      ["presence.ping", { conn: "openapi" }],
      ["note.list", { convId }],
    ] as const) {
      await rpc(agent.apiToken, op, body);
    }
    // Stored messages as the gateway serves them: sent by an SDK client over NATS, read over HTTP.
    const sdk = stack.customer("cust-openapi-sdk");
    await sdk.connect();
    const withMessages = await sdk.openConversation();
    await sdk.send(withMessages.id, "hello");
    await sdk.send(withMessages.id, "again");
    await sdk.close();
    const history = await valid<{ result: { messages: Array<{ seq: number }> } }>({
      method: "POST",
      docPath: "/v1/rpc/msg.history",
      body: { convId: withMessages.id },
      bearer: agent.apiToken,
      status: 200,
    });
    expect(history.result.messages.map((m) => m.seq)).toEqual([2, 1]);
    await rpc(agent.apiToken, "msg.since", { convId: withMessages.id, after: 0 });
    // Errors of ops: an unknown conversation, a body with a key the op does not take, no token at all.
    await rpc(customer.apiToken, "conv.get", { convId: "cv_nope" }, 404);
    await call({
      method: "POST",
      docPath: "/v1/rpc/conv.get",
      body: { convId, $gt: 1 },
      bearer: customer.apiToken,
      status: 400,
    });
    await call({ method: "POST", docPath: "/v1/rpc/conv.list", body: {}, status: 401 });
    await call({ method: "POST", docPath: "/v1/rpc/team.members", body: {}, bearer: customer.apiToken, status: 403 });

    // Files: an upload into the conversation and its download.
    const upload = await call({
      method: "POST",
      docPath: "/v1/files",
      path: `/v1/files?convId=${convId}`,
      raw: { type: "application/octet-stream", data: new Blob([new Uint8Array([1, 2, 3, 4])]) },
      bearer: customer.apiToken,
      status: 201,
    });
    const fileId = (upload.body as { id: string }).id;
    const download = await call({
      method: "GET",
      docPath: "/v1/files/{id}",
      path: `/v1/files/${fileId}?convId=${convId}`,
      bearer: customer.apiToken,
      status: 200,
    });
    expect(download.res.headers.get("content-type")).toBe("application/octet-stream");
    expect(
      Object.keys(
        (conformance.operation("GET", "/v1/files/{id}").responses as Record<string, { content: object }>)["200"]
          ?.content ?? {},
      ),
    ).toEqual(["application/octet-stream"]);
    await call({
      method: "GET",
      docPath: "/v1/files/{id}",
      path: `/v1/files/fb_${"x".repeat(22)}?convId=${convId}`,
      bearer: customer.apiToken,
      status: 404,
    });
  });

  it("answers the admin API as documented, and its errors", async () => {
    const shopPath = "/v1/admin/shops/{shopId}";
    const shop = { name: "Open Shop", tokenKey: { alg: "HS256", secret: "o".repeat(32) }, allowedOrigins: [] };
    const put = await valid({
      method: "PUT",
      docPath: shopPath,
      path: "/v1/admin/shops/shop_openapi",
      body: shop,
      bearer: ADMIN_TOKEN,
      status: 200,
    });
    expect(put.shop).toMatchObject({ id: "shop_openapi", allowGuests: false });
    expect(JSON.stringify(put)).not.toContain("o".repeat(32));
    const agents = "/v1/admin/shops/{shopId}/agents";
    const added = await valid({
      method: "POST",
      docPath: agents,
      path: "/v1/admin/shops/shop_openapi/agents",
      body: { login: "bea", password: "0123456789ab", displayName: "Bea", kind: "bot" },
      bearer: ADMIN_TOKEN,
      status: 200,
    });
    expect(added.agent).toMatchObject({ login: "bea", role: "agent", principal: { kind: "bot" } });
    await valid({
      method: "PUT",
      docPath: `${agents}/{login}/password`,
      path: "/v1/admin/shops/shop_openapi/agents/bea/password",
      body: { password: "another-password" },
      bearer: ADMIN_TOKEN,
      status: 200,
    });
    const remove = {
      method: "DELETE",
      docPath: `${agents}/{login}`,
      path: "/v1/admin/shops/shop_openapi/agents/bea",
      bearer: ADMIN_TOKEN,
    } as const;
    await valid({ ...remove, status: 200 });
    await valid({ ...remove, status: 404 });
    await call({ ...remove, bearer: "not-the-admin-token-at-all", status: 401 });
    await call({
      method: "PUT",
      docPath: shopPath,
      path: "/v1/admin/shops/shop_openapi",
      body: { ...shop, extra: 1 },
      bearer: ADMIN_TOKEN,
      status: 400,
    });
    // The shop allows no guests: 403 guests_disabled, a documented code of POST /v1/session.
    const refused = await call({
      method: "POST",
      docPath: "/v1/session",
      body: { shopId: "shop_openapi", guest: true },
      status: 403,
    });
    expect(refused.body).toMatchObject({ error: { code: "guests_disabled" } });
  });

  it("answers bad requests with documented error bodies", async () => {
    const empty = await call({ method: "POST", docPath: "/v1/session", body: {}, status: 400 });
    expect(empty.body).toMatchObject({ error: { code: "bad_request" } });
    const notJson = await call({
      method: "POST",
      docPath: "/v1/session",
      raw: { type: "application/json", data: "{nope" },
      status: 400,
    });
    expect(notJson.body).toEqual({
      error: { code: "bad_request", message: "body is not JSON", requestId: expect.any(String) },
    });
    await call({
      method: "POST",
      docPath: "/v1/session",
      raw: { type: "application/json", data: JSON.stringify({ t: "x".repeat(200_000) }) },
      status: 413,
    });
    const invisible = await call({
      method: "POST",
      docPath: "/v1/session",
      body: { shopId: SHOP_ID, guest: true, displayName: "a\u200bb" },
      status: 400,
    });
    expect(invisible.body).toMatchObject({ error: { code: "display_name_invalid" } });
    await call({ method: "GET", docPath: "/widget/config/{shopId}", path: "/widget/config/no_such_shop", status: 404 });
  });

  it("answers health, readiness and the widget's config as documented", async () => {
    await call({ method: "GET", docPath: "/healthz", status: 200 });
    const ready = await call({ method: "GET", docPath: "/readyz", status: 200 });
    expect(ready.body).toEqual({ status: "ready", checks: { nats: true, store: true } });
    const config = await call({
      method: "GET",
      docPath: "/widget/config/{shopId}",
      path: `/widget/config/${SHOP_ID}`,
      status: 200,
    });
    expect(config.body).toMatchObject({ shopId: SHOP_ID, allowGuests: true });
  });
});
