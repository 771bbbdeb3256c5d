// A team member's name with a right-to-left override on the merchant dashboard, in real Chromium
// against the real gateway: "Ada \u202Eevil" (refused by the gateway's name rules today, so written
// into the store as older data or a lying gateway would serve it) invites Cleo (English) and Bob
// (German) to a conversation; the invites list's "{name} invites you" / "{name} lädt dich ein"
// must read in order, not "Ada uoy setivni live". Screenshots of both.

import { AGENT_LOGIN, AGENT_PASSWORD, asAttack, SHOP_ID } from "@parley/gateway/testing";
import { type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOB, CLEO, shot, signIn, startTeamDashboard, type TeamDashboard } from "./group-helpers.js";

/** Whether each word is drawn left to right and the words follow each other left to right. */
function readsLeftToRight(el: Locator, words: string[]): Promise<string> {
  return el.evaluate((root, list) => {
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
    const edge = (node: Text, at: number) => {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      return range.getBoundingClientRect().left;
    };
    const edges = list.map((word) => {
      for (const node of nodes) {
        const at = node.data.indexOf(word);
        if (at >= 0) return { word, first: edge(node, at), last: edge(node, at + word.length - 1) };
      }
      return { word, first: Number.NaN, last: Number.NaN };
    });
    const backwards = edges.filter((e) => !(e.first < e.last)).map((e) => e.word);
    const order = edges.every((e, i) => i === 0 || (edges[i - 1]?.first ?? Number.NaN) < e.first);
    return backwards.length === 0 && order ? "ltr" : `backwards: ${backwards.join(",") || "(order)"}`;
  }, words);
}

describe("a name with bidi controls on the dashboard", () => {
  let team: TeamDashboard;
  let admin: BrowserSession;
  beforeAll(async () => {
    team = await startTeamDashboard();
    // The admin's device makes the team key that Cleo's and Bob's devices then receive.
    admin = await launchChromium();
    await signIn(admin, team.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
  });
  afterAll(async () => {
    await admin?.close();
    await team?.close();
  });

  it("keeps the invites list's sentences in reading order (en, de)", async (ctx) => {
    const row = asAttack(ctx, {
      area: "dashboard",
      attack: "inviter named with U+202E in the invites list (en, de)",
      expected: "the sentence around the name reads in order",
    });
    const { stack, dashboard, english, german, adaSdk, mia } = team;
    const ada = await stack.gateway.store.getAgent(SHOP_ID, AGENT_LOGIN);
    if (!ada) throw new Error("no seeded agent");
    await stack.gateway.store.setDisplayName(ada.principalId, "Ada \u202Eevil");
    const conv = await mia.openConversation();
    await mia.send(conv.id, "Where is my parcel?");
    const pages: Array<[Page, string[], string]> = [
      [await signIn(english, dashboard.url, CLEO.login, CLEO.password), ["invites", "you"], "en"],
      [await signIn(german, dashboard.url, BOB.login, BOB.password), ["lädt", "dich", "ein"], "de"],
    ];
    await adaSdk.invite(conv.id, "@cleo");
    await adaSdk.invite(conv.id, "@bob");
    const seen: Record<string, string> = {};
    for (const [page, words, lang] of pages) {
      await page.bringToFront();
      await page.waitForSelector('[data-action=invites] [data-invite-count="1"]');
      await page.click("[data-action=invites]");
      const inviter = page.locator("dashboard-invites li [data-field=inviter]").first();
      await inviter.waitFor();
      seen[lang] = await readsLeftToRight(inviter, words);
      await shot(page, `hostile-name-invites-${lang}`);
    }
    expect(seen).toEqual({ en: "ltr", de: "ltr" });
    row.observed(`en drawn ${seen.en}, de drawn ${seen.de}`);
  });
});
