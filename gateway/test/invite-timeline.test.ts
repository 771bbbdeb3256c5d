/**
 * What the timeline's invite lines are made of, through the real stack: the
 * stable codes an invite is refused with, the `invitation` events every member
 * gets when an invite is sent, accepted or declined, and `invite.history`,
 * which gives the same records (with when each was settled) after a reload.
 */
import type { InviteInfo } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { codeOf, waitFor } from "./helpers.js";

describe("invites in the conversation's timeline", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("refuses with unknown_handle and already_member, and tells every member about sent, accepted and declined invites", async () => {
    const owner = stack.customer("inv-owner");
    const friend = stack.customer("inv-friend");
    const other = stack.customer("inv-other");
    const stranger = stack.customer("inv-stranger");
    for (const c of [owner, friend, other, stranger]) await c.connect();
    await friend.updateProfile({ handle: "inv_friend" });
    await other.updateProfile({ handle: "inv_other" });
    const heard: InviteInfo[] = [];
    owner.on("invitation", (i) => heard.push(i));
    const friendHeard: InviteInfo[] = [];
    friend.on("invitation", (i) => friendHeard.push(i));

    const conv = await owner.openConversation();
    expect(await codeOf(owner.invite(conv.id, "@nobody_has_this"))).toBe("unknown_handle");
    await owner.updateProfile({ handle: "inv_owner" });
    expect(await codeOf(owner.invite(conv.id, "@inv_owner"))).toBe("already_member");

    const sent = await owner.invite(conv.id, "@inv_friend");
    expect(sent).toMatchObject({ status: "pending", inviteeName: "inv-friend", inviteeHandle: "inv_friend" });
    await waitFor(() => heard.find((i) => i.id === sent.id && i.status === "pending"), "the owner to hear the invite");

    const accepted = await friend.acceptInvite(sent.id);
    expect(accepted.id).toBe(conv.id);
    const joined = await waitFor(
      () => heard.find((i) => i.id === sent.id && i.status === "accepted"),
      "the owner to hear the acceptance",
    );
    expect(joined.settledAt).toBeGreaterThanOrEqual(sent.createdAt);
    await waitFor(
      () => friendHeard.some((i) => i.id === sent.id && i.status === "accepted"),
      "the new member to hear it",
    );
    expect(await codeOf(owner.invite(conv.id, "@inv_friend"))).toBe("already_member");

    const second = await friend.invite(conv.id, "@inv_other");
    await waitFor(() => heard.find((i) => i.id === second.id), "the owner to hear the friend's invite");
    await other.declineInvite(second.id);
    const declined = await waitFor(
      () => heard.find((i) => i.id === second.id && i.status === "declined"),
      "the owner to hear the decline",
    );
    expect(declined).toMatchObject({ inviter: friend.principal.id, inviteeHandle: "inv_other" });

    // After a reload: the same records, for every member, and for nobody else.
    for (const member of [owner, friend]) {
      const history = await member.invitations(conv.id);
      expect(history.map((i) => [i.inviteeHandle, i.status])).toEqual([
        ["inv_friend", "accepted"],
        ["inv_other", "declined"],
      ]);
      expect(history.every((i) => typeof i.settledAt === "number")).toBe(true);
    }
    // Only one invitee's invites, when asked (what a device granting history asks for).
    const toFriend = await owner.request("invite.history", { convId: conv.id, invitee: friend.principal.id });
    expect(toFriend.invites.map((i) => [i.inviteeHandle, i.status])).toEqual([["inv_friend", "accepted"]]);
    expect(await codeOf(stranger.invitations(conv.id))).toBe("not_found");
    expect(await codeOf(other.invitations(conv.id))).toBe("not_found");
    for (const c of [owner, friend, other, stranger]) await c.close();
  });
});
