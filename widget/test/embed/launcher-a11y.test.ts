// axe on the launcher itself, on the example storefront in real Chromium.
//
// The launcher lives in a closed shadow root, which axe (like any other script
// on the page) cannot enter. For these tests only, an init script makes that
// one root open before parley.js runs (exposeLauncherRoot in fixtures.ts): the
// launcher's markup, styles and behaviour are the shipped ones; only the
// root's mode differs, and the mode changes nothing axe checks.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { type Embed, exposeLauncherRoot, launcherState, startEmbed } from "./fixtures.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string;
  nodes: Array<{ target: unknown }>;
}

/** axe with every rule (best practices included) on the page, the launcher's root open. */
async function axePage(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE);
  return (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } })
      .axe;
    return (await axe.run(document, { resultTypes: ["violations"] })).violations;
  })) as Violation[];
}

const describeAll = (list: Violation[]) =>
  list.map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
/** The violations found in the launcher (its host or anything in its shadow root). */
const inLauncher = (list: Violation[]) =>
  list
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => JSON.stringify(n.target).includes("parley-launcher")) }))
    .filter((v) => v.nodes.length > 0);

describe("the launcher passes axe", () => {
  let embed: Embed;
  let browser: BrowserSession;

  beforeAll(async () => {
    embed = await startEmbed();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  const load = async (unread?: number) => {
    const page = await browser.newPage();
    await exposeLauncherRoot(page, { open: true });
    if (unread !== undefined) {
      // A returning visitor's remembered count: the badge shows before any frame loads.
      await page.addInitScript((n) => localStorage.setItem("parley:unread:shop_test", String(n)), unread);
    }
    await page.goto(`${embed.storefront}/`);
    await page.waitForFunction(() => (window as unknown as { Parley?: { loaded?: boolean } }).Parley?.loaded === true);
    // axe really sees into the root: the button is there.
    expect(
      await page.evaluate(
        () => document.querySelector("parley-launcher")?.shadowRoot?.querySelector("button") !== null,
      ),
    ).toBe(true);
    return page;
  };

  it("closed: no violation in the launcher, and none serious or critical on the page", async () => {
    const page = await load();
    expect((await launcherState(page)).label).toBe("Open chat");
    const violations = await axePage(page);
    expect(describeAll(inLauncher(violations))).toEqual([]);
    expect(describeAll(violations.filter((v) => v.impact === "serious" || v.impact === "critical"))).toEqual([]);
    await page.locator("parley-launcher").screenshot({ path: artifactPath("launcher-closed.png") });
    await page.close();
  });

  it("closed with an unread badge (and 99+): no violation in the launcher, and none serious or critical on the page", async () => {
    for (const [count, badge] of [
      [3, "3"],
      [120, "99+"],
    ] as const) {
      const page = await load(count);
      // The name holds the badge's visible text (WCAG 2.5.3).
      expect(await launcherState(page)).toMatchObject({ badge, label: `Open chat, ${badge} unread messages` });
      const violations = await axePage(page);
      expect(describeAll(inLauncher(violations)), `${count} unread`).toEqual([]);
      expect(
        describeAll(violations.filter((v) => v.impact === "serious" || v.impact === "critical")),
        `${count} unread`,
      ).toEqual([]);
      await page.locator("parley-launcher").screenshot({ path: artifactPath(`launcher-badge-${count}.png`) });
      await page.close();
    }
  });
});
