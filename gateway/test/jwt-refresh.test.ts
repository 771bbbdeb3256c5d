import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { collectTexts, waitFor } from "./helpers.js";

describe("NATS credentials expiring mid-session", () => {
  let stack: TestStack;
  beforeAll(async () => {
    // JWTs live 3 s, so a session crosses several expiries within one test.
    stack = await startStack({ jwtTtl: 3 });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("refreshes before expiry, reconnects with the new JWT and catches up with nothing lost", async () => {
    const customer = stack.customer("cust-refresh");
    const agent = stack.agent();
    await customer.connect();
    await agent.connect();
    const convId = (await customer.openConversation()).id;
    await customer.loadConversation(convId);
    const received = collectTexts(customer);
    const states: string[] = [];
    customer.on("status", (s) => states.push(s.state));

    const sent: string[] = [];
    const until = Date.now() + 8000; // at least two expiries of the customer's JWT
    for (let i = 0; Date.now() < until; i++) {
      await agent.send(convId, `tick ${i}`);
      sent.push(`tick ${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => (received.get(convId)?.length ?? 0) >= sent.length, "all ticks", 20_000);
    expect(received.get(convId)).toEqual(sent);
    expect(states).toContain("reconnecting");
    expect(customer.status.value.state).toBe("connected");
    // Still able to talk after the expiries.
    const last = await customer.send(convId, "still here");
    expect(last.seq).toBe(sent.length + 1);
    await Promise.all([customer.close(), agent.close()]);
  });
});
