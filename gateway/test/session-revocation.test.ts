/**
 * The revocation hook (`GatewayOptions.onRevoked`): called after logout, an
 * agent's password change and its removal (admin API and an admin agent's
 * `team.remove`), with the principal and the reason; the place where the lead
 * wires disconnecting live NATS connections. And the admin agent's own view
 * of the team.
 */
import { memoryStorage, type ParleyClient, ParleyError } from "@parley/sdk";
import type { RpcResults, SessionResponse } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "./attack/kit.js";
import { ADMIN_TOKEN, AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

describe("session revocation hook and team admin", () => {
  let stack: TestStack;
  const revoked: Array<[string, string]> = [];

  beforeAll(async () => {
    stack = await startStack({
      onRevoked: async (principalId, reason) => {
        revoked.push([principalId, reason]);
      },
    });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  const addAgent = (login: string, password = "a long password 1") =>
    stack.gateway.admin.addAgent(SHOP_ID, { login, password, displayName: login, role: "agent", kind: "agent" });
  const login = async (who: string, password = "a long password 1") => {
    const res = await postJson(stack, "/v1/agent/session", { shopId: SHOP_ID, login: who, password });
    expect(res.status).toBe(200);
    return res.body as SessionResponse;
  };
  const rpc = async (session: SessionResponse, op: string, body: unknown) => {
    const res = await fetch(`${stack.url}/v1/rpc/${op}`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { result?: unknown; error?: { code: string } } };
  };

  it("calls the hook on logout, password change (re-add and PUT) and removal, not on a same-password re-add", async () => {
    const { principal } = await addAgent("hook@shop.test");
    const session = await login("hook@shop.test");
    expect((await postJson(stack, "/v1/session/logout", { refreshToken: session.refreshToken })).status).toBe(200);
    await addAgent("hook@shop.test"); // same password: nothing ends
    await addAgent("hook@shop.test", "another password 2");
    const put = await fetch(`${stack.url}/v1/admin/shops/${SHOP_ID}/agents/hook%40shop.test/password`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ password: "a third password 3" }),
    });
    expect(put.status).toBe(200);
    await stack.gateway.admin.removeAgent(SHOP_ID, "hook@shop.test");
    expect(revoked.filter(([p]) => p === principal.id).map(([, why]) => why)).toEqual([
      "logout",
      "password_changed",
      "password_changed",
      "removed",
    ]);
  });

  it("an admin agent lists the team and removes a member over RPC; not itself", async () => {
    const { principal } = await addAgent("leo@shop.test");
    const leo = await login("leo@shop.test");
    const ada = await login(AGENT_LOGIN, AGENT_PASSWORD);
    const listed = await rpc(ada, "team.members", {});
    const members = (listed.body.result as RpcResults["team.members"]).members;
    expect(members.map((m) => [m.login, m.role])).toEqual(
      expect.arrayContaining([
        [AGENT_LOGIN, "admin"],
        ["leo@shop.test", "agent"],
      ]),
    );
    expect((await rpc(ada, "team.remove", { login: AGENT_LOGIN })).body.error?.code).toBe("bad_request");
    expect((await rpc(ada, "team.remove", { login: "leo@shop.test" })).status).toBe(200);
    expect(revoked).toContainEqual([principal.id, "removed"]);
    expect((await rpc(leo, "conv.list", {})).status).toBe(401);
    expect((await rpc(ada, "team.remove", { login: "leo@shop.test" })).body.error?.code).toBe("not_found");
    const after = (await rpc(ada, "team.members", {})).body.result as RpcResults["team.members"];
    expect(after.members.map((m) => m.login)).not.toContain("leo@shop.test");
  });

  it("an open SDK client of a removed or re-passworded login closes with unauthorized at once, forgetting its session", async () => {
    // NATS JWTs live 600 s here: only the gateway's `session` event can end these clients this soon.
    const ended = async (login: string, revoke: () => Promise<unknown>) => {
      await addAgent(login);
      const storage = memoryStorage();
      const client: ParleyClient = stack.client({
        auth: { kind: "agent", shopId: SHOP_ID, login, password: "a long password 1" },
        storage,
      });
      try {
        await client.connect();
        const key = `parley:session:${SHOP_ID}:agent:${login}`;
        expect(await storage.get(key)).toBeTruthy();
        await revoke();
        await waitFor(() => client.status.value.state === "closed", `${login}'s client to close`, 10_000);
        const status = client.status.value;
        const error = status.state === "closed" ? status.error : undefined;
        expect(error).toBeInstanceOf(ParleyError);
        expect((error as ParleyError).code).toBe("unauthorized");
        expect(await storage.get(key)).toBeUndefined();
      } finally {
        await client.close();
      }
    };
    await ended("gone@shop.test", () => stack.gateway.admin.removeAgent(SHOP_ID, "gone@shop.test"));
    await ended("moved@shop.test", () => addAgent("moved@shop.test", "a changed password 2"));
  });
});
