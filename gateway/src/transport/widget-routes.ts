/**
 * Serves the embeddable widget from the gateway's own origin:
 *
 * - `GET /widget/parley.js`: the script-tag launcher, loadable from any storefront;
 *   cached 5 minutes, then revalidated by ETag.
 * - `GET /widget/frame/?shop=ID&origin=O`: the chat frame's page, with a
 *   per-request Content-Security-Policy whose `frame-ancestors` lists the
 *   shop's allowed origins (no X-Frame-Options here: the CSP decides);
 *   revalidated on every load, with the CSP in its ETag.
 * - `GET /widget/frame/<hashed file>`: the frame's scripts, CSS and wasm, cached forever.
 * - `GET /widget/config/:shopId`: the shop's public widget settings (name,
 *   allowed origins, guests, map tiles and media when set), which the frame
 *   checks its parent against; readable cross-origin by the shop's own origins
 *   (its dashboard).
 *
 * The files come from the widget's `dist/` (`WIDGET_DIR`, by default the
 * installed `@parley/widget` package's), each sent as the build's brotli or
 * gzip copy when the browser accepts it (precompressed.ts, ADR 0017).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { idSchema, type WidgetConfig } from "@parley/sdk/protocol";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { ShopRecord, Store } from "../store/port.js";
import { parseInput } from "../validation.js";
import { pickRepresentation, sendRepresentation } from "./precompressed.js";

export interface WidgetRoutesOptions {
  /** The widget's build output (holding `parley.js` and `frame/`); undefined: the installed `@parley/widget`. */
  widgetDir: string | undefined;
  /** NATS WebSocket URLs the frame connects to (its CSP `connect-src`). */
  natsWsUrls: string[];
  store: Store;
  log: Logger;
}

/** Hashed build outputs only: letters, digits, `-` and `_`, one extension. */
const ASSET = /^[A-Za-z0-9_-]{1,80}\.(js|css|wasm)$/;
const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  wasm: "application/wasm",
};
/** Content-hashed names: a new build makes new names, so a copy never goes stale. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** `dist/` of the installed `@parley/widget`, or undefined when it is not installed. */
export function defaultWidgetDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve("@parley/widget/package.json")), "dist");
  } catch {
    return undefined;
  }
}

/** What of a shop the frame's CSP depends on. */
export type FrameCspShop = Pick<ShopRecord, "allowedOrigins" | "mapTiles" | "media">;

/** The origin of a tile URL template (the placeholders sit after the host: shop-features.ts). */
export function tileOrigin(template: string): string {
  return new URL(template.replaceAll(/\{[xyz]\}/g, "0")).origin;
}

/**
 * The frame's Content-Security-Policy for a shop: `frame-ancestors` its storefront
 * origins; `img-src` adds exactly its tile server's origin when it has one;
 * `media-src` lists its media origins, or is left out when it has none (then
 * `default-src 'none'` forbids all audio).
 */
export function frameCsp(shop: FrameCspShop, natsWsUrls: readonly string[]): string {
  const ancestors = shop.allowedOrigins.length > 0 ? shop.allowedOrigins.join(" ") : "'none'";
  const tiles = shop.mapTiles ? ` ${tileOrigin(shop.mapTiles.url)}` : "";
  const media = shop.media?.origins.length ? [`media-src ${shop.media.origins.join(" ")}`] : [];
  return [
    "default-src 'none'",
    // libsodium compiles WebAssembly; no other eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    `connect-src 'self' ${natsWsUrls.join(" ")}`,
    // No data: images: nothing in the frame needs them (Leaflet's tile-cancelling data: GIF is
    // replaced in leaflet-map.ts), and a message cannot smuggle a picture in through one.
    `img-src 'self' blob:${tiles}`,
    ...media,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join("; ");
}

/** `GET /widget/config/:shopId`'s body: the shop's public settings, its features when set. */
export function widgetConfig(shop: ShopRecord): WidgetConfig {
  return {
    shopId: shop.id,
    name: shop.name,
    allowedOrigins: shop.allowedOrigins,
    allowGuests: shop.allowGuests,
    ...(shop.mapTiles ? { mapTiles: shop.mapTiles } : {}),
    ...(shop.media ? { media: shop.media } : {}),
  };
}

export function createWidgetRoutes(o: WidgetRoutesOptions): express.Router {
  const dir = o.widgetDir ?? defaultWidgetDir();
  if (!dir || !existsSync(join(dir, "parley.js"))) {
    o.log.warn({ widgetDir: dir }, "the widget is not built: /widget answers 404 (npm run build -w widget)");
  }
  const missing = () => new GatewayError("not_found", "the widget is not built on this gateway");
  const frameDir = dir ? join(dir, "frame") : undefined;
  const router = express.Router();

  const shopOf = async (value: unknown) => {
    const shopId = parseInput(idSchema, value);
    const shop = await o.store.getShop(shopId);
    if (!shop) throw new GatewayError("not_found", "no such shop");
    return shop;
  };
  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch(next);
    };

  router.get(
    "/parley.js",
    handle(async (req, res) => {
      if (!dir) throw missing();
      const rep = await pickRepresentation(req, join(dir, "parley.js")).catch(() => {
        throw missing();
      });
      // Storefronts on other sites load this with a plain script tag; its name never changes, so
      // copies live 5 minutes and are then revalidated (304 while the build is the same).
      res.set("Cross-Origin-Resource-Policy", "cross-origin");
      sendRepresentation(req, res, rep, {
        contentType: "text/javascript; charset=utf-8",
        cacheControl: "public, max-age=300",
      });
    }),
  );

  router.get(
    "/config/:shopId",
    handle(async (req, res) => {
      const shop = await shopOf(req.params.shopId);
      // The shop's own pages (its dashboard) read this too; the answer is public, and differs per Origin.
      const origin = req.get("origin");
      if (origin && shop.allowedOrigins.includes(origin)) res.set("Access-Control-Allow-Origin", origin);
      res.set({ "Cache-Control": "public, max-age=60", Vary: "Origin" });
      res.json(widgetConfig(shop));
    }),
  );

  router.get(
    "/frame/",
    handle(async (req, res) => {
      const url = new URL(req.originalUrl, "http://x");
      if (!url.pathname.endsWith("/")) {
        // The page loads its files by relative URL: keep the trailing slash.
        res.redirect(301, `${url.pathname}/${url.search}`);
        return;
      }
      const shop = await shopOf(req.query.shop);
      if (!frameDir) throw missing();
      const rep = await pickRepresentation(req, join(frameDir, "index.html")).catch(() => {
        throw missing();
      });
      res.removeHeader("X-Frame-Options");
      res.set("Referrer-Policy", "no-referrer");
      // The page is the same for every shop; its CSP is not. The URL (with ?shop=) keys the cache,
      // and the CSP is part of the ETag, so a change to the shop's origins is never answered 304.
      sendRepresentation(req, res, rep, {
        contentType: "text/html; charset=utf-8",
        cacheControl: "no-cache",
        headers: { "Content-Security-Policy": frameCsp(shop, o.natsWsUrls) },
      });
    }),
  );

  router.get(
    "/frame/:file",
    handle(async (req, res) => {
      const file = String(req.params.file);
      const type = TYPES[file.slice(file.lastIndexOf(".") + 1)];
      if (!frameDir || !ASSET.test(file) || !type) throw new GatewayError("not_found", "no such file");
      const rep = await pickRepresentation(req, join(frameDir, file)).catch(() => {
        throw new GatewayError("not_found", "no such file");
      });
      sendRepresentation(req, res, rep, { contentType: type, cacheControl: IMMUTABLE });
    }),
  );

  return router;
}
