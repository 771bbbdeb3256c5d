/**
 * Triage against a real gateway and nats-server: assignment, close and reopen,
 * a bot's handover, who may do each, and the `conversation` events members and
 * the team receive.
 */
import type { ParleyClient } from "@parley/sdk";
import type { ConversationInfo } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { codeOf, waitFor } from "./helpers.js";

const BOT = { login: "triage-bot", password: "bot password of some length" };

let stack: TestStack;
let agent: ParleyClient;
let bot: ParleyClient;
const clients: ParleyClient[] = [];

function track<T extends ParleyClient>(client: T): T {
  clients.push(client);
  return client;
}

beforeAll(async () => {
  stack = await startStack();
  await stack.gateway.admin.addAgent(SHOP_ID, {
    ...BOT,
    displayName: "Triage Bot",
    role: "agent",
    kind: "bot",
    handle: "triagebot",
  });
  agent = track(stack.agent());
  await agent.connect();
  bot = track(stack.client({ auth: { kind: "bot", shopId: SHOP_ID, ...BOT } }));
  await bot.connect();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

/** Every `conversation` event a client receives, per conversation. */
function conversationEvents(client: ParleyClient): Map<string, ConversationInfo[]> {
  const seen = new Map<string, ConversationInfo[]>();
  client.on("conversation", (info) => seen.set(info.id, [...(seen.get(info.id) ?? []), info]));
  return seen;
}

describe("triage", () => {
  it("assigns, closes and reopens; the customer and the team hear each change", async () => {
    const customer = track(stack.customer("cust-triage-1"));
    await customer.connect();
    const customerSaw = conversationEvents(customer);
    const teamSaw = conversationEvents(bot);
    const conv = await customer.openConversation();

    const assigned = await agent.assign(conv.id, agent.principal.id);
    expect(assigned.assignee).toBe(agent.principal.id);
    await waitFor(() => customerSaw.get(conv.id)?.some((c) => c.assignee === agent.principal.id), "customer event");
    await waitFor(() => teamSaw.get(conv.id)?.some((c) => c.assignee === agent.principal.id), "team event");

    const closed = await agent.closeConversation(conv.id);
    expect(closed.status).toBe("closed");
    expect((await agent.listConversations()).find((c) => c.id === conv.id)?.status).toBe("closed");

    const reopened = await agent.reopenConversation(conv.id);
    expect(reopened.status).toBe("open");
    expect(reopened.assignee).toBe(agent.principal.id);

    const unassigned = await agent.assign(conv.id, null);
    expect(unassigned).not.toHaveProperty("assignee");
  });

  it("reopens a closed conversation when the customer writes, not when the team does", async () => {
    const customer = track(stack.customer("cust-triage-2"));
    await customer.connect();
    const conv = await customer.openConversation();
    await agent.closeConversation(conv.id);
    await agent.send(conv.id, "closing this, write again any time");
    expect((await customer.members(conv.id)).length).toBeGreaterThan(0);
    const afterTeam = await agent.request("conv.get", { convId: conv.id });
    expect(afterTeam.conversation.status).toBe("closed");

    await customer.send(conv.id, "one more question");
    const afterCustomer = await agent.request("conv.get", { convId: conv.id });
    expect(afterCustomer.conversation.status).toBe("open");
  });

  it("keeps bots out after a handover", async () => {
    const customer = track(stack.customer("cust-triage-3"));
    await customer.connect();
    const conv = await customer.openConversation();
    await bot.assign(conv.id, bot.principal.id);
    const handed = await bot.handover(conv.id);
    expect(handed.handover).toBe(true);
    expect(handed).not.toHaveProperty("assignee");
    expect(handed.status).toBe("open");
    expect(await codeOf(agent.assign(conv.id, bot.principal.id))).toBe("conflict");
    // A human may take it.
    expect((await agent.assign(conv.id, agent.principal.id)).assignee).toBe(agent.principal.id);
  });

  it("lets only the shop's team triage, and says nothing to strangers", async () => {
    const owner = track(stack.customer("cust-triage-4"));
    await owner.connect();
    const stranger = track(stack.customer("cust-triage-5"));
    await stranger.connect();
    const conv = await owner.openConversation();
    expect(await codeOf(owner.assign(conv.id, owner.principal.id))).toBe("forbidden");
    expect(await codeOf(owner.closeConversation(conv.id))).toBe("forbidden");
    expect(await codeOf(stranger.closeConversation(conv.id))).toBe("not_found");
    expect(await codeOf(stranger.handover(conv.id))).toBe("not_found");
    // Assigning to a customer is refused; so is an unknown conversation.
    expect(await codeOf(agent.assign(conv.id, owner.principal.id))).toBe("bad_request");
    expect(await codeOf(agent.closeConversation("cv_doesnotexist"))).toBe("not_found");
    const after = await agent.request("conv.get", { convId: conv.id });
    expect(after.conversation.status).toBe("open");
    expect(after.conversation).not.toHaveProperty("assignee");
  });

  it("shows the shop's own customer id to the team, and to no one else", async () => {
    const owner = track(stack.customer("cust-triage-6"));
    await owner.connect();
    const conv = await owner.openConversation();
    const teamView = await agent.request("conv.get", { convId: conv.id });
    expect(teamView.conversation.ownerName).toBe("cust-triage-6");
    expect((await agent.listConversations()).find((c) => c.id === conv.id)?.ownerName).toBe("cust-triage-6");
    expect(teamView.members.find((m) => m.principalId === owner.principal.id)?.externalId).toBe("cust-triage-6");
    const ownView = await owner.request("conv.get", { convId: conv.id });
    expect(ownView.members.every((m) => m.externalId === undefined)).toBe(true);
  });
});
