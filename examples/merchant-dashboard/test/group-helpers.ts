// Shared steps of the dashboard's group-conversation tests: signing an agent
// in (and waiting until the device holds the team key), axe on the whole page
// (shadow roots included), and screenshots for people to look at.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { waitFor } from "@parley/gateway/testing";
import { artifactPath, type BrowserSession } from "@parley/widget/testing";
import type { Page } from "playwright-core";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Saves a screenshot as `widget/test-artifacts/dashboard-<name>.png`, for people to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`dashboard-${name}.png`) });
}

/** Signs `login` in on a new page of `session` and waits until this device holds the team key. */
export async function signIn(session: BrowserSession, url: string, login: string, password: string): Promise<Page> {
  const page = await session.newPage();
  await page.goto(`${url}/`);
  await page.fill("dashboard-login input[name=login]", login);
  await page.fill("dashboard-login input[name=password]", password);
  await page.click("dashboard-login button[type=submit]");
  await page.waitForSelector("dashboard-inbox");
  await waitFor(
    () =>
      page.evaluate(() => {
        const app = document.querySelector("dashboard-app") as unknown as {
          dash?: { team: { state: { value: { key: string } } } };
        };
        return app.dash?.team.state.value.key === "ready";
      }),
    `${login}'s device to hold the team key`,
  );
  return page;
}

/** The serious and critical axe violations on the page as it is now (minor ones are logged). */
export async function axeSerious(page: Page): Promise<Array<{ id: string; targets: string[] }>> {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected inline script.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } })
      .axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return (result.violations as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>).map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (violations.length > bad.length) console.info("axe (minor and moderate):", JSON.stringify(violations));
  return bad.map(({ id, targets }) => ({ id, targets }));
}
