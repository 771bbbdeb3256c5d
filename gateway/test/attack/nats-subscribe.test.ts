/**
 * Attack rows for NATS subscriptions (SECURITY.md's first matrix row): a guest
 * with a real session subscribes to everything, to the shop's team subject and
 * to the shared `_INBOX.>`, while a customer and the agent talk.
 */
import { PermissionViolationError } from "@nats-io/nats-core";
import { subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { attack } from "../harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { collectTexts, waitFor } from "../helpers.js";
import { openSession, type RawNats, rawNats } from "./kit.js";

let stack: TestStack;
let guest: RawNats;

beforeAll(async () => {
  stack = await startStack();
  guest = await rawNats(stack, await openSession(stack));
});
afterAll(async () => {
  await guest?.close();
  await stack?.[Symbol.asyncDispose]();
});

for (const [name, subject] of [
  ["everything (>)", ">"],
  ["the shop's team subject", subjects.team(SHOP_ID)],
  ["the shared _INBOX.>", "_INBOX.>"],
] as const) {
  attack(
    {
      area: "nats",
      attack: `guest subscribes to ${name} during a conversation`,
      expected: "permission error, 0 deliveries, connection stays usable",
    },
    async (row) => {
      const denied: unknown[] = [];
      let delivered = 0;
      guest.nc.subscribe(subject, {
        callback: (err) => {
          if (err) denied.push(err);
          else delivered++;
        },
      });
      const customer = stack.customer(`sub-${name}`);
      const agent = stack.agent();
      await Promise.all([customer.connect(), agent.connect()]);
      const convId = (await customer.openConversation()).id;
      await agent.loadConversation(convId);
      const seen = collectTexts(agent);
      for (let i = 0; i < 5; i++) await customer.send(convId, `m${i}`);
      await waitFor(() => seen.get(convId)?.length === 5, "the agent gets all five");
      const reply = await guest.rpc("conv.list", {});
      row.observed(`${delivered} deliveries, ${denied.length} permission error(s), next request ok: ${reply.ok}`);
      expect(delivered).toBe(0);
      expect(denied.some((e) => e instanceof PermissionViolationError)).toBe(true);
      expect(reply.ok).toBe(true);
      await Promise.all([customer.close(), agent.close()]);
    },
  );
}
