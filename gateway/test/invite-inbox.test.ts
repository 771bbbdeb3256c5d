/**
 * `client.invites`, the SDK's inbox of invites waiting for an answer, through
 * the real stack: an invite arrives live and is there again for a fresh client
 * (a reload), with the history the inviter offered; answering it here, in
 * another session, or its inviter revoking it takes it out.
 */
import type { InviteInfo } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

const ids = (invites: readonly InviteInfo[]) => invites.map((i) => i.id);

describe("the SDK's invite inbox", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("holds pending invites live and after a reload, newest first, and drops answered ones", async () => {
    const mia = stack.customer("inbox-mia");
    const noah = stack.customer("inbox-noah");
    await mia.connect();
    await noah.connect();
    await noah.updateProfile({ handle: "inbox_noah" });
    expect(noah.invites.value).toEqual([]);

    const first = await mia.openConversation();
    const second = await mia.openConversation();
    const a = await mia.invite(first.id, "@inbox_noah", { history: "7d" });
    expect(a).toMatchObject({ status: "pending", history: "7d" });
    expect(a.expiresAt).toBeGreaterThan(a.createdAt);
    await waitFor(() => noah.invites.value.some((i) => i.id === a.id), "the invite to reach Noah's inbox");
    const b = await mia.invite(second.id, "@inbox_noah");
    await waitFor(() => noah.invites.value.length === 2, "the second invite");
    expect(ids(noah.invites.value)).toEqual([b.id, a.id]);
    expect(noah.invites.value[1]).toMatchObject({ convId: first.id, history: "7d", inviter: mia.principal.id });

    // A reload: a fresh client of the same principal finds both before any event.
    const again = stack.customer("inbox-noah");
    await again.connect();
    expect(ids(again.invites.value)).toEqual([b.id, a.id]);

    // Declined here: gone at once here, and from the other session through its event.
    await noah.declineInvite(b.id);
    expect(ids(noah.invites.value)).toEqual([a.id]);
    await waitFor(() => ids(again.invites.value).join() === a.id, "the other session to drop the declined invite");
    await noah.acceptInvite(a.id);
    expect(noah.invites.value).toEqual([]);
    await again.close();
    const reloaded = stack.customer("inbox-noah");
    await reloaded.connect();
    expect(reloaded.invites.value).toEqual([]);
    for (const c of [mia, noah, reloaded]) await c.close();
  });
});
