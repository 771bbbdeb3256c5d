/**
 * Real Chromium for the browser tests: Debian's build driven by playwright-core
 * (docs/testing.md). Each session gets a fresh profile directory,
 * so storage, IndexedDB and caches never leak between tests. Also a tiny static
 * server for fixture pages on their own loopback origin, and the directory where
 * screenshots are kept as test artifacts.
 */
import { mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { ensureChromium } from "../../../scripts/lib/chromium.mjs";

/** The flags every test Chromium runs with (headless, no sandbox, nothing fetched in the background). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Chromium's fake camera and microphone (a test pattern and a beep), granted without a prompt: for calls. */
export const MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

export interface BrowserOptions {
  /** Fake camera and microphone, granted without a prompt (calls). */
  media?: boolean;
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
  locale?: string;
}

export interface BrowserSession {
  context: BrowserContext;
  /** A new tab; console errors and page errors are collected in `errors`. */
  newPage(): Promise<Page>;
  /** Uncaught page errors and `console.error` lines from every page of this session. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile. */
export async function launchChromium(options: BrowserOptions = {}): Promise<BrowserSession> {
  const { bin } = await ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "parley-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: bin,
    headless: true,
    args: options.media ? [...CHROMIUM_ARGS, ...MEDIA_ARGS] : CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? "light",
    locale: options.locale ?? "en-US",
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};

export interface StaticRoute {
  body: string | Uint8Array;
  type?: string;
  headers?: Record<string, string>;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves fixed routes first, then files under `dir` (if given) on a loopback
 * port. Paths cannot escape `dir`.
 */
export async function serveStatic(
  options: { routes?: Record<string, StaticRoute>; dir?: string; host?: string } = {},
): Promise<StaticServer> {
  const requests: string[] = [];
  const root = options.dir ? resolve(options.dir) : undefined;
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    const route = options.routes?.[path];
    if (route) {
      const type = route.type ?? TYPES[extname(path) || ".html"] ?? "application/octet-stream";
      res.writeHead(200, { "content-type": type, ...route.headers });
      res.end(route.body);
      return;
    }
    if (root) {
      const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
      if (file === root || file.startsWith(root + sep)) {
        try {
          const body = await readFile(file);
          res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
          res.end(body);
          return;
        } catch {
          // fall through to 404
        }
      }
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  await new Promise<void>((ok) => server.listen(0, options.host ?? "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** `widget/test-artifacts/<name>`: screenshots the tests keep for people to look at (git-ignored). */
export function artifactPath(name: string): string {
  const dir = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
