/**
 * The embed tests' world: a real stack (nats-server + gateway serving the
 * built widget from its own origin), the example shop backend serving the
 * storefront from another loopback origin (added to the shop's allowed
 * origins), and helpers to reach into the launcher's closed shadow root.
 *
 * Reaching in: a storefront script could do the same as the init script
 * below (wrap `attachShadow` before parley.js runs); the closed root keeps
 * styles and accidental access apart, it is not the security boundary (the
 * frame's origin is). Tests use it to read the badge and the button.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: the example is plain JavaScript (no declarations)
import { startShopBackend } from "@parley/examples/shop-backend";
import { SHOP_ID, SHOP_SECRET, startStack, type TestStack, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Frame, Page } from "playwright-core";
import { type BrowserSession, launchChromium } from "../harness/browser.js";

const WIDGET = fileURLToPath(new URL("../../", import.meta.url));
/** The SDK's sources, which the frame bundles: found through the package, not a path beside the widget. */
const SDK_SRC = join(dirname(createRequire(import.meta.url).resolve("@parley/sdk/package.json")), "src");

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return t;
}

/**
 * Builds the widget when its dist is missing, incomplete, or older than the widget's or the SDK's
 * sources or the build scripts.
 * Test files run in parallel workers: a lock directory keeps them from building at once.
 */
