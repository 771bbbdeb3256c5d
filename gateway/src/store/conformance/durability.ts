/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import { handleSkeleton } from "../rules/skeleton.js";
import {
  conversation,
  device,
  invite,
  message,
  principal,
  range,
  SHOP,
  type StoreFixture,
  shop,
  T0,
} from "./fixtures.js";

/** Durability: everything kept across a close and reopen. */
export function describeDurability(open: () => Promise<StoreFixture>): void {
  describe("durability", () => {
    it("keeps everything across a close and reopen, and continues seqs without gaps", async (ctx) => {
      await using fx = await open();
      if (!fx.reopen) return ctx.skip();
      const { store } = fx;
      const exp = Date.now() + 60_000;
      const s = shop("s-durable");
      const p = principal({ handle: "durable", handleSkeleton: handleSkeleton("durable") });
      const agent = {
        shopId: SHOP,
        login: "ops",
        principalId: p.id,
        passwordHash: "$argon2id$z",
        role: "admin" as const,
      };
      const dev = device(p.id, "d-1");
      const conv = conversation();
      const member = { convId: conv.id, principalId: p.id, role: "owner" as const, joinedAt: T0 };
      const inv = invite({ convId: conv.id });
      await store.putShop(s);
      await store.ensurePrincipal(p);
      await store.putAgent(agent);
      await store.putDevice(dev);
      await store.createConversation(conv);
      await store.addMember(member);
      await store.createInvite(inv);
      for (const i of range(1, 10)) await store.append(message(conv.id, `m${i}`, T0 + i));
      await store.consumeTokenId("iss", "jti", exp);
      const messages = await store.since(conv.id, 0, 100);
      await store.close();

      const reopened = await fx.reopen();
      try {
        expect(await reopened.getShop(s.id)).toEqual(s);
        expect(await reopened.findPrincipalByHandle(SHOP, "durable")).toEqual(p);
        expect(await reopened.getAgent(SHOP, "ops")).toEqual(agent);
        expect(await reopened.listDevices(p.id)).toEqual([dev]);
        expect(await reopened.getConversation(conv.id)).toEqual({ ...conv, lastSeq: 10, updatedAt: T0 + 10 });
        expect(await reopened.listMembers(conv.id)).toEqual([member]);
        expect(await reopened.findPendingInvite(conv.id, inv.invitee)).toEqual(inv);
        expect(await reopened.since(conv.id, 0, 100)).toEqual(messages);
        expect(await reopened.consumeTokenId("iss", "jti", exp)).toBe(false);
        expect(await reopened.append(message(conv.id, "m5"))).toMatchObject({ message: { seq: 5 }, duplicate: true });
        expect(await reopened.append(message(conv.id, "m11"))).toMatchObject({
          message: { seq: 11 },
          duplicate: false,
        });
        expect((await reopened.getConversation(conv.id))?.lastSeq).toBe(11);
      } finally {
        await reopened.close();
      }
    });
  });
}
