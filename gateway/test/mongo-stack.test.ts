/**
 * The whole gateway on the MongoDB adapter (FerretDB here, a real MongoDB when
 * MONGODB_URI is set), reached through a TCP proxy so a test can cut the store
 * off mid-run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { startTcpProxy, type TcpProxy } from "./harness/tcp-proxy.js";
import { collectTexts, waitFor } from "./helpers.js";

/** Points a single-host mongodb:// URI at the proxy instead. */
function throughProxy(uri: string, port: number): string {
  const url = new URL(uri);
  if (url.protocol !== "mongodb:" || url.host.includes(",")) {
    throw new Error("the store-outage test needs a single-host mongodb:// URI");
  }
  url.host = `127.0.0.1:${port}`;
  url.searchParams.set("directConnection", "true");
  url.searchParams.set("serverSelectionTimeoutMS", "1500");
  return url.toString();
}

describe("the gateway on the MongoDB store", () => {
  let mongo: MongoForTests;
  let proxy: TcpProxy;
  let stack: TestStack;

  beforeAll(async () => {
    mongo = await mongoForTests();
    const target = new URL(mongo.uri);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 27017) });
    stack = await startStack({ mongo: { uri: throughProxy(mongo.uri, proxy.port), dbName: mongo.dbName } });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await proxy?.close();
    await mongo?.[Symbol.asyncDispose]();
  });

  it("carries a conversation between a customer and an agent", async () => {
    expect(stack.gateway.store.kind).toBe("mongodb");
    const customer = stack.customer("mongo-cust");
    const agent = stack.agent();
    await customer.connect();
    await agent.connect();
    const convId = (await customer.openConversation()).id;
    await agent.loadConversation(convId);
    const toAgent = collectTexts(agent);
    for (let i = 0; i < 20; i++) await customer.send(convId, `m${i}`);
    await agent.send(convId, "reply");
    await waitFor(() => toAgent.get(convId)?.length === 21, "agent sees all 21");
    const stored = await stack.gateway.store.since(convId, 0, 100);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    await Promise.all([customer.close(), agent.close()]);
  });

  it("answers unavailable (503) while the store is unreachable, and loses nothing once it is back", async (ctx) => {
    const row = asAttack(ctx, {
      area: "faults",
      attack: "MongoDB store cut off mid-conversation",
      expected: "503 unavailable, /readyz 503, pending message stored once after",
    });
    // The store's failure takes the driver's server selection, tried twice (2 × 1.5 s here): more than
    // the stack's 3 s request timeout once another request met the cut connection first.
    const customer = stack.customer("mongo-outage", { requestTimeout: 10_000 });
    await customer.connect();
    const convId = (await customer.openConversation()).id;
    await customer.send(convId, "before");

    proxy.cut();
    await expect(customer.request("msg.history", { convId })).rejects.toMatchObject({ code: "unavailable" });
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.store).toBe(false);
    const during = customer.send(convId, "during the outage"); // stays in the outbox, retried
    await waitFor(() => customer.conversation(convId).value.pending.length === 1, "message pending");

    proxy.restore();
    const sent = await during;
    expect(sent.seq).toBe(2);
    await waitFor(async () => (await fetch(`${stack.url}/readyz`)).status === 200, "ready again");
    const stored = await stack.gateway.store.since(convId, 0, 10);
    expect(stored.map((m) => m.seq)).toEqual([1, 2]);
    await customer.close();
    row.observed(`503 during the outage; after: seqs ${stored.map((m) => m.seq).join(",")}, 0 duplicated`);
  });
});