export function ensureWidgetBuilt(): void {
  const lock = `${WIDGET}.build-lock`;
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  for (let tries = 0; ; tries++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (tries > 1200) throw new Error(`${lock} is held for 2 minutes: remove it if no build is running`);
      Atomics.wait(sleep, 0, 0, 100);
    }
  }
  try {
    const built = `${WIDGET}dist/build-meta.json`;
    const sources = Math.max(newest(`${WIDGET}src`), newest(SDK_SRC), newest(`${WIDGET}scripts`));
    // The precompressed copies are written last: a build without them is not complete.
    if (existsSync(built) && existsSync(`${WIDGET}dist/parley.js.br`) && statSync(built).mtimeMs >= sources) return;
    const run = spawnSync(process.execPath, [`${WIDGET}scripts/build.mjs`, "--no-size"], { stdio: "inherit" });
    if (run.status !== 0) throw new Error("the widget build failed");
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Embed {
  stack: TestStack;
  /** The storefront's origin (the shop backend), e.g. `http://127.0.0.1:41234`. */
  storefront: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The embed world, the shop's admin agent (connected, encrypting) and a Chromium: what most storefront tests start with. */
export interface EmbedSession {
  embed: Embed;
  /** The admin agent: its device makes the shop's team key, so the first epoch wraps to it as in the demo. */
  agent: ParleyClient;
  browser: BrowserSession;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startEmbedSession(): Promise<EmbedSession> {
  const embed = await startEmbed();
  const agent = embed.stack.agent({ encryption: true });
  let browser: BrowserSession | undefined;
  try {
    await agent.connect();
    browser = await launchChromium();
  } catch (err) {
    await agent.close();
    await embed[Symbol.asyncDispose]();
    throw err;
  }
  const opened = browser;
  return {
    embed,
    agent,
    browser: opened,
    async [Symbol.asyncDispose]() {
      await opened.close();
      await agent.close();
      await embed[Symbol.asyncDispose]();
    },
  };
}

export async function startEmbed(): Promise<Embed> {
  ensureWidgetBuilt();
  const stack = await startStack({ servesFrame: true });
  const backend: { url: string; close(): Promise<void> } = await startShopBackend({
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    key: { alg: "HS256", secret: SHOP_SECRET },
  });
  await stack.gateway.admin.putShop(SHOP_ID, {
    name: "Test Shop",
    tokenKey: { alg: "HS256", secret: SHOP_SECRET },
    allowedOrigins: ["https://shop.test", backend.url],
    allowGuests: true,
  });
  return {
    stack,
    storefront: backend.url,
    async [Symbol.asyncDispose]() {
      await backend.close();
      await stack[Symbol.asyncDispose]();
    },
  };
}

/** Keeps the launcher's shadow root reachable as `window.__launcherRoot`; `open: true` makes it an open root (axe). */
export async function exposeLauncherRoot(page: Page, options: { open?: boolean } = {}): Promise<void> {
  await page.addInitScript((open: boolean) => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit) {
      const root = attach.call(this, this.localName === "parley-launcher" && open ? { ...init, mode: "open" } : init);
      if (this.localName === "parley-launcher")
        (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot = root;
      return root;
    };
  }, options.open ?? false);
}

/** The launcher button's state as the visitor (and a screen reader) gets it. */
export function launcherState(page: Page): Promise<{ label: string; badge: string | null; frames: number }> {
  return page.evaluate(() => {
    const root = (window as unknown as { __launcherRoot?: ShadowRoot }).__launcherRoot;
    const button = root?.querySelector("button");
    const badge = root?.querySelector<HTMLElement>(".b");
    return {
      label: button?.getAttribute("aria-label") ?? "",
      badge: badge && !badge.hidden ? badge.textContent : null,
      frames: root?.querySelectorAll("iframe").length ?? 0,
    };
  });
}

/** The chat frame, once the launcher created it and it finished booting. */
export async function chatFrame(page: Page): Promise<Frame> {
  const frame = await waitFor(
    () => page.frames().find((f) => f.url().includes("/widget/frame/")),
    "the launcher to create the chat frame",
  );
  await frame.waitForSelector("#parley-root:not([data-state=booting])", { state: "attached" });
  return frame;
}

/** Logs in on the storefront with a name (the shop backend's fake login), logging out whoever was in. */
export async function logIn(page: Page, storefront: string, name: string): Promise<void> {
  await page.goto(`${storefront}/`);
  await page.waitForSelector("#login:not([hidden]), #logout:not([hidden])");
  if (await page.isVisible("#logout")) {
    await Promise.all([page.waitForURL(`${storefront}/`), page.click("#logout button")]);
    await page.waitForSelector("#login:not([hidden])");
  }
  await page.fill("#name", name);
  await Promise.all([page.waitForURL(`${storefront}/`), page.click("#login button")]);
  await page.waitForSelector("#logout:not([hidden])");
}

/** widget/scripts/size.mjs's report: sizes of the compressed copies the gateway sends (gzip -9 and brotli 11). */
export interface SizeReport {
  launcher_gz_bytes: number;
  launcher_br_bytes: number;
  chat_gz_bytes: number;
  chat_br_bytes: number;
  budgets: { launcher_gz_bytes: number; chat_gz_bytes: number };
  ok: boolean;
  files: Array<{ name: string; raw: number; gz: number; br: number }>;
  on_demand: Array<{ name: string; raw: number; gz: number; br: number }>;
  live_gz_bytes: number;
  map_gz_bytes: number;
  /** The chunks of the live group (location and listen), and of the map library. */
  live: Array<{ name: string; raw: number; gz: number; br: number }>;
  map: Array<{ name: string; raw: number; gz: number; br: number }>;
  calls_gz_bytes: number;
  /** The chunks of the calls group (the call views, the SDK's calls runtime, fold and engine). */
  calls: Array<{ name: string; raw: number; gz: number; br: number }>;
}

/** Runs widget/scripts/size.mjs on the built dist; resolves its exit code, output and report. */
export function measureSizes(args: string[] = [], env: Record<string, string> = {}) {
  const out = join(mkdtempSync(join(tmpdir(), "parley-size-")), "sizes.json");
  const run = spawnSync(process.execPath, [`${WIDGET}scripts/size.mjs`, "--out", out, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const report = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as SizeReport) : undefined;
  return { status: run.status, output: `${run.stdout}${run.stderr}`, report };
}
