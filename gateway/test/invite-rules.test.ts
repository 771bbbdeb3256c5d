/**
 * The invite rules through a real gateway, nats-server and embedded store
 * (ADR 0024): expired, revoked and inviter-left invites are refused with their
 * codes; who may revoke; the decline cooldown; handles found only in the
 * inviter's shop; and what the invitee is shown. The gateway's clock is moved
 * forward (`now`) to expire invites and end cooldowns.
 */
import { type InviteInfo, type ParleyClient, ParleyError } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { codeOf, customerWithHandle, waitFor } from "./helpers.js";

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

/** A connected customer of the test shop with this handle, whose `invite` and `invitation` events are kept. */
async function person(handle: string) {
  const party = await customerWithHandle(stack, `ir-${handle}`, handle);
  clients.push(party.client);
  return party;
}

async function retryAfterOf(work: Promise<unknown>): Promise<number | undefined> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ParleyError && err.code === "invite_cooldown") return err.retryAfter;
    throw err;
  }
  throw new Error("expected invite_cooldown");
}

describe("invite rules", () => {
  it("answers an invite past its expiry as expired: left out of the list, refused, and a fresh one can be sent", async () => {
    const mia = await person("ir_mia_1");
    const noah = await person("ir_noah_1");
    const conv = await mia.client.openConversation();
    const first = await mia.client.invite(conv.id, "@ir_noah_1");
    expect(first.expiresAt - first.createdAt).toBe(7 * DAY);
    expect((await noah.client.pendingInvites()).map((i) => i.id)).toEqual([first.id]);

    offset += 7 * DAY + 1000;
    expect(await noah.client.pendingInvites()).toEqual([]);
    expect(await codeOf(noah.client.acceptInvite(first.id))).toBe("invite_expired");
    expect(await codeOf(noah.client.declineInvite(first.id))).toBe("invite_expired");
    expect(await codeOf(noah.client.blockInviter(first.id))).toBe("invite_expired");
    expect(await codeOf(mia.client.revokeInvite(first.id))).toBe("invite_expired");
    expect((await mia.client.invitations(conv.id)).map((i) => [i.id, i.status])).toEqual([[first.id, "expired"]]);

    const fresh = await mia.client.invite(conv.id, "@ir_noah_1");
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.status).toBe("pending");
    await waitFor(() => noah.invites.find((i) => i.id === fresh.id), "the fresh invite to reach Noah");
    const joined = await noah.client.acceptInvite(fresh.id);
    expect(joined.id).toBe(conv.id);
  });

  it("lets the inviter, the owner and the shop's team revoke; anyone else gets not_found; a revoked invite is refused", async () => {
    const mia = await person("ir_mia_2");
    const leo = await person("ir_leo_2");
    const noah = await person("ir_noah_2");
    const zoe = await person("ir_zoe_2");
    const stranger = await person("ir_stranger_2");
    const agent = stack.agent();
    clients.push(agent);
    await agent.connect();
    const conv = await mia.client.openConversation();
    await leo.client.acceptInvite((await mia.client.invite(conv.id, "@ir_leo_2")).id);

    // Mia's invite: Leo (a member, neither owner nor inviter), a stranger and the invitee cannot revoke it.
    const byMia = await mia.client.invite(conv.id, "@ir_noah_2");
    for (const who of [leo, stranger, noah]) expect(await codeOf(who.client.revokeInvite(byMia.id))).toBe("not_found");
    await mia.client.revokeInvite(byMia.id);
    const told = await waitFor(
      () => noah.invites.find((i) => i.id === byMia.id && i.status === "revoked"),
      "Noah's widget to hear the revoke",
    );
    expect(told.settledAt).toBeGreaterThanOrEqual(byMia.createdAt);
    await waitFor(
      () => leo.invitations.find((i) => i.id === byMia.id && i.status === "revoked"),
      "the members to hear the revoke",
    );
    expect(await codeOf(noah.client.acceptInvite(byMia.id))).toBe("invite_revoked");
    expect(await codeOf(noah.client.declineInvite(byMia.id))).toBe("invite_revoked");
    expect(await noah.client.pendingInvites()).toEqual([]);

    // Leo's invite: the owner may revoke it; the team may revoke one too.
    const byLeo = await leo.client.invite(conv.id, "@ir_noah_2");
    await mia.client.revokeInvite(byLeo.id);
    const another = await leo.client.invite(conv.id, "@ir_zoe_2");
    await agent.revokeInvite(another.id);
    expect(await codeOf(zoe.client.acceptInvite(another.id))).toBe("invite_revoked");
    expect((await mia.client.invitations(conv.id)).filter((i) => i.status === "revoked")).toHaveLength(3);
  });

  it("refuses an invite whose inviter left (inviter_left), but not one from the shop's team", async () => {
    const mia = await person("ir_mia_3");
    const leo = await person("ir_leo_3");
    const noah = await person("ir_noah_3");
    const agent = stack.agent();
    clients.push(agent);
    await agent.connect();
    const conv = await mia.client.openConversation();
    await leo.client.acceptInvite((await mia.client.invite(conv.id, "@ir_leo_3")).id);
    const byLeo = await leo.client.invite(conv.id, "@ir_noah_3");
    await leo.client.leave(conv.id);
    expect(await codeOf(noah.client.acceptInvite(byLeo.id))).toBe("inviter_left");
    // Still pending, so Noah can still say no to it.
    await noah.client.declineInvite(byLeo.id);

    // An agent is not a member of Mia's conversation, yet its invite stands.
    const other = await mia.client.openConversation();
    const byAgent = await agent.invite(other.id, "@ir_noah_3");
    expect((await noah.client.acceptInvite(byAgent.id)).id).toBe(other.id);
  });

  it("holds the same inviter off for 24 hours after a decline (invite_cooldown with retryAfter)", async () => {
    const mia = await person("ir_mia_4");
    const leo = await person("ir_leo_4");
    const noah = await person("ir_noah_4");
    const conv = await mia.client.openConversation();
    const other = await mia.client.openConversation();
    await leo.client.acceptInvite((await mia.client.invite(conv.id, "@ir_leo_4")).id);
    await noah.client.declineInvite((await mia.client.invite(conv.id, "@ir_noah_4")).id);

    const wait = await retryAfterOf(mia.client.invite(conv.id, "@ir_noah_4"));
    expect(wait).toBeGreaterThan(24 * 3600 - 60);
    expect(wait).toBeLessThanOrEqual(24 * 3600);
    // Only this inviter, only this conversation.
    expect((await mia.client.invite(other.id, "@ir_noah_4")).status).toBe("pending");
    offset += 23 * 60 * 60 * 1000;
    const later = await retryAfterOf(mia.client.invite(conv.id, "@ir_noah_4"));
    expect(later).toBeLessThanOrEqual(3600);
    const byLeo = await leo.client.invite(conv.id, "@ir_noah_4");
    expect(byLeo.status).toBe("pending");
    await noah.client.declineInvite(byLeo.id);

    offset += 60 * 60 * 1000 + 1000;
    const again = await mia.client.invite(conv.id, "@ir_noah_4");
    expect(again).toMatchObject({ status: "pending", inviter: mia.id });
  });

  it("finds handles only in the inviter's shop: a principal of another shop is unknown_handle", async () => {
    const secret = "second-shop-secret-0123456789abcdefghij";
    await stack.gateway.admin.putShop("shop_other", {
      name: "Other Shop",
      tokenKey: { alg: "HS256", secret },
      allowedOrigins: ["https://shop.test"],
      allowGuests: true,
    });
    const outsider = stack.client({
      auth: {
        kind: "customer",
        shopId: "shop_other",
        getToken: () =>
          signCustomerToken({ shopId: "shop_other", key: { alg: "HS256", secret }, customer: { id: "ir-out" } }),
      },
    });
    clients.push(outsider);
    await outsider.connect();
    await outsider.updateProfile({ handle: "ir_outsider" });
    const mia = await person("ir_mia_5");
    const conv = await mia.client.openConversation();
    expect(await codeOf(mia.client.invite(conv.id, "@ir_outsider"))).toBe("unknown_handle");
    const theirs = await outsider.openConversation();
    expect(await codeOf(outsider.invite(theirs.id, "@ir_mia_5"))).toBe("unknown_handle");
    expect(await codeOf(outsider.invite(theirs.id, "@ada"))).toBe("unknown_handle");
  });

  it("shows the invitee who invites, from which shop, and who is in the conversation, newest first", async () => {
    const mia = await person("ir_mia_6");
    const leo = await person("ir_leo_6");
    const noah = await person("ir_noah_6");
    const agent = stack.agent();
    clients.push(agent);
    await agent.connect();
    const conv = await mia.client.openConversation();
    await leo.client.acceptInvite((await mia.client.invite(conv.id, "@ir_leo_6")).id);
    const byLeo = await leo.client.invite(conv.id, "@ir_noah_6", { history: "7d" });
    offset += 1000;
    const other = await mia.client.openConversation();
    const byAgent = await agent.invite(other.id, "@ir_noah_6");

    const listed = await noah.client.pendingInvites();
    expect(listed.map((i) => i.id)).toEqual([byAgent.id, byLeo.id]);
    const [fromAgent, fromLeo] = listed as [InviteInfo, InviteInfo];
    expect(fromLeo).toMatchObject({
      inviterName: "ir-ir_leo_6",
      inviterKind: "customer",
      inviterHandle: "ir_leo_6",
      shopName: "Test Shop",
      history: "7d",
    });
    expect(fromLeo.members).toEqual([
      { displayName: "ir-ir_mia_6", handle: "ir_mia_6", role: "owner" },
      { displayName: "ir-ir_leo_6", handle: "ir_leo_6", role: "member" },
    ]);
    expect(fromAgent).toMatchObject({ inviterKind: "agent", inviterHandle: "ada", shopName: "Test Shop" });
    const live = await waitFor(() => noah.invites.find((i) => i.id === byLeo.id), "the live invite");
    expect(live).toMatchObject({ inviterKind: "customer", shopName: "Test Shop" });
    expect(live.members).toHaveLength(2);

    // Members see who was invited and by whom; never the shop's or the members' preview.
    const seen = (await mia.client.invitations(conv.id)).find((i) => i.id === byLeo.id);
    expect(seen).toMatchObject({ inviteeHandle: "ir_noah_6", inviterKind: "customer", inviterHandle: "ir_leo_6" });
    expect(seen).not.toHaveProperty("members");
    expect(seen).not.toHaveProperty("shopName");
  });
});
