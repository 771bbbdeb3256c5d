// The launcher's badge counts pending invites, on the example storefront in real Chromium against
// the real stack: an invite sent while the frame is loaded reaches the badge (and the storefront's
// `invites` event) with "1 invite" in the button's name; after a reload the remembered count shows
// before any frame loads, and the frame confirms it once it connects; answering the invite clears it.
import { Buffer } from "node:buffer";
import { waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatFrame,
  type EmbedSession,
  exposeLauncherRoot,
  launcherState,
  logIn,
  startEmbedSession,
} from "./fixtures.js";

/** The principal the example shop backend signs in for a shopper's name. */
const shopperId = (name: string) => `shopper-${Buffer.from(name.toLowerCase()).toString("base64url").slice(0, 40)}`;

describe("the launcher's badge counts invites", () => {
  let session: EmbedSession;
  let mia: ParleyClient;
  let noah: ParleyClient;

  beforeAll(async () => {
    session = await startEmbedSession();
    mia = session.embed.stack.customer("mia-badge", { encryption: true });
    await mia.connect();
    // The same principal the storefront signs in as "Noah" (another device of his).
    noah = session.embed.stack.customer(shopperId("Noah"), { encryption: true });
    await noah.connect();
    await noah.updateProfile({ handle: "noah_badge" });
  });
  afterAll(async () => {
    await noah?.close();
    await mia?.close();
    await session?.[Symbol.asyncDispose]();
  });

  it("live, after a reload, and gone once answered", async () => {
    const page = await session.browser.newPage();
    await exposeLauncherRoot(page);
    await logIn(page, session.embed.storefront, "Noah");
    await page.evaluate(() => {
      const w = window as unknown as { __invites: number[]; Parley: (...a: unknown[]) => void };
      w.__invites = [];
      w.Parley("on", "invites", (e: { count: number }) => w.__invites.push(e.count));
    });
    await page.hover("parley-launcher");
    await chatFrame(page);
    await page.mouse.move(0, 0);

    const conv = await mia.openConversation();
    const invite = await mia.invite(conv.id, "@noah_badge");
    await waitFor(async () => (await launcherState(page)).badge === "1", "the badge to count the invite");
    expect((await launcherState(page)).label).toBe("Open chat, 1 invite");
    expect(await page.evaluate(() => (window as unknown as { __invites: number[] }).__invites)).toEqual([0, 1]);

    // A reload: the remembered count is on the badge before any frame loads.
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { Parley?: { loaded?: boolean } }).Parley?.loaded === true);
    expect(await launcherState(page)).toEqual({ badge: "1", label: "Open chat, 1 invite", frames: 0 });
    await page.hover("parley-launcher");
    await chatFrame(page);
    expect((await launcherState(page)).badge).toBe("1");

    // Answered (on his other device): the badge clears, here and after the next reload.
    await noah.declineInvite(invite.id);
    await waitFor(async () => (await launcherState(page)).badge === null, "the badge to clear");
    expect((await launcherState(page)).label).toBe("Open chat");
    expect(await page.evaluate(() => localStorage.getItem("parley:invites:shop_test"))).toBeNull();
    await page.close();
  });
});
