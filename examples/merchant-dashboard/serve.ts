/**
 * A tiny static server for the built dashboard (dist/, see build.mjs), on its
 * own origin. It writes the page's settings into index.html's `<meta>` tags
 * and sends a strict Content-Security-Policy: scripts and styles from this
 * origin only (plus WebAssembly compilation, which libsodium needs), network
 * access only to the gateway and its NATS WebSocket, no frames, no plugins.
 * The dashboard's origin must be one of the shop's allowed origins at the
 * gateway (sessions and CORS) and of nats-server's WebSocket origins.
 *
 *   const dash = await startDashboard({ port: 0, gatewayUrl, shopId, natsWsUrl });
 *   console.log(dash.url); ... await dash.close();
 *
 * build.mjs also compiles this module to dist/server/serve.mjs, for plain
 * Node scripts (`npm run demo`) that cannot import TypeScript.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

export interface DashboardServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  gatewayUrl: string;
  /** Prefilled in the sign-in form. */
  shopId: string;
  /**
   * The NATS WebSocket URL(s) the gateway hands out (its `NATS_WS_URL`), for `connect-src`.
   * @default `ws:`/`wss:` on the gateway's host, any port
   */
  natsWsUrl?: string | string[];
  /** @default "127.0.0.1" */
  host?: string;
  /** Canned replies offered in the conversation view. @default a few generic ones (src/config.ts) */
  cannedReplies?: string[];
  /** The built files. @default examples/merchant-dashboard/dist */
  distDir?: string;
}

export interface DashboardServer {
  /** `http://host:port` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

const escapeAttr = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Origins (scheme://host:port) only: a CSP source must not carry paths or separators from the caller. */
function origin(url: string): string {
  const u = new URL(url);
  if (!["http:", "https:", "ws:", "wss:"].includes(u.protocol)) throw new TypeError(`not a web URL: ${url}`);
  return u.origin;
}

/** What of a shop's features the dashboard's CSP needs (the shape of its widget config's fields). */
export interface DashboardCspFeatures {
  /** The tile URL template: its origin joins `img-src`. */
  mapTiles?: { url: string };
  /** The media origins: `media-src`. */
  media?: { origins: readonly string[] };
}

/**
 * The dashboard's Content-Security-Policy. With the shop's features, `img-src`
 * adds its tile server's origin and `media-src` its media origins (without
 * media, no `media-src`: `default-src 'none'` forbids audio).
 */
export function dashboardCsp(
  gatewayUrl: string,
  natsWsUrls: readonly string[],
  features: DashboardCspFeatures = {},
): string {
  const gateway = new URL(gatewayUrl);
  const nats =
    natsWsUrls.length > 0 ? natsWsUrls.map(origin) : [`ws://${gateway.hostname}:*`, `wss://${gateway.hostname}:*`];
  const tiles = features.mapTiles ? ` ${origin(features.mapTiles.url.replaceAll(/\{[xyz]\}/g, "0"))}` : "";
  const media = features.media?.origins.length ? [`media-src ${features.media.origins.map(origin).join(" ")}`] : [];
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    `connect-src ${origin(gatewayUrl)} ${nats.join(" ")}`,
    `img-src 'self' blob: data:${tiles}`,
    ...media,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** How long the shop's features are reused before the gateway is asked again (its config's own max-age). */
const FEATURES_TTL_MS = 60_000;

/**
 * The shop's features from the gateway's `GET /widget/config/:shopId`, asked
 * again at most once a minute. Unreachable or unknown shop: the last answer,
 * else none (the page still works, without map tiles or audio).
 */
function shopFeaturesSource(gatewayUrl: string, shopId: string): () => Promise<DashboardCspFeatures> {
  let cached: { at: number; features: DashboardCspFeatures } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < FEATURES_TTL_MS) return cached.features;
    try {
      const url = new URL(`/widget/config/${encodeURIComponent(shopId)}`, gatewayUrl);
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const config = (await response.json()) as DashboardCspFeatures;
      const features: DashboardCspFeatures = {
        ...(config.mapTiles ? { mapTiles: config.mapTiles } : {}),
        ...(config.media ? { media: config.media } : {}),
      };
      dashboardCsp(gatewayUrl, [], features); // throws on anything that is not an origin
      cached = { at: Date.now(), features };
    } catch {
      // Keep the last answer (or none); ask again on the next page load.
    }
    return cached?.features ?? {};
  };
}

/** dist/ beside this module, or the directory above it when this is the built copy in dist/server/. */
function defaultDist(): string {
  const here = fileURLToPath(new URL(".", import.meta.url)).replace(/[\\/]+$/, "");
  return basename(here) === "server" && basename(dirname(here)) === "dist" ? dirname(here) : join(here, "dist");
}

/** Serves the built dashboard. Resolves once listening. */
export async function startDashboard(options: DashboardServerOptions): Promise<DashboardServer> {
  const dist = normalize(options.distDir ?? defaultDist());
  const root = dist.endsWith(sep) ? dist.slice(0, -1) : dist;
  const natsWs = options.natsWsUrl === undefined ? [] : [options.natsWsUrl].flat();
  const features = shopFeaturesSource(options.gatewayUrl, options.shopId);
  const template = await readFile(join(root, "index.html"), "utf8").catch(() => {
    throw new Error(`the dashboard is not built (${root}): run node examples/merchant-dashboard/build.mjs`);
  });
  const page = template
    .replace(
      'name="parley-gateway" content=""',
      `name="parley-gateway" content="${escapeAttr(origin(options.gatewayUrl))}"`,
    )
    .replace('name="parley-shop" content=""', `name="parley-shop" content="${escapeAttr(options.shopId)}"`)
    .replace(
      'name="parley-canned-replies" content=""',
      `name="parley-canned-replies" content="${escapeAttr(JSON.stringify(options.cannedReplies ?? []))}"`,
    );
  const baseCsp = dashboardCsp(options.gatewayUrl, natsWs);
  const headers = {
    "content-security-policy": baseCsp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    // The agent may share their own position in a conversation (location messages), and call with
    // camera, microphone and screen (calls); no other origin may ask for any of them.
    "permissions-policy": "camera=(self), microphone=(self), display-capture=(self), geolocation=(self)",
    "cache-control": "no-cache",
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", ...headers });
      res.end();
      return;
    }
    if (path === "/" || path === "/index.html") {
      // The page's CSP is the one that counts: it names the shop's tile and media origins.
      const csp = dashboardCsp(options.gatewayUrl, natsWs, await features());
      res.writeHead(200, { "content-type": TYPES[".html"], ...headers, "content-security-policy": csp });
      res.end(page);
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = "";
    }
    const file = normalize(join(root, decoded));
    const type = TYPES[extname(file)];
    if (type && file.startsWith(root + sep)) {
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": type, ...headers });
        res.end(body);
        return;
      } catch {
        // 404 below
      }
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...headers });
    res.end("not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
