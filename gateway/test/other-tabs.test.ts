/**
 * Several tabs or devices of one customer, through the real stack with
 * end-to-end encryption: a client that is connected and has no conversation
 * yet learns live of the one another tab opens (the gateway's `conversation`
 * event on `user.<principal>.ev`), reads its first message live, replies, and
 * the first tab reads the reply. Two tabs of one browser profile share their
 * storage (and so one device identity); two devices have their own, and the
 * opening commit wraps the epoch key to every registered device of the
 * principal, so the second device reads from the first message on. A tab that
 * missed the event (its connection was down) learns of the conversation when
 * it reconnects. The gateway's failpoint drops that tab's events on cue,
 * because a real outage cannot be timed to lose exactly them.
 */
import { type ClientEvents, type KeyValueStorage, memoryStorage, type ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

const say = (label: string) => `${label} ${crypto.randomUUID()}`;
const texts = (client: ParleyClient, convId: string) =>
  client.conversation(convId).value.messages.map((m) => (m.body?.type === "text" ? m.body.text : "<unreadable>"));

describe("a customer's other tabs and devices", () => {
  let stack: TestStack;
  let agent: ParleyClient;
  const clients: ParleyClient[] = [];

  /** The principal whose event subject the gateway drops publishes to, while set. */
  let dropFor: string | undefined;

  beforeAll(async () => {
    stack = await startStack({
      failpoints: { dropPublish: (subject) => dropFor !== undefined && subject === `user.${dropFor}.ev` },
    });
    // The admin agent's device makes the shop's team key, so the first epoch wraps to it as in production.
    agent = stack.agent({ encryption: true });
    await agent.connect();
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await agent?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  async function tab(sub: string, storage: KeyValueStorage) {
    const client = stack.customer(sub, { encryption: true, storage });
    clients.push(client);
    const seen = { conversations: [] as ClientEvents["conversation"][], failed: [] as string[] };
    client.on("conversation", (c) => seen.conversations.push(c));
    client.on("decode-failed", (f) => seen.failed.push(f.error.message));
    await client.connect();
    return { client, seen };
  }

  for (const shared of [true, false]) {
    const what = shared ? "two tabs sharing one profile's storage" : "two devices with their own storage";
    it(`${what}: B, empty, picks up the conversation A opens, reads A live, and A reads B's reply`, async () => {
      const sub = `mia-${shared ? "tabs" : "devices"}`;
      const profile = memoryStorage();
      const a = await tab(sub, profile);
      const b = await tab(sub, shared ? profile : memoryStorage());
      expect(await b.client.listConversations()).toEqual([]);

      const conv = await a.client.openConversation();
      const first = say("first");
      await a.client.send(conv.id, first);

      const learned = await waitFor(
        () => b.seen.conversations.find((c) => c.id === conv.id),
        "tab B to hear of the new conversation",
      );
      expect(learned.createdBy).toBe(a.client.principal.id);
      await waitFor(() => texts(b.client, conv.id).includes(first), "tab B to read the first message live");

      const reply = `reply ${crypto.randomUUID()}`;
      await b.client.send(conv.id, reply);
      await waitFor(() => texts(a.client, conv.id).includes(reply), "tab A to read tab B's reply live");
      expect(texts(a.client, conv.id)).toEqual([first, reply]);
      expect(texts(b.client, conv.id)).toEqual([first, reply]);
      expect(a.seen.failed).toEqual([]);
      expect(b.seen.failed).toEqual([]);
    });
  }

  it("a tab that missed the new conversation while its connection was down picks it up on reconnect", async () => {
    const a = await tab("mia-offline", memoryStorage());
    const b = await tab("mia-offline", memoryStorage());
    const principal = a.client.principal.id;
    dropFor = principal; // tab B's events (on the principal's subject) are lost from here...
    const conv = await a.client.openConversation();
    const first = say("sent while B was away");
    await a.client.send(conv.id, first);
    dropFor = undefined; // ...to here; A is told on its own acknowledgement
    expect(b.seen.conversations).toEqual([]);

    const reconnected = new Promise<void>((resolve) => {
      const off = b.client.on("status", (s) => {
        if (s.state === "connected") {
          off();
          resolve();
        }
      });
    });
    await stack.nats.restart();
    await reconnected;
    const learned = await waitFor(
      () => b.seen.conversations.find((c) => c.id === conv.id),
      "tab B to learn of the conversation after reconnecting",
    );
    expect(learned.createdBy).toBe(principal);
    await b.client.loadConversation(conv.id);
    expect(texts(b.client, conv.id)).toEqual([first]);
    const reply = say("B is back");
    await b.client.send(conv.id, reply);
    await waitFor(() => texts(a.client, conv.id).includes(reply), "tab A to read B's reply");
  });
});
