/**
 * Shared setup for the component tests: bundles the fixture page script with
 * esbuild (the SDK from source), serves it from its own loopback origin,
 * starts a real stack that accepts that origin, and opens pages with a
 * customer (or agent) client mounted in `<parley-chat>`.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import {
  AGENT_LOGIN,
  AGENT_PASSWORD,
  SHOP_ID,
  type StackOptions,
  startStack,
  type TestStack,
} from "@parley/gateway/testing";
import type { ShopMedia } from "@parley/sdk/protocol";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import {
  type BrowserOptions,
  type BrowserSession,
  launchChromium,
  type StaticServer,
  serveStatic,
} from "../harness/browser.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export async function bundleFixture(): Promise<string> {
  const result = await build({
    entryPoints: [here("../fixtures/components/chat-fixture.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    minify: false,
    sourcemap: false,
    external: ["crypto"],
    // The SDK from source: the packages' `source` export condition.
    conditions: ["source"],
    logLevel: "silent",
  });
  const out = result.outputFiles?.[0];
  if (!out) throw new Error("esbuild produced no output");
  return out.text;
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Parley components</title>
<style>html,body{margin:0;height:100%;background:#f5f5f5}main{height:100vh;max-width:440px;margin:0 auto;padding:0}
@media (max-width:479px){main{max-width:none}}</style></head>
<body><main></main><script type="module" src="/fixture.js"></script></body>
</html>`;

export interface FixtureEnv {
  stack: TestStack;
  site: StaticServer;
  browser: BrowserSession;
  close(): Promise<void>;
}

export async function startFixtureEnv(
  browserOptions: BrowserOptions = {},
  stackOptions: Omit<StackOptions, "browserOrigins"> = {},
): Promise<FixtureEnv> {
  const js = await bundleFixture();
  const site = await serveStatic({
    routes: { "/": { body: PAGE }, "/fixture.js": { body: js }, "/favicon.ico": { body: "", type: "image/x-icon" } },
  });
  const stack = await startStack({ ...stackOptions, browserOrigins: [site.url] });
  const browser = await launchChromium(browserOptions);
  return {
    stack,
    site,
    browser,
    async close() {
      await browser.close();
      await site.close();
      await stack[Symbol.asyncDispose]();
    },
  };
}

export interface OpenOptions {
  customer?: string;
  encryption?: boolean;
  locale?: string;
  theme?: "light" | "dark" | "auto";
  mode?: "customer" | "agent";
  stallAfter?: number;
  shopName?: string;
  agent?: boolean;
  page?: Page;
  /** The shop's features (map tiles, media) handed to the chat. */
  features?: { media?: ShopMedia };
  /** Another Chromium session to open the page in (a second person on another device). */
  browser?: BrowserSession;
  /**
   * The customer's token is signed only once this settles: the chat stays connecting until then, and
   * `openChat` returns without waiting for the connection.
   */
  tokenAfter?: Promise<unknown>;
}

/** A new page with `<parley-chat>` mounted for a customer (or the seeded agent). */
export async function openChat(env: FixtureEnv, o: OpenOptions = {}): Promise<Page> {
  const page = o.page ?? (await (o.browser ?? env.browser).newPage());
  const customer = o.customer ?? `c-${crypto.randomUUID()}`;
  const gate = o.tokenAfter;
  await page.exposeFunction("__parleyToken", async () => {
    await gate;
    return env.stack.customerToken(customer, customer);
  });
  await page.addInitScript(
    (settings) => {
      (window as unknown as { __parleyFixture: unknown }).__parleyFixture = settings;
    },
    {
      gatewayUrl: env.stack.url,
      shopId: SHOP_ID,
      encryption: o.encryption ?? false,
      locale: o.locale,
      theme: o.theme,
      mode: o.mode,
      stallAfter: o.stallAfter,
      shopName: o.shopName,
      features: o.features,
      ...(o.agent ? { agent: { login: AGENT_LOGIN, password: AGENT_PASSWORD } } : {}),
    },
  );
  await page.goto(`${env.site.url}/`);
  if (gate) return page;
  await page.waitForFunction(() => window.__client?.status.value.state === "connected", undefined, { timeout: 20_000 });
  return page;
}

/** `expect.poll` with room for a real network and a busy machine (the default gives up after 1 s). */
export function poll<T>(probe: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(probe, { timeout, interval: 50 });
}

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's source, for pages whose CSP allows only their own scripts (they serve it themselves). */
export const axeScript = axeSource;

/**
 * axe-core's serious and critical violations on the page (shadow roots included), as `id: targets` lines.
 * `axeUrl`: where the page serves axe-core itself (a page that allows no inline script).
 */
export async function seriousViolations(page: Page, axeUrl?: string): Promise<string[]> {
  await page.addScriptTag(axeUrl ? { url: axeUrl } : { content: await axeSource });
  const violations = await page.evaluate(async () => {
    type Violation = { id: string; impact: string | null; nodes: Array<{ target: unknown }> };
    const axe = (window as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
