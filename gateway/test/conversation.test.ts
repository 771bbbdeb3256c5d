import type { InviteInfo } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { collectTexts, waitFor } from "./helpers.js";

describe("a customer and an agent talking through the gateway", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("delivers a customer's message to the shop's agent and the reply back, in order, once each", async () => {
    const customer = stack.customer("cust-1");
    const agent = stack.agent();
    const toAgent = collectTexts(agent);
    const toCustomer = collectTexts(customer);
    await customer.connect();
    await agent.connect();
    expect(customer.principal.kind).toBe("customer");
    expect(agent.principal.kind).toBe("agent");

    const conv = await customer.openConversation();
    const sent = await customer.send(conv.id, "Hi, where is my order?");
    expect(sent.seq).toBe(1);
    await waitFor(() => toAgent.get(conv.id)?.length === 1, "agent to receive");
    expect(toAgent.get(conv.id)).toEqual(["Hi, where is my order?"]);

    await agent.loadConversation(conv.id);
    const reply = await agent.send(conv.id, "It ships today.");
    expect(reply.seq).toBe(2);
    await waitFor(() => toCustomer.get(conv.id)?.includes("It ships today."), "customer to receive");
    expect(toCustomer.get(conv.id)).toEqual(["Hi, where is my order?", "It ships today."]);
    expect(customer.conversation(conv.id).value.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(customer.conversation(conv.id).value.pending).toEqual([]);
    await Promise.all([customer.close(), agent.close()]);
  });

  it("pages history newest-first and a new client loads it in order", async () => {
    const customer = stack.customer("cust-history");
    await customer.connect();
    const conv = await customer.openConversation();
    for (let i = 1; i <= 120; i++) await customer.send(conv.id, `m${i}`);
    const reader = stack.customer("cust-history");
    await reader.connect();
    const state = await reader.loadConversation(conv.id);
    expect(state.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(state.hasOlder).toBe(true);
    while (await reader.loadOlder(conv.id)) {}
    const all = reader.conversation(conv.id).value.messages;
    expect(all.map((m) => (m.body?.type === "text" ? m.body.text : ""))).toEqual(
      Array.from({ length: 120 }, (_, i) => `m${i + 1}`),
    );
    await Promise.all([customer.close(), reader.close()]);
  });

  it("lets a customer invite a friend by @handle, who joins only after accepting", async () => {
    const owner = stack.customer("cust-owner");
    const friend = stack.customer("cust-friend");
    await owner.connect();
    await friend.connect();
    await friend.updateProfile({ handle: "friend_1" });
    const invites: InviteInfo[] = [];
    friend.on("invite", (invite) => invites.push(invite));
    const friendTexts = collectTexts(friend);

    const conv = await owner.openConversation();
    await owner.send(conv.id, "before the invite");
    const invite = await owner.invite(conv.id, "@Friend_1");
    expect(invite.status).toBe("pending");
    await waitFor(() => invites.length === 1, "invite event");
    expect(invites[0]?.id).toBe(invite.id);

    // Not a member yet: no access to the conversation.
    await expect(friend.request("msg.history", { convId: conv.id })).rejects.toMatchObject({ code: "not_found" });
    await owner.send(conv.id, "while pending");
    expect(friendTexts.get(conv.id)).toBeUndefined();

    const joinedEvents: string[] = [];
    owner.on("membership", (e) => joinedEvents.push(`${e.change}:${e.principalId}`));
    await friend.acceptInvite(invite.id);
    await waitFor(() => joinedEvents.includes(`joined:${friend.principal.id}`), "owner sees the join");
    await owner.send(conv.id, "welcome");
    await waitFor(() => friendTexts.get(conv.id)?.includes("welcome"), "friend receives after joining");
    expect((await friend.members(conv.id)).map((m) => m.principalId).sort()).toEqual(
      [owner.principal.id, friend.principal.id].sort(),
    );
    await expect(friend.acceptInvite(invite.id)).rejects.toMatchObject({ code: "conflict" });
    await Promise.all([owner.close(), friend.close()]);
  });

  it("answers an unknown handle with unknown_handle and never matches by prefix", async () => {
    const owner = stack.customer("cust-lookup");
    const other = stack.customer("cust-lookup-2");
    await owner.connect();
    await other.connect();
    await other.updateProfile({ handle: "zebra_crossing" });
    const conv = await owner.openConversation();
    await expect(owner.invite(conv.id, "@zebra")).rejects.toMatchObject({ code: "unknown_handle" });
    await expect(owner.invite(conv.id, "@zebra_crossin")).rejects.toMatchObject({ code: "unknown_handle" });
    await expect(owner.invite(conv.id, "@ze*")).rejects.toMatchObject({ code: "handle_invalid" });
    await expect(owner.invite(conv.id, "@zebra_crossing")).resolves.toMatchObject({ invitee: other.principal.id });
    await Promise.all([owner.close(), other.close()]);
  });

  it("keeps handles unique", async () => {
    const a = stack.customer("cust-handle-a");
    const b = stack.customer("cust-handle-b");
    await a.connect();
    await b.connect();
    await a.updateProfile({ handle: "unique_one" });
    await expect(b.updateProfile({ handle: "unique_one" })).rejects.toMatchObject({ code: "handle_taken" });
    await Promise.all([a.close(), b.close()]);
  });

  it("stops delivering to a member who leaves, and a removed member can neither read nor send", async (ctx) => {
    const row = asAttack(ctx, {
      area: "members",
      attack: "removed member reads and sends",
      expected: "not_found, 0 later messages delivered",
    });
    const owner = stack.customer("cust-remove-owner");
    const guest = stack.customer("cust-remove-guest");
    await owner.connect();
    await guest.connect();
    await guest.updateProfile({ handle: "removable" });
    const conv = await owner.openConversation();
    const invite = await owner.invite(conv.id, "removable");
    await guest.acceptInvite(invite.id);
    const guestTexts = collectTexts(guest);
    await owner.send(conv.id, "one");
    await waitFor(() => guestTexts.get(conv.id)?.length === 1, "guest gets one");

    await owner.removeMember(conv.id, guest.principal.id);
    await owner.send(conv.id, "two (after removal)");
    await expect(guest.request("msg.since", { convId: conv.id, after: 0 })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(guest.send(conv.id, "let me in")).rejects.toMatchObject({ code: "not_found" });
    // The owner's later message was published; give it the same chance to arrive as "one" had.
    await owner.send(conv.id, "three");
    const ownerState = await owner.loadConversation(conv.id);
    expect(ownerState.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(guestTexts.get(conv.id)).toEqual(["one"]);
    await Promise.all([owner.close(), guest.close()]);
    row.observed(`read and send not_found, ${(guestTexts.get(conv.id)?.length ?? 0) - 1} later messages delivered`);
  });

  it("does not let a customer see another customer's conversation", async (ctx) => {
    const row = asAttack(ctx, {
      area: "members",
      attack: "customer reads another customer's conversation",
      expected: "not_found, not listed",
    });
    const a = stack.customer("cust-private-a");
    const b = stack.customer("cust-private-b");
    await a.connect();
    await b.connect();
    const conv = await a.openConversation();
    await a.send(conv.id, "private");
    await expect(b.request("conv.get", { convId: conv.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(b.request("msg.history", { convId: conv.id })).rejects.toMatchObject({ code: "not_found" });
    expect((await b.listConversations()).map((c) => c.id)).not.toContain(conv.id);
    await Promise.all([a.close(), b.close()]);
    row.observed("conv.get and msg.history not_found, not listed");
  });
});
