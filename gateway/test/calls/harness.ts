/**
 * The calls browser tests' world: the page script bundled with esbuild and
 * served from a loopback origin, a real stack that accepts it, and one
 * headless Chromium with fake camera and microphone (Chromium's test pattern
 * and beep, no permission prompt), one browser context (own storage) per
 * person. widget/test/harness/browser.ts launches Chromium without these
 * flags; this launches Debian's build the same way, with them.
 */
import { fileURLToPath } from "node:url";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, startStack, type TestStack } from "@parley/gateway/testing";
import { CHROMIUM_ARGS, MEDIA_ARGS, type StaticServer, serveStatic } from "@parley/widget/testing";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { ensureChromium } from "../../../scripts/lib/chromium.mjs";

const ARGS = [...CHROMIUM_ARGS, ...MEDIA_ARGS];

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley calls</title></head>
<body><script type="module" src="/calls.js"></script></body></html>`;

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: ["crypto"],
    conditions: ["source"],
    logLevel: "silent",
  });
  const out = result.outputFiles?.[0];
  if (!out) throw new Error("esbuild produced no output");
  return out.text;
}

/** The stack, the page's origin and the browser. */
export interface CallsWorld {
  stack: TestStack;
  site: StaticServer;
  browser: Browser;
  /** Opens a person's page (own context) with a connected client: a customer by id, or the seeded agent. */
  open(who: { customer: string } | { agent: true }): Promise<Page>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the world. */
export async function startCallsWorld(): Promise<CallsWorld> {
  const js = await bundle();
  const site = await serveStatic({
    routes: { "/": { body: PAGE }, "/calls.js": { body: js }, "/favicon.ico": { body: "", type: "image/x-icon" } },
  });
  const stack = await startStack({ browserOrigins: [site.url] });
  const { bin } = await ensureChromium();
  const browser = await chromium.launch({ executablePath: bin, headless: true, args: ARGS });
  return {
    stack,
    site,
    browser,
    async open(who) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on("pageerror", (err) => console.error(`pageerror: ${err.message}`));
      if ("customer" in who) {
        await page.exposeFunction("__parleyToken", () => stack.customerToken(who.customer, who.customer));
      }
      await page.addInitScript(
        (settings) => {
          (window as unknown as { __callsFixture: unknown }).__callsFixture = settings;
        },
        {
          gatewayUrl: stack.url,
          shopId: SHOP_ID,
          ...("agent" in who ? { agent: { login: AGENT_LOGIN, password: AGENT_PASSWORD } } : {}),
        },
      );
      await page.goto(`${site.url}/`);
      await page.waitForFunction(() => window.__rtc?.client.status.value.state === "connected", undefined, {
        timeout: 30_000,
      });
      return page;
    },
    async [Symbol.asyncDispose]() {
      await browser.close().catch(() => {});
      await site.close();
      await stack[Symbol.asyncDispose]();
    },
  };
}
