/**
 * "From the shop" through the real stack (ADR 0028). End to end: the admin
 * agent's device holds the team key and vouches for what it sends, so the
 * customer reads the agent's text and order card as `fromTeam`, its own and
 * other customers' messages never; the agent reads its own messages as
 * `fromTeam` live and after a reload; the vouch travels only inside the
 * ciphertext (absent from the store, the logs and every NATS subject).
 * Plaintext conversations: `fromTeam` is the sender's id as the gateway says.
 */
import { type ChatMessage, memoryStorage, type ParleyClient } from "@parley/sdk";
import {
  createE2ECodec,
  DeviceDirectory,
  EpochKeyring,
  loadOrCreateDeviceIdentity,
  teamVouchShape,
} from "@parley/sdk/crypto";
import { fromBase64Url } from "@parley/sdk/internal";
import type { MessageBody } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { waitFor } from "./helpers.js";

const ORDER: MessageBody = {
  type: "card",
  card: {
    kind: "order",
    number: "PX-1001",
    status: "placed",
    items: [{ name: "Pho", quantity: 2, unitPrice: { minor: 1250, currency: "EUR" } }],
  },
};

/** Every message a client is given, per conversation, in arrival order. */
function received(client: ParleyClient): Map<string, ChatMessage[]> {
  const seen = new Map<string, ChatMessage[]>();
  client.on("message", ({ conversationId, message }) => {
    seen.set(conversationId, [...(seen.get(conversationId) ?? []), message]);
  });
  return seen;
}

let stack: TestStack;
let tap: Wiretap;
const clients: ParleyClient[] = [];
const track = (c: ParleyClient) => {
  clients.push(c);
  return c;
};

beforeAll(async () => {
  stack = await startStack();
  tap = await startWiretap(stack);
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await tap?.[Symbol.asyncDispose]();
  await stack?.[Symbol.asyncDispose]();
});

describe("fromTeam in end-to-end conversations", () => {
  it("marks the agent's vouched text and order card for the customer, never the customer's; the vouch stays in the ciphertext", async () => {
    const agentStorage = memoryStorage();
    const agent = track(stack.agent({ encryption: true, storage: agentStorage }));
    const toAgent = received(agent);
    const agentErrors: Error[] = [];
    agent.on("error", (e) => agentErrors.push(e));
    await agent.connect();

    const customerStorage = memoryStorage();
    const customer = track(stack.customer("vouch-reader", { encryption: true, storage: customerStorage }));
    const toCustomer = received(customer);
    const customerErrors: Error[] = [];
    customer.on("error", (e) => customerErrors.push(e));
    await customer.connect();
    const conv = await customer.openConversation();

    const question = await customer.send(conv.id, "where is PX-1001?");
    expect(question.fromTeam).toBeUndefined();
    await waitFor(() => toAgent.get(conv.id)?.length === 1, "the agent to read the customer's question");
    expect(toAgent.get(conv.id)?.[0]?.fromTeam).toBeUndefined();

    const answer = await agent.send(conv.id, "here it is");
    const card = await agent.send(conv.id, ORDER);
    // The agent's own messages, shown from the bodies they were sealed from.
    expect([answer.fromTeam, card.fromTeam]).toEqual([true, true]);

    await waitFor(() => (toCustomer.get(conv.id)?.length ?? 0) >= 3, "the customer to read the agent's messages");
    const seen = toCustomer.get(conv.id) ?? [];
    expect(seen.map((m) => [m.body, m.fromTeam])).toEqual([
      [{ type: "text", text: "where is PX-1001?" }, undefined],
      [{ type: "text", text: "here it is" }, true],
      [ORDER, true],
    ]);
    expect(seen.every((m) => !("vouch" in (m.body ?? {})))).toBe(true);

    // The agent's device reloads: its own messages, opened from the store this time, are still from the team.
    await agent.close();
    const reloaded = track(stack.agent({ encryption: true, storage: agentStorage }));
    await reloaded.connect();
    const state = await reloaded.loadConversation(conv.id);
    expect(state.messages.map((m) => [m.sender === reloaded.principal.id, m.fromTeam])).toEqual([
      [false, undefined],
      [true, true],
      [true, true],
    ]);

    // The vouches, read with the customer's keys, appear nowhere outside the ciphertext.
    const stored = await stack.gateway.store.since(conv.id, 0, 10);
    const identity = await loadOrCreateDeviceIdentity(customerStorage, `parley:device:${customer.principal.id}`);
    const directory = await DeviceDirectory.open({
      storage: customerStorage,
      storageKey: `parley:devices:${customer.principal.id}`,
    });
    const keyring = await EpochKeyring.open({
      storage: customerStorage,
      convId: conv.id,
      identity,
      directory,
      storageKeyPrefix: `parley:epochs:${customer.principal.id}:`,
    });
    const codec = createE2ECodec({
      identity,
      epochKeys: (_c, e) => keyring.keyFor(e),
      currentEpoch: () => keyring.epoch,
      senderKey: (_c, d) => {
        const r = directory.findDevice(d);
        return r ? fromBase64Url(r.sigPk) : undefined;
      },
    });
    const sigs: string[] = [];
    for (const m of stored) {
      const { vouch } = await codec.openVouched(m.envelope);
      const shaped = teamVouchShape(vouch);
      if (shaped) sigs.push(shaped.sig);
    }
    expect(sigs).toHaveLength(2);
    const dump = [JSON.stringify(stored), stack.logs(), ...tap.captured].join("\n");
    for (const sig of sigs) expect(dump).not.toContain(sig);
    expect(dump).not.toContain("parley/team-vouch");
    expect([...agentErrors, ...customerErrors]).toEqual([]);
  });
});

describe("fromTeam in plaintext conversations", () => {
  it("is the gateway's word: true for an agent's message, unset for a customer's", async () => {
    const agent = track(stack.agent());
    const toAgent = received(agent);
    await agent.connect();
    const customer = track(stack.customer("plain-reader"));
    const toCustomer = received(customer);
    await customer.connect();
    const conv = await customer.openConversation();

    const mine = await customer.send(conv.id, "plain question");
    expect(mine.fromTeam).toBeUndefined();
    await waitFor(() => toAgent.get(conv.id)?.length === 1, "the agent to read the question");
    expect(toAgent.get(conv.id)?.[0]?.fromTeam).toBeUndefined();
    const reply = await agent.send(conv.id, ORDER);
    expect(reply.fromTeam).toBe(true);
    await waitFor(() => toCustomer.get(conv.id)?.length === 2, "the customer to read the reply");
    expect(toCustomer.get(conv.id)?.map((m) => m.fromTeam)).toEqual([undefined, true]);
  });
});
