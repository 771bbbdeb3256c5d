/**
 * Refresh-token rotation as legitimate clients meet it: two tabs refreshing
 * with the same token at the same moment (the grace window), the previous
 * token after the window (reuse), two SDK tabs of one guest sharing storage
 * across several rotations, and `signOut()` ending the session at the gateway.
 */
import { type ClientEvents, memoryStorage, type ParleyClient } from "@parley/sdk";
import type { SessionResponse } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "./attack/kit.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

describe("refresh-token rotation", () => {
  let stack: TestStack;
  let clockOffset = 0;

  beforeAll(async () => {
    // JWTs live 4 s: SDK clients refresh every 3.2 s, longer than the 2 s grace window, so a tab
    // refreshing with its own stale copy instead of the newest saved token would be caught as reuse.
    stack = await startStack({
      jwtTtl: 4,
      sessionNow: () => Date.now() + clockOffset,
      env: { PARLEY_REFRESH_GRACE: "2" },
    });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  const guest = async (): Promise<SessionResponse> => {
    const res = await postJson(stack, "/v1/session", { shopId: SHOP_ID, guest: true });
    expect(res.status).toBe(200);
    return res.body as SessionResponse;
  };
  const refresh = (refreshToken: string) => postJson(stack, "/v1/session/refresh", { refreshToken });

  it("answers two refreshes with the same token at once, and the family goes on", async () => {
    const first = await guest();
    const [a, b] = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [ta, tb] = [a.body as SessionResponse, b.body as SessionResponse];
    expect(ta.principal.id).toBe(first.principal.id);
    // Either tab's token continues the chain once.
    const next = await refresh(ta.refreshToken);
    expect(next.status).toBe(200);
    // The other twin is now one generation behind, inside the grace window: still answered.
    expect((await refresh(tb.refreshToken)).status).toBe(200);
  });

  it("treats the previous token after the grace window as reuse and revokes the family", async () => {
    const first = await guest();
    const second = (await refresh(first.refreshToken)).body as SessionResponse;
    try {
      clockOffset = 5000; // past the 2 s window
      const late = await refresh(first.refreshToken);
      expect(late.status).toBe(401);
      expect((await refresh(second.refreshToken)).status).toBe(401);
    } finally {
      clockOffset = 0;
    }
  });

  it("keeps two tabs of one guest (shared storage) connected across several rotations", async () => {
    const storage = memoryStorage();
    const errors: string[] = [];
    const tabs: ParleyClient[] = [];
    for (let i = 0; i < 2; i++) {
      const tab = stack.client({ auth: { kind: "guest", shopId: SHOP_ID }, storage });
      tab.on("error", (e: ClientEvents["error"]) => errors.push(e.message));
      tabs.push(tab);
    }
    await (tabs[0] as ParleyClient).connect();
    await (tabs[1] as ParleyClient).connect();
    const [a, b] = tabs as [ParleyClient, ParleyClient];
    expect(b.principal.id).toBe(a.principal.id);
    const convId = (await a.openConversation()).id;
    // Several 4 s expiries: each tab refreshes on its own timer from the newest saved token.
    await new Promise((r) => setTimeout(r, 8000));
    await waitFor(() => a.status.value.state === "connected" && b.status.value.state === "connected", "both up");
    await a.send(convId, "still here");
    expect(errors).toEqual([]);
    await Promise.all(tabs.map((t) => t.close()));
  }, 20_000);

  it("a client whose agent is removed stops at once: closed with unauthorized, no retry loop", async () => {
    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: "gone@shop.test",
      password: "a long password 1",
      displayName: "Gone",
      role: "agent",
      kind: "agent",
    });
    const client = stack.client({
      auth: { kind: "agent", shopId: SHOP_ID, login: "gone@shop.test", password: "a long password 1" },
      storage: memoryStorage(),
    });
    const errors: string[] = [];
    client.on("error", (e: ClientEvents["error"]) => errors.push((e as { code?: string }).code ?? e.message));
    await client.connect();
    await stack.gateway.admin.removeAgent(SHOP_ID, "gone@shop.test");
    await waitFor(() => client.status.value.state === "closed", "the client to stop", 10_000);
    const status = client.status.value;
    expect(status.state === "closed" && (status.error as { code?: string } | undefined)?.code).toBe("unauthorized");
    // One failure (the gateway's session event, or a refresh that met the removal), not one every 2 s.
    // The removal also closed the client's NATS connection, which it may report as connection_lost.
    await new Promise((r) => setTimeout(r, 2500));
    expect(errors.filter((e) => e === "unauthorized")).toEqual(["unauthorized"]);
    expect(errors.filter((e) => e !== "unauthorized" && e !== "connection_lost")).toEqual([]);
    await client.close();
  });

  it("signOut() ends the session at the gateway: the saved refresh token no longer works", async () => {
    const storage = memoryStorage();
    const agent = stack.agent({ storage });
    await agent.connect();
    const saved = await storage.get(`parley:session:${SHOP_ID}:agent:ada@shop.test`);
    expect(saved).toBeTruthy();
    await agent.signOut();
    expect(await storage.get(`parley:session:${SHOP_ID}:agent:ada@shop.test`)).toBeUndefined();
    const after = await refresh(saved as string);
    expect(after.status).toBe(401);
  });
});
