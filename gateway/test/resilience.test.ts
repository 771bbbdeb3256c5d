/**
 * Faults mid-stream: a nats-server restart and a gateway restart while two
 * clients exchange messages. Counted by msgId: 0 lost, 0 duplicated, and the
 * store holds seq 1..N without gaps.
 */
import type { ChatMessage, ParleyClient } from "@parley/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

interface Tally {
  events: string[];
}

function tally(client: ParleyClient, convId: string): Tally {
  const t: Tally = { events: [] };
  client.on("message", ({ conversationId, message }) => {
    if (conversationId === convId) t.events.push(message.msgId);
  });
  return t;
}

function lostAndDuplicated(sent: readonly string[], received: readonly string[]) {
  const got = new Set(received);
  return {
    lost: sent.filter((id) => !got.has(id)).length,
    duplicated: received.length - got.size,
  };
}

/** Both clients send `perSide` messages concurrently; `fault` runs once `faultAfter` acks have come back. */
async function exchange(
  stack: TestStack,
  perSide: number,
  faultAfter: number,
  fault: () => Promise<void>,
): Promise<{ customer: ParleyClient; agent: ParleyClient; convId: string; sent: string[]; tallies: Tally[] }> {
  const customer = stack.customer("cust-resilience");
  const agent = stack.agent();
  await customer.connect();
  await agent.connect();
  const convId = (await customer.openConversation()).id;
  await agent.loadConversation(convId);
  const tallies = [tally(customer, convId), tally(agent, convId)];

  let acked = 0;
  let faultDone: Promise<void> | undefined;
  const sendAll = (client: ParleyClient, who: string) =>
    Promise.all(
      Array.from({ length: perSide }, (_, i) =>
        client.send(convId, `${who} ${i}`).then((m: ChatMessage) => {
          acked++;
          if (acked === faultAfter) faultDone = fault();
          return m.msgId;
        }),
      ),
    );
  const [a, b] = await Promise.all([sendAll(customer, "customer"), sendAll(agent, "agent")]);
  await faultDone;
  return { customer, agent, convId, sent: [...a, ...b], tallies };
}

describe("faults while two clients exchange messages", () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.[Symbol.asyncDispose]();
    stack = undefined;
  });

  it("loses and duplicates nothing across a nats-server restart (1,000 messages)", async (ctx) => {
    const row = asAttack(ctx, {
      area: "faults",
      attack: "kill -9 nats-server mid-stream (1,000 messages)",
      expected: "0 lost, 0 duplicated",
    });
    stack = await startStack();
    const s = stack;
    let restarts = 0;
    const run = await exchange(s, 500, 300, async () => {
      await s.nats.restart();
      restarts++;
    });
    expect(restarts).toBe(1);
    const total = run.sent.length;
    expect(total).toBe(1000);
    for (const t of run.tallies)
      await waitFor(() => new Set(t.events).size >= total, "every message delivered", 30_000);

    const stored = await s.gateway.store.since(run.convId, 0, 2000);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(stored.map((m) => m.msgId))).toEqual(new Set(run.sent));
    for (const t of run.tallies) expect(lostAndDuplicated(run.sent, t.events)).toEqual({ lost: 0, duplicated: 0 });
    for (const client of [run.customer, run.agent]) {
      const state = client.conversation(run.convId).value;
      expect(state.lastSeq).toBe(total);
      expect(state.messages.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(state.pending).toEqual([]);
    }
    await Promise.all([run.customer.close(), run.agent.close()]);
    row.observed(
      `${total} sent, ${run.tallies.map((t) => total - new Set(t.events).size).join("/")} lost, ${run.tallies.map((t) => t.events.length - new Set(t.events).size).join("/")} duplicated (customer/agent)`,
    );
  });

  it("loses and duplicates nothing across a gateway restart (400 messages)", async (ctx) => {
    const row = asAttack(ctx, {
      area: "faults",
      attack: "gateway restart mid-stream (400 messages)",
      expected: "0 lost, 0 duplicated",
    });
    stack = await startStack();
    const s = stack;
    const run = await exchange(s, 200, 150, () => s.restartGateway());
    const total = run.sent.length;
    for (const t of run.tallies)
      await waitFor(() => new Set(t.events).size >= total, "every message delivered", 30_000);
    const stored = await s.gateway.store.since(run.convId, 0, 1000);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(stored.map((m) => m.msgId))).toEqual(new Set(run.sent));
    for (const t of run.tallies) expect(lostAndDuplicated(run.sent, t.events)).toEqual({ lost: 0, duplicated: 0 });
    await Promise.all([run.customer.close(), run.agent.close()]);
    row.observed(
      `${total} sent, ${run.tallies.map((t) => total - new Set(t.events).size).join("/")} lost, ${run.tallies.map((t) => t.events.length - new Set(t.events).size).join("/")} duplicated`,
    );
  });

  it("stores and delivers a resent msgId once, with the first seq", async (ctx) => {
    const row = asAttack(ctx, {
      area: "send",
      attack: "same msgId sent twice",
      expected: "stored and delivered once, first seq",
    });
    stack = await startStack();
    const customer = stack.customer("cust-idem");
    const agent = stack.agent();
    await customer.connect();
    await agent.connect();
    const convId = (await customer.openConversation()).id;
    await agent.loadConversation(convId);
    const agentTally = tally(agent, convId);
    const first = await customer.send(convId, "once");
    const [stored] = await stack.gateway.store.since(convId, 0, 10);
    if (!stored) throw new Error("not stored");
    const again = await customer.request("msg.send", { convId, envelope: stored.envelope });
    expect(again).toMatchObject({ seq: first.seq, duplicate: true });
    const third = await customer.send(convId, "next");
    expect(third.seq).toBe(first.seq + 1);
    await waitFor(() => agentTally.events.includes(third.msgId), "agent gets the next message");
    expect(agentTally.events).toEqual([first.msgId, third.msgId]);
    expect((await stack.gateway.store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual([first.msgId, third.msgId]);
    await Promise.all([customer.close(), agent.close()]);
    row.observed(`${agentTally.events.length} deliveries for 2 msgIds, duplicate answered seq ${first.seq}`);
  });

  it("keeps an offline client's messages in its outbox and sends them once after reconnecting", async () => {
    stack = await startStack();
    const s = stack;
    const customer = s.customer("cust-offline");
    await customer.connect();
    const convId = (await customer.openConversation()).id;
    await s.nats.stop();
    const pending = [customer.send(convId, "offline 1"), customer.send(convId, "offline 2")];
    await waitFor(() => customer.conversation(convId).value.pending.length === 2, "two pending");
    await s.nats.restart();
    const sent = await Promise.all(pending);
    expect(sent.map((m) => m.seq)).toEqual([1, 2]);
    expect((await s.gateway.store.since(convId, 0, 10)).map((m) => m.seq)).toEqual([1, 2]);
    expect(customer.conversation(convId).value.pending).toEqual([]);
    await customer.close();
  });
});
