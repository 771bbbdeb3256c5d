/**
 * The membership record through the real stack: joins, leaves and removals
 * are stored before the `membership` event goes out, and `member.history`
 * gives the same facts (who, by whom, what, when) after a reload, and after a
 * gateway restart, to the members and the shop's team, and to nobody else.
 */
import type { ClientEvents } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { codeOf, waitFor } from "./helpers.js";

describe("membership history", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("records joins, a leave and a removal with who and when, for the members and the team only", async () => {
    const mia = stack.customer("mh-mia");
    const leo = stack.customer("mh-leo");
    const noah = stack.customer("mh-noah");
    const stranger = stack.customer("mh-stranger");
    for (const c of [mia, leo, noah, stranger]) await c.connect();
    await leo.updateProfile({ handle: "mh_leo" });
    await noah.updateProfile({ handle: "mh_noah" });
    const heard: ClientEvents["membership"][] = [];
    mia.on("membership", (e) => heard.push(e));

    const conv = await mia.openConversation();
    expect(await mia.membershipHistory(conv.id)).toEqual([]);
    await leo.acceptInvite((await mia.invite(conv.id, "@mh_leo")).id);
    await noah.acceptInvite((await mia.invite(conv.id, "@mh_noah")).id);
    await leo.leave(conv.id);
    await mia.removeMember(conv.id, noah.principal.id);
    await waitFor(() => heard.length >= 4 || undefined, "Mia to hear the four changes");

    const [m, l, n] = [mia.principal.id, leo.principal.id, noah.principal.id];
    const expected = [
      { convId: conv.id, principalId: l, change: "joined", by: m },
      { convId: conv.id, principalId: n, change: "joined", by: m },
      { convId: conv.id, principalId: l, change: "left", by: l },
      { convId: conv.id, principalId: n, change: "removed", by: m },
    ];
    const history = await mia.membershipHistory(conv.id);
    expect(history.map(({ ts: _ts, ...rest }) => rest)).toEqual(expected);
    // The record carries the live event's time, so a client can tell they are the same change.
    expect(history).toEqual(heard.map(({ type: _type, ...rest }) => rest));
    for (let i = 1; i < history.length; i++) {
      expect(history[i]?.ts).toBeGreaterThanOrEqual(history[i - 1]?.ts as number);
    }

    const agent = stack.agent();
    await agent.connect();
    expect(await agent.membershipHistory(conv.id)).toEqual(history);
    expect(await codeOf(stranger.membershipHistory(conv.id))).toBe("not_found");
    // Who left or was removed no longer reads the conversation's record.
    expect(await codeOf(leo.membershipHistory(conv.id))).toBe("not_found");
    expect(await codeOf(noah.membershipHistory(conv.id))).toBe("not_found");

    // Stored, not remembered: a restarted gateway answers the same.
    await stack.restartGateway();
    await waitFor(
      async () => (await agent.membershipHistory(conv.id).catch(() => undefined))?.length === 4 || undefined,
      "the record after a restart",
    );
    expect(await agent.membershipHistory(conv.id)).toEqual(history);
    for (const c of [mia, leo, noah, stranger, agent]) await c.close();
  });
});
