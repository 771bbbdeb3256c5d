/**
 * Blocking an inviter through a real gateway, nats-server and embedded store:
 * `invite.block` declines the invite and blocks its inviter; the inviter's
 * later invites are answered as if sent but never reach the invitee (no
 * event, not listed, not acceptable), stay pending for the inviter and expire
 * like any other; `block.remove` lifts the block.
 */
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { codeOf, customerWithHandle, waitFor } from "./helpers.js";

const HOUR = 60 * 60 * 1000;
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

async function person(handle: string) {
  const party = await customerWithHandle(stack, `ib-${handle}`, handle);
  clients.push(party.client);
  return party;
}

describe("blocking an inviter", () => {
  it("drops the blocked inviter's invites without a word until the block is lifted", async () => {
    const mia = await person("ib_mia");
    const leo = await person("ib_leo");
    const noah = await person("ib_noah");
    const conv = await mia.client.openConversation();

    const first = await mia.client.invite(conv.id, "@ib_noah");
    await waitFor(() => noah.invites.find((i) => i.id === first.id), "the first invite to reach Noah");
    await noah.client.blockInviter(first.id);
    await waitFor(
      () => mia.invitations.find((i) => i.id === first.id && i.status === "declined"),
      "Mia to hear the decline, as for any decline",
    );
    const blocked = await noah.client.blocked();
    expect(blocked).toEqual([
      { principalId: mia.id, displayName: "ib-ib_mia", handle: "ib_mia", blockedAt: expect.any(Number) },
    ]);

    // Within the day Mia gets the decline cooldown, as after any decline: nothing tells her she is blocked.
    expect(await codeOf(mia.client.invite(conv.id, "@ib_noah"))).toBe("invite_cooldown");

    // Past the decline cooldown, Mia invites again: answered like any invite, and it reaches no one but Mia.
    offset += 25 * HOUR;
    const dropped = await mia.client.invite(conv.id, "@ib_noah");
    expect(dropped).toMatchObject({
      status: "pending",
      inviter: mia.id,
      invitee: noah.id,
      inviteeHandle: "ib_noah",
      inviteeName: "ib-ib_noah",
    });
    expect(Object.keys(dropped).sort()).toEqual(Object.keys(first).sort());
    await waitFor(() => mia.invitations.find((i) => i.id === dropped.id), "Mia to hear her invite as sent");
    expect((await mia.client.invite(conv.id, "@ib_noah")).id).toBe(dropped.id);
    expect((await mia.client.invitations(conv.id)).map((i) => [i.id, i.status])).toEqual([
      [first.id, "declined"],
      [dropped.id, "pending"],
    ]);

    // A later invite from Leo reaches Noah: events to Noah are published in order, so had Mia's been sent,
    // it would have arrived first.
    const other = await leo.client.openConversation();
    const fromLeo = await leo.client.invite(other.id, "@ib_noah");
    await waitFor(() => noah.invites.find((i) => i.id === fromLeo.id), "Leo's invite to reach Noah");
    expect(noah.invites.some((i) => i.id === dropped.id)).toBe(false);
    expect((await noah.client.pendingInvites()).map((i) => i.id)).toEqual([fromLeo.id]);
    expect(await codeOf(noah.client.acceptInvite(dropped.id))).toBe("not_found");
    expect(await codeOf(noah.client.declineInvite(dropped.id))).toBe("not_found");
    expect(await codeOf(noah.client.blockInviter(dropped.id))).toBe("not_found");
    // Other members would tell Noah, so they are not told either.
    await leo.client.acceptInvite((await mia.client.invite(conv.id, "@ib_leo")).id);
    expect((await leo.client.invitations(conv.id)).some((i) => i.id === dropped.id)).toBe(false);
    expect(leo.invitations.some((i) => i.id === dropped.id)).toBe(false);

    // Lifted: Mia's next invite reaches Noah (a new one: the dropped one stays Mia's alone).
    await noah.client.unblock(mia.id);
    expect(await noah.client.blocked()).toEqual([]);
    const after = await mia.client.invite(conv.id, "@ib_noah");
    expect(after.id).not.toBe(dropped.id);
    await waitFor(() => noah.invites.find((i) => i.id === after.id), "the invite after unblocking to reach Noah");
    expect((await noah.client.acceptInvite(after.id)).id).toBe(conv.id);

    // The dropped invite expires like any other.
    expect((await mia.client.invitations(conv.id)).find((i) => i.id === dropped.id)?.status).toBe("pending");
    offset += 8 * 24 * HOUR;
    expect((await mia.client.invitations(conv.id)).find((i) => i.id === dropped.id)?.status).toBe("expired");
  });

  it("lists blocks newest first and lifts only the one named", async () => {
    const ann = await person("ib_ann");
    const bob = await person("ib_bob");
    const cat = await person("ib_cat");
    for (const inviter of [ann, bob]) {
      const conv = await inviter.client.openConversation();
      const sent = await inviter.client.invite(conv.id, "@ib_cat");
      await cat.client.blockInviter(sent.id);
      offset += 1000;
    }
    expect((await cat.client.blocked()).map((b) => b.principalId)).toEqual([bob.id, ann.id]);
    await cat.client.unblock(bob.id);
    await cat.client.unblock(bob.id);
    expect((await cat.client.blocked()).map((b) => b.principalId)).toEqual([ann.id]);
    expect(await bob.client.blocked()).toEqual([]);
  });
});
