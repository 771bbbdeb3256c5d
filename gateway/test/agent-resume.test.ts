/**
 * Agents staying signed in, against a real gateway and nats-server: a session
 * saved in storage resumes without the password, `signOut` forgets it; and an
 * agent device that could not read messages before its team key arrived reads
 * them once an admin device wraps the key to it, without reconnecting.
 */
import { memoryStorage, type ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { codeOf, waitFor } from "./helpers.js";

let stack: TestStack;
const clients: ParleyClient[] = [];
/** The admin agent's one device: it makes the shop's team key, so it must keep it across the tests. */
const adminStorage = memoryStorage();

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

function track<T extends ParleyClient>(client: T): T {
  clients.push(client);
  return client;
}

describe("agent sessions", () => {
  it("resume from storage without the password, until signOut", async () => {
    const storage = memoryStorage();
    const first = track(
      stack.client({ auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN, password: AGENT_PASSWORD }, storage }),
    );
    const me = await first.connect();
    await first.close();

    const resumed = track(stack.client({ auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN }, storage }));
    expect((await resumed.connect()).id).toBe(me.id);
    expect((await resumed.listConversations()).length).toBeGreaterThanOrEqual(0);
    await resumed.signOut();

    const afterSignOut = track(stack.client({ auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN }, storage }));
    expect(await codeOf(afterSignOut.connect())).toBe("unauthorized");
    const stranger = track(
      stack.client({ auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN }, storage: memoryStorage() }),
    );
    expect(await codeOf(stranger.connect())).toBe("unauthorized");
  });

  it("exposes this device's id, the one its messages are signed with", async () => {
    const agent = track(stack.agent({ encryption: true, storage: adminStorage }));
    await agent.connect();
    const { devices } = await agent.request("device.list", { principalIds: [agent.principal.id] });
    expect(devices.map((d) => d.deviceId)).toContain(agent.deviceId);
    await agent.close();
  });
});

describe("a team device whose key arrives late", () => {
  it("opens what it could not read once an admin device wraps the team key to it", async () => {
    // The admin's device holds the team key, then goes away (its keys stay in its storage).
    const admin = track(stack.agent({ encryption: true, storage: adminStorage }));
    await admin.connect();
    await admin.close();

    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: "late@shop.test",
      password: "a password of some length",
      displayName: "Late",
      role: "agent",
      kind: "agent",
    });
    const late = track(
      stack.client({
        auth: { kind: "agent", shopId: SHOP_ID, login: "late@shop.test", password: "a password of some length" },
        encryption: true,
      }),
    );
    await late.connect();

    const customer = track(stack.customer("late-key-customer", { encryption: true }));
    await customer.connect();
    const conv = await customer.openConversation();
    await customer.send(conv.id, "can anyone read this?");

    await late.loadConversation(conv.id);
    const unread = await waitFor(
      () => late.conversation(conv.id).value.messages.find((m) => m.seq === 1),
      "the message to reach the late device",
    );
    expect(unread.body).toBeUndefined();

    // The admin's device comes back and wraps the team key to the waiting device.
    const back = track(stack.agent({ encryption: true, storage: adminStorage }));
    await back.connect();
    const opened = await waitFor(() => {
      const m = late.conversation(conv.id).value.messages.find((x) => x.seq === 1);
      return m?.body?.type === "text" ? m.body.text : undefined;
    }, "the late device to read the message");
    expect(opened).toBe("can anyone read this?");
  });
});
