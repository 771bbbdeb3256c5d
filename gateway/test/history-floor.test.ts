/**
 * The history floor through a real gateway, nats-server and embedded store:
 * a member invited with `none`, `7d` or `all` is served, by `msg.history` and
 * `msg.since` alike and page by page, exactly the stored messages the choice
 * allows (by the gateway's stored time); the owner and the shop's team are not
 * floored. The gateway's clock is moved forward (`now`) to age the messages.
 */
import type { InviteHistory, ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";

const DAY = 24 * 60 * 60 * 1000;
let offset = 0;
let stack: TestStack;
const clients: ParleyClient[] = [];

beforeAll(async () => {
  stack = await startStack({ now: () => Date.now() + offset });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

async function customer(handle: string): Promise<ParleyClient> {
  const client = stack.customer(`hf-${handle}`);
  clients.push(client);
  await client.connect();
  await client.updateProfile({ handle });
  return client;
}

/** Every seq `client` is served, newest first through msg.history and oldest first through msg.since, one per page. */
async function served(client: ParleyClient, convId: string): Promise<{ back: number[]; forward: number[] }> {
  const back: number[] = [];
  for (let before: number | undefined, hasMore = true; hasMore; ) {
    const page = await client.request("msg.history", { convId, limit: 1, ...(before ? { before } : {}) });
    back.push(...page.messages.map((m) => m.seq));
    hasMore = page.hasMore;
    before = page.messages.at(-1)?.seq;
    if (back.length > 50) throw new Error("msg.history did not end");
  }
  const forward: number[] = [];
  for (let after = 0, hasMore = true; hasMore; ) {
    const page = await client.request("msg.since", { convId, after, limit: 1 });
    forward.push(...page.messages.map((m) => m.seq));
    hasMore = page.hasMore;
    after = page.messages.at(-1)?.seq ?? after;
    if (forward.length > 50) throw new Error("msg.since did not end");
  }
  return { back, forward };
}

describe("history floor", () => {
  it("serves members invited with none, 7d and all exactly the messages their choice allows", async () => {
    const mia = await customer("hf_mia");
    const invited = new Map<InviteHistory, ParleyClient>([
      ["none", await customer("hf_ben")],
      ["7d", await customer("hf_cara")],
      ["all", await customer("hf_dan")],
    ]);
    const agent = stack.agent();
    clients.push(agent);
    await agent.connect();
    const conv = await mia.openConversation();
    const seqOf = new Map<string, number>();
    const say = async (text: string) => seqOf.set(text, (await mia.send(conv.id, text)).seq);

    await say("ancient");
    offset += 2 * DAY;
    await say("nine days old");
    offset += 6 * DAY;
    await say("three days old");
    offset += 3 * DAY;
    await say("just before");
    offset += 1000;
    for (const [history, client] of invited) {
      const invite = await mia.invite(conv.id, `@${client.principal.handle}`, { history });
      expect(invite.history).toBe(history);
      await client.acceptInvite(invite.id);
    }
    const agentInvite = await mia.invite(conv.id, "@ada", { history: "none" });
    await agent.acceptInvite(agentInvite.id);
    offset += 1000;
    await say("after joining");
    offset += 1000;
    await say("later still");

    const seqs = (...texts: string[]) => texts.map((t) => seqOf.get(t) as number);
    const expected: Record<InviteHistory, number[]> = {
      none: seqs("after joining", "later still"),
      "7d": seqs("three days old", "just before", "after joining", "later still"),
      all: seqs("ancient", "nine days old", "three days old", "just before", "after joining", "later still"),
    };
    for (const [history, client] of invited) {
      const { back, forward } = await served(client, conv.id);
      expect({ history, forward }).toEqual({ history, forward: expected[history] });
      expect({ history, back }).toEqual({ history, back: [...expected[history]].reverse() });
    }
    // The owner and the shop's team (even one that joined by an invite offering none) read everything.
    for (const client of [mia, agent]) expect((await served(client, conv.id)).forward).toEqual(expected.all);

    // The members list tells the floor (joinedAt is when the invite was accepted).
    const members = await mia.members(conv.id);
    const floorOf = (client: ParleyClient) => {
      const m = members.find((x) => x.principalId === client.principal.id);
      return m && (m.historyFrom === undefined ? undefined : m.historyFrom - m.joinedAt);
    };
    expect(floorOf(invited.get("none") as ParleyClient)).toBe(0);
    expect(floorOf(invited.get("7d") as ParleyClient)).toBe(-7 * DAY);
    expect(floorOf(invited.get("all") as ParleyClient)).toBeUndefined();
    expect(floorOf(agent)).toBeUndefined();
    expect(floorOf(mia)).toBeUndefined();

    // Whatever the invite offered, only what was said after joining counts as unread: the rest is
    // history to read, not news. The SDK's loader ends on the floor too.
    for (const client of invited.values()) {
      const listed = (await client.request("conv.list", {})).conversations.find((c) => c.id === conv.id);
      expect(listed?.unread).toBe(2);
    }
    const ben = invited.get("none") as ParleyClient;
    const state = await ben.loadConversation(conv.id);
    expect(state.messages.map((m) => (m.body?.type === "text" ? m.body.text : m.seq))).toEqual([
      "after joining",
      "later still",
    ]);
    expect(state.hasOlder).toBe(false);
  });
});
