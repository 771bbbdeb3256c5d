// Shared steps of the dashboard's group-conversation tests: the stack with a
// team of three and the dashboard beside it, signing an agent in (and waiting
// until the device holds the team key), axe on the whole page (shadow roots
// included), and screenshots for people to look at.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { freePorts, SHOP_ID, startStack, type TestStack, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { artifactPath, type BrowserSession, ensureWidgetBuilt, launchChromium } from "@parley/widget/testing";
import type { Frame, Page } from "playwright-core";
// @ts-expect-error: the build script is plain JavaScript (no declarations)
import { buildDashboard } from "../build.mjs";
import { type DashboardServer, startDashboard } from "../serve.js";

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

/** One axe finding: the rule, its impact and the nodes it names. */
export interface AxeViolation {
  id: string;
  impact: string;
  targets: string[];
}

/** Every axe violation on the page or frame as it is now (shadow roots included). */
export async function axeViolations(target: Page | Frame): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected inline script.
  await target.evaluate(AXE);
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } })
      .axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return (result.violations as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>).map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
}

/** The serious and critical axe violations on the page as it is now (minor ones are logged). */
export async function axeSerious(page: Page): Promise<Array<{ id: string; targets: string[] }>> {
  const violations = await axeViolations(page);
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (violations.length > bad.length) console.info("axe (minor and moderate):", JSON.stringify(violations));
  return bad.map(({ id, targets }) => ({ id, targets }));
}

/** Waits until `read` resolves to something `check` accepts; fails with the last value read. */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  try {
    return await waitFor(async () => {
      last = await read();
      return check(last) ? last : undefined;
    }, what);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

/** Two more agents of the test shop, Bob and Cleo (handles `bob`, `cleo`). */
export const BOB = { login: "bob@shop.test", password: "bob's long password" };
/** See {@link BOB}. */
export const CLEO = { login: "cleo@shop.test", password: "cleo's long password" };

/** A stack whose shop has Bob and Cleo besides Ada, the dashboard beside it, an English and a German Chromium, and SDK clients for Ada, Cleo and the customer Mia (connected). */
export interface TeamDashboard {
  stack: TestStack;
  dashboard: DashboardServer;
  english: BrowserSession;
  german: BrowserSession;
  adaSdk: ParleyClient;
  cleo: ParleyClient;
  mia: ParleyClient;
  /** Closes `client` with the rest; returns it. */
  track(client: ParleyClient): ParleyClient;
  close(): Promise<void>;
}

/** Starts a {@link TeamDashboard}. */
export async function startTeamDashboard(): Promise<TeamDashboard> {
  ensureWidgetBuilt();
  await buildDashboard();
  const [port] = await freePorts(1);
  const stack = await startStack({ browserOrigins: [`http://127.0.0.1:${port}`] });
  for (const [who, name] of [
    [BOB, "Bob"],
    [CLEO, "Cleo"],
  ] as const) {
    await stack.gateway.admin.addAgent(SHOP_ID, {
      ...who,
      displayName: name,
      handle: name.toLowerCase(),
      role: "agent",
      kind: "agent",
    });
  }
  const dashboard = await startDashboard({
    port: port as number,
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    natsWsUrl: stack.nats.wsUrl,
  });
  const english = await launchChromium({ viewport: { width: 1400, height: 860 } });
  const german = await launchChromium({ viewport: { width: 1400, height: 860 }, locale: "de-DE" });
  const adaSdk = stack.agent();
  const cleo = stack.agent({ auth: { kind: "agent", shopId: SHOP_ID, ...CLEO } });
  const mia = stack.customer("Mia", { encryption: true });
  const clients = [adaSdk, cleo, mia];
  for (const c of clients) await c.connect();
  return {
    stack,
    dashboard,
    english,
    german,
    adaSdk,
    cleo,
    mia,
    track(client) {
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) await c.close().catch(() => undefined);
      await english.close();
      await german.close();
      await dashboard.close();
      await stack[Symbol.asyncDispose]();
    },
  };
}
