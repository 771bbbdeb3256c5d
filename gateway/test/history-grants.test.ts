/**
 * History grants through a real gateway and nats-server, end to end encrypted:
 * a customer's invitee offered no history (the default) is not even served the
 * messages from before they joined (the gateway's history floor, ADR 0024);
 * after a member sets the policy to `full`, the inviter hands the earlier keys
 * to an invitee offered `all` and the invitee reads that history marked
 * "shared by" the inviter; the shop's team may hand history over whatever the
 * policy; and the grant itself is unreadable to everyone else, the gateway
 * included.
 */
import { type ChatMessage, type InviteHistory, memoryStorage, type ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

let stack: TestStack;
const clients: ParleyClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  // The admin agent's device makes the shop's team key, which every conversation's epochs are sealed to.
  const agent = track(stack.agent({ encryption: true }));
  await agent.connect();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

function track<T extends ParleyClient>(client: T): T {
  clients.push(client);
  return client;
}

const textOf = (m: ChatMessage | undefined) => (m?.body?.type === "text" ? m.body.text : undefined);

async function customer(id: string, handle: string): Promise<ParleyClient> {
  const client = track(stack.customer(id, { encryption: true, storage: memoryStorage() }));
  await client.connect();
  await client.updateProfile({ handle });
  return client;
}

/** `inviter` invites `invitee` by handle offering `history`, the invitee accepts, and the inviter's add commit lands. */
async function inviteAndJoin(
  inviter: ParleyClient,
  invitee: ParleyClient,
  convId: string,
  { handle, history = "none" }: { handle: string; history?: InviteHistory },
) {
  const invited = new Promise<string>((resolve) => invitee.on("invite", (i) => resolve(i.id)));
  await inviter.invite(convId, `@${handle}`, { history });
  await invitee.acceptInvite(await invited);
  await waitFor(async () => {
    const { commits } = await inviter.request("epoch.list", { convId, after: 0 });
    return commits.some((c) => c.reason === "add" && c.members.some((m) => m.principalId === invitee.principal.id));
  }, "the inviter's add commit");
}

/** Waits until `client` has loaded messages 1..count of the conversation and their bodies settled. */
async function loadAll(client: ParleyClient, convId: string, count: number, until: (m: ChatMessage[]) => boolean) {
  await client.loadConversation(convId);
  return waitFor(() => {
    const messages = client.conversation(convId).value.messages as ChatMessage[];
    return messages.length >= count && until(messages) ? messages : undefined;
  }, `${count} messages in ${convId}`);
}

describe("history grants", () => {
  it("gives a customer's invitee no history under the default policy", async () => {
    const mia = await customer("hg-mia-1", "hg_mia_1");
    const ben = await customer("hg-ben-1", "hg_ben_1");
    const conv = await mia.openConversation();
    await mia.send(conv.id, "old one");
    await mia.send(conv.id, "old two");
    await inviteAndJoin(mia, ben, conv.id, { handle: "hg_ben_1" });
    await mia.send(conv.id, "new one");

    const seen = await loadAll(ben, conv.id, 1, (ms) => ms.some((m) => textOf(m) === "new one"));
    // The two earlier messages are not served to Ben at all (the history floor), not just unreadable.
    expect(seen.map((m) => [m.seq, textOf(m)])).toEqual([[3, "new one"]]);
    expect(seen.every((m) => m.sharedBy === undefined)).toBe(true);
    // No grant went out: every stored body is an ordinary message.
    const bodies = (mia.conversation(conv.id).value.messages as ChatMessage[]).map((m) => m.body?.type);
    expect(bodies).not.toContain("history-grant");
  });

  it("hands the history over once a member sets the policy to full, marked as shared by the inviter", async () => {
    const mia = await customer("hg-mia-2", "hg_mia_2");
    const ben = await customer("hg-ben-2", "hg_ben_2");
    const eve = await customer("hg-eve-2", "hg_eve_2");
    const conv = await mia.openConversation();
    await mia.send(conv.id, "before the policy");
    await mia.setHistoryPolicy(conv.id, "full");
    await mia.send(conv.id, "after the policy");
    await inviteAndJoin(mia, ben, conv.id, { handle: "hg_ben_2", history: "all" });
    await mia.send(conv.id, "after Ben joined");

    const seen = await loadAll(
      ben,
      conv.id,
      3,
      (ms) => ms.filter((m) => m.body?.type === "text").length >= 3 && ms.some((m) => m.body?.type === "history-grant"),
    );
    const texts = seen.filter((m) => m.body?.type === "text");
    expect(texts.map(textOf)).toEqual(["before the policy", "after the policy", "after Ben joined"]);
    expect(texts.map((m) => m.sharedBy)).toEqual([mia.principal.id, mia.principal.id, undefined]);
    const grant = seen.find((m) => m.body?.type === "history-grant");
    expect(grant?.sender).toBe(mia.principal.id);

    // Eve joins later through Ben, who holds the history only by grant and may pass it on under `full`.
    await inviteAndJoin(ben, eve, conv.id, { handle: "hg_eve_2", history: "all" });
    const eveSeen = await loadAll(eve, conv.id, 3, (ms) => ms.filter((m) => m.body?.type === "text").length >= 3);
    expect(eveSeen.filter((m) => m.body?.type === "text").map((m) => m.sharedBy)).toEqual([
      ben.principal.id,
      ben.principal.id,
      ben.principal.id,
    ]);
  });

  it("lets the shop's team hand history over whatever the policy", async () => {
    const agent = track(stack.agent({ encryption: true }));
    await agent.connect();
    const mia = await customer("hg-mia-3", "hg_mia_3");
    const ben = await customer("hg-ben-3", "hg_ben_3");
    const conv = await mia.openConversation();
    await mia.send(conv.id, "my parcel is lost");
    // The agent reads the conversation (opening the team's wraps), then brings in Ben, Mia's flatmate.
    await loadAll(agent, conv.id, 1, (ms) => textOf(ms[0]) === "my parcel is lost");
    await inviteAndJoin(agent, ben, conv.id, { handle: "hg_ben_3", history: "all" });

    const seen = await loadAll(ben, conv.id, 1, (ms) => ms.some((m) => textOf(m) === "my parcel is lost"));
    expect(seen.find((m) => textOf(m) === "my parcel is lost")?.sharedBy).toBe(agent.principal.id);
  });

  it("keeps the grant from everyone but the invitee, and refuses one the policy does not allow", async () => {
    const mia = await customer("hg-mia-4", "hg_mia_4");
    const ben = await customer("hg-ben-4", "hg_ben_4");
    const conv = await mia.openConversation();
    await mia.send(conv.id, "private history");
    await mia.setHistoryPolicy(conv.id, "full");
    await inviteAndJoin(mia, ben, conv.id, { handle: "hg_ben_4", history: "all" });
    await loadAll(ben, conv.id, 1, (ms) => ms.some((m) => m.sharedBy === mia.principal.id));

    // The gateway stores the grant like any message: an envelope it cannot read.
    const stored = await stack.gateway.store.since(conv.id, 0, 100);
    expect(stored.every((m) => m.envelope.alg !== "none")).toBe(true);
    expect(JSON.stringify(stored)).not.toContain("private history");
    expect(JSON.stringify(stored)).not.toContain("history-grant");

    // Mia sets the policy back to none; a grant Ben now tries to give a newcomer is not made.
    await mia.setHistoryPolicy(conv.id, "none");
    const zoe = await customer("hg-zoe-4", "hg_zoe_4");
    await inviteAndJoin(ben, zoe, conv.id, { handle: "hg_zoe_4", history: "all" });
    await ben.send(conv.id, "welcome Zoe");
    const zoeSeen = await loadAll(zoe, conv.id, 1, (ms) => ms.some((m) => textOf(m) === "welcome Zoe"));
    expect(zoeSeen.find((m) => textOf(m) === "private history")).toBeUndefined();
    expect(zoeSeen.some((m) => m.sharedBy !== undefined)).toBe(false);
  });
});
