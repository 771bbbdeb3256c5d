// An admin agent removes a team member from the dashboard, by keyboard only, in English and German:
// the Team panel lists the logins, Remove asks for confirmation, and the removed agent's session ends
// at the gateway (its refresh token is refused). Failed sign-ins past the budget show the wait. A
// removed agent's open dashboard goes back to the sign-in form at its next refresh (JWTs live 5 s here).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, waitFor } from "@parley/gateway/testing";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { signIn } from "./group-helpers.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const WORDS = {
  en: {
    team: "Team members",
    removed: "Leo was removed from the team.",
    limited: "Too many failed sign-ins",
    ended: "Your session has ended",
  },
  de: {
    team: "Team-Mitglieder",
    removed: "Leo wurde aus dem Team entfernt.",
    limited: "Zu viele fehlgeschlagene",
    ended: "Deine Sitzung ist beendet",
  },
} as const;

async function seriousAxeViolations(page: Page): Promise<unknown[]> {
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
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Text of the focused element, through shadow roots. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.textContent?.trim() ?? "";
  });

describe.each(["en", "de"] as const)("the team panel (%s)", (lang) => {
  const w = WORDS[lang];
  let shop: DashboardShop;
  let browser: BrowserSession;
  let ada: Page;
  let leoRefresh = "";

  beforeAll(async () => {
    shop = await startDashboardShop({ jwtTtl: 5 });
    await shop.stack.gateway.admin.addAgent(SHOP_ID, {
      login: "leo@shop.test",
      password: "leo's long password",
      displayName: "Leo",
      role: "agent",
      kind: "agent",
    });
    const res = await fetch(`${shop.stack.url}/v1/agent/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ shopId: SHOP_ID, login: "leo@shop.test", password: "leo's long password" }),
    });
    leoRefresh = ((await res.json()) as { refreshToken: string }).refreshToken;
    browser = await launchChromium({
      viewport: { width: 1300, height: 800 },
      locale: lang === "de" ? "de-DE" : "en-US",
    });
    ada = await signIn(browser, shop.dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("an admin removes Leo by keyboard: confirmation, status, and Leo's session ends", async () => {
    await ada.focus('dashboard-app button[data-action="team"]');
    await ada.keyboard.press("Enter");
    await ada.locator('dashboard-team li[data-login="leo@shop.test"]').waitFor();
    expect(await focused(ada)).toBe(w.team);
    expect(await ada.locator("dashboard-team li").count()).toBe(2);
    // Ada cannot remove herself: her row has no Remove button.
    expect(await ada.locator(`dashboard-team li[data-login="${AGENT_LOGIN}"] [data-action="remove"]`).count()).toBe(0);

    await ada.focus('dashboard-team li[data-login="leo@shop.test"] [data-action="remove"]');
    await ada.keyboard.press("Enter");
    await ada.locator('dashboard-team [data-action="confirm-remove"]').waitFor();
    expect(await focused(ada)).toContain("Leo");
    expect(await seriousAxeViolations(ada)).toEqual([]);
    await ada.screenshot({ path: artifactPath(`team-confirm-${lang}.png`) });
    // Escape cancels the confirmation and gives focus back to Remove.
    await ada.keyboard.press("Escape");
    await waitFor(
      async () => (await ada.locator('dashboard-team [data-action="confirm-remove"]').count()) === 0,
      "cancel",
    );
    expect(await focused(ada)).toContain("Leo");
    await ada.keyboard.press("Enter");
    await ada.locator('dashboard-team [data-action="confirm-remove"]').waitFor();
    await ada.keyboard.press("Enter");

    await ada.locator('dashboard-team li[data-login="leo@shop.test"]').waitFor({ state: "detached" });
    const status = (await ada.locator("dashboard-team p.status").textContent()) ?? "";
    // The name is isolated (FSI … PDI) so bidi controls in it cannot reorder the sentence.
    expect(status.replace(/[\u2068\u2069]/g, "")).toContain(w.removed);
    expect(await seriousAxeViolations(ada)).toEqual([]);
    await ada.screenshot({ path: artifactPath(`team-removed-${lang}.png`) });

    const refreshed = await fetch(`${shop.stack.url}/v1/session/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: leoRefresh }),
    });
    expect(refreshed.status).toBe(401);
  });

  it("failed sign-ins past the budget show how long to wait", async () => {
    const page = await browser.newPage();
    // Ada's saved login (same profile) would resume her session: this tab starts at the sign-in form.
    await page.addInitScript(() => localStorage.removeItem("parley-dashboard:last-login"));
    await page.goto(`${shop.dashboard.url}/`);
    for (let i = 0; i < 6; i++) {
      await page.fill("dashboard-login input[name=login]", "nobody@shop.test");
      await page.fill("dashboard-login input[name=password]", `wrong ${i}`);
      await page.click("dashboard-login button[type=submit]");
      await page.locator("dashboard-login [role=alert]").waitFor();
      await page.locator("dashboard-login button[type=submit]:not([disabled])").waitFor();
    }
    const alert = page.locator("dashboard-login [role=alert]");
    await waitFor(async () => (await alert.textContent())?.includes(w.limited) === true, "the wait to be shown");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: artifactPath(`login-rate-limited-${lang}.png`) });
  });

  it("a removed agent's open dashboard returns to the sign-in form at its next refresh, saying why", async () => {
    await shop.stack.gateway.admin.addAgent(SHOP_ID, {
      login: "max@shop.test",
      password: "max's long password",
      displayName: "Max",
      role: "agent",
      kind: "agent",
    });
    const max = await browser.newPage();
    await max.addInitScript(() => localStorage.removeItem("parley-dashboard:last-login"));
    await max.goto(`${shop.dashboard.url}/`);
    await max.fill("dashboard-login input[name=login]", "max@shop.test");
    await max.fill("dashboard-login input[name=password]", "max's long password");
    await max.click("dashboard-login button[type=submit]");
    await max.waitForSelector("dashboard-inbox");
    await shop.stack.gateway.admin.removeAgent(SHOP_ID, "max@shop.test");
    const alert = max.locator("dashboard-login [role=alert]");
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain(w.ended);
    await max.screenshot({ path: artifactPath(`session-ended-${lang}.png`) });
  }, 30_000);
});
