#!/usr/bin/env node
// A minimal shop backend (node:http, no framework): a fake login that keeps
// the shopper's name in an in-memory session, `GET /parley-token` signing a
// short-lived customer token for the logged-in shopper with
// `@parley/sdk/server` (and, with a key backup master secret, the shopper's
// key backup secret, so their next browser reads their chat history), and the
// storefront pages (examples/storefront/) with
// the Parley snippet pointed at the gateway. It runs on its own origin,
// different from the gateway's, as a real shop would.
//
//   PARLEY_GATEWAY_URL=http://127.0.0.1:8080 PARLEY_SHOP_ID=demo_shop \
//   PARLEY_SHOP_SECRET=... node examples/shop-backend/server.mjs
//
// Environment: PARLEY_GATEWAY_URL, PARLEY_SHOP_ID, and the shop's token key:
// PARLEY_SHOP_SECRET (HS256) or PARLEY_SHOP_PRIVATE_KEY (Ed25519, PKCS#8 PEM or
// JWK JSON); PARLEY_KEY_BACKUP_SECRET (optional, at least 32 characters: the
// key backup master secret, which never goes to the gateway); SHOP_PORT
// (default 3000), SHOP_HOST (default 127.0.0.1); SHOP_AUDIO_DIR (optional: WAV
// files served at /audio/<id>.wav, with Range requests, for listening together);
// PARLEY_WEBHOOK_SECRET (optional: the shop's webhook secret; with it,
// `POST /parley/webhook` verifies each webhook the gateway sends with
// `verifyWebhook` and prints it, see docs/webhooks.md).
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { keyBackupSecret, signCustomerToken, verifyWebhook, WebhookVerificationError } from "@parley/sdk/server";
import { sendAudio } from "./audio.mjs";

const STOREFRONT = fileURLToPath(new URL("../storefront/", import.meta.url));
const STATIC = { "/app.js": "text/javascript; charset=utf-8", "/style.css": "text/css; charset=utf-8" };
const COOKIE = "shop_sid";
const MAX_BODY = 4096;
/** Webhook bodies are small (ids and counts); anything bigger is not one. */
const MAX_WEBHOOK_BODY = 65_536;
/** The storefront's display options (app.js), kept across the login and logout redirects when well formed. */
const DISPLAY_OPTIONS = {
  lang: /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/,
  mode: /^(?:dark|light)$/,
  position: /^(?:left|right)$/,
};

/** Where a form post goes back to: the storefront, with the display options the form carried (`/login?lang=de`). */
function backToStorefront(req) {
  const query = new URL(req.url ?? "/", "http://x").searchParams;
  const kept = new URLSearchParams();
  for (const [key, pattern] of Object.entries(DISPLAY_OPTIONS)) {
    const value = query.get(key);
    if (value && pattern.test(value)) kept.set(key, value);
  }
  return kept.size > 0 ? `/?${kept}` : "/";
}

/**
 * Starts the shop backend. Resolves `{url, close}` once listening.
 * @param {{gatewayUrl: string, shopId: string, key: {alg: "HS256", secret: string} | {alg: "EdDSA", privateKey: string},
 *          keyBackupSecret?: string, port?: number, host?: string, audience?: string, audioDir?: string,
 *          webhookSecret?: string, onWebhook?: (event: object) => void}} options
 *   `audioDir`: WAV files served at `/audio/<id>.wav` (the shop's media for listening together).
 *   `webhookSecret`: verify webhooks at `POST /parley/webhook` and print each (and pass it to `onWebhook`).
 */
export async function startShopBackend(options) {
  const gateway = new URL(options.gatewayUrl).origin;
  /** session id -> the logged-in shopper */
  const sessions = new Map();

  const page = async () =>
    (await readFile(join(STOREFRONT, "index.html"), "utf8"))
      .replace("https://GATEWAY/widget/parley.js", `${gateway}/widget/parley.js`)
      .replace('data-shop="SHOP_ID"', `data-shop="${options.shopId}"`);

  const shopperOf = (req) => {
    const sid = /(?:^|;\s*)shop_sid=([A-Za-z0-9_-]{20,64})/.exec(req.headers.cookie ?? "")?.[1];
    return sid ? sessions.get(sid) : undefined;
  };

  const readRaw = (req) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on("data", (chunk) => {
        size += chunk.length;
        if (size > MAX_WEBHOOK_BODY) reject(new Error("body too large"));
        else chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });

  const readForm = (req) =>
    new Promise((resolve, reject) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk) => {
        body += chunk;
        if (body.length > MAX_BODY) reject(new Error("body too large"));
      });
      req.on("end", () => resolve(new URLSearchParams(body)));
      req.on("error", reject);
    });

  const send = (res, status, type, body, headers = {}) => {
    res.writeHead(status, { "content-type": type, "x-content-type-options": "nosniff", ...headers });
    res.end(body);
  };
  const json = (res, status, value) =>
    send(res, status, "application/json", JSON.stringify(value), { "cache-control": "no-store" });
  const redirect = (req, res, headers = {}) => {
    res.writeHead(303, { location: backToStorefront(req), ...headers });
    res.end();
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    try {
      if (req.method === "GET" && path === "/") return send(res, 200, "text/html; charset=utf-8", await page());
      if (req.method === "GET" && STATIC[path]) {
        return send(res, 200, STATIC[path], await readFile(join(STOREFRONT, path.slice(1))));
      }
      if (options.audioDir && (req.method === "GET" || req.method === "HEAD") && path.startsWith("/audio/")) {
        return await sendAudio(req, res, options.audioDir, path);
      }
      if (req.method === "GET" && path === "/me") {
        const shopper = shopperOf(req);
        // Nobody logged in is an answer, not an error: a 401 here would be a console error on every visit.
        return json(res, 200, shopper ? { name: shopper.name } : null);
      }
      if (req.method === "GET" && path === "/parley-token") {
        const shopper = shopperOf(req);
        if (!shopper) return json(res, 401, { error: "not logged in" });
        const token = await signCustomerToken({
          shopId: options.shopId,
          key: options.key,
          customer: { id: shopper.id, name: shopper.name },
          ...(options.audience ? { audience: options.audience } : {}),
        });
        // The key backup secret goes to the shopper's browser only, never into the token (which goes to the gateway).
        if (!options.keyBackupSecret) return json(res, 200, { token });
        const secret = await keyBackupSecret({ secret: options.keyBackupSecret, customerId: shopper.id });
        return json(res, 200, { token, keyBackupSecret: secret });
      }
      if (options.webhookSecret && req.method === "POST" && path === "/parley/webhook") {
        // The raw bytes: the signature covers exactly what was sent.
        const rawBody = await readRaw(req);
        let event;
        try {
          event = await verifyWebhook({
            secret: options.webhookSecret,
            header: req.headers["parley-signature"],
            rawBody,
          });
        } catch (err) {
          if (err instanceof WebhookVerificationError) return send(res, 400, "text/plain", err.code);
          throw err;
        }
        // A real shop would e-mail an offline customer here (once per event id: retries repeat it).
        process.stdout.write(`webhook ${event.type} ${event.id} ${JSON.stringify(event.data)}\n`);
        options.onWebhook?.(event);
        return send(res, 200, "text/plain", "ok");
      }
      if (req.method === "POST" && path === "/login") {
        const name = (await readForm(req)).get("name")?.trim().slice(0, 60);
        if (!name) return send(res, 400, "text/plain", "a name is required");
        const id = shopperId(name);
        const sid = randomBytes(24).toString("base64url");
        sessions.set(sid, { id, name });
        return redirect(req, res, { "set-cookie": `${COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax` });
      }
      if (req.method === "POST" && path === "/logout") {
        const sid = /(?:^|;\s*)shop_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];
        if (sid) sessions.delete(sid);
        return redirect(req, res, { "set-cookie": `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
      }
      return send(res, 404, "text/plain", "not found");
    } catch (err) {
      return send(res, 500, "text/plain", `error: ${err.message}`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The shopper's customer id: stable per name, so a returning shopper finds the same conversation. */
export function shopperId(name) {
  return `shopper-${Buffer.from(name.toLowerCase()).toString("base64url").slice(0, 40)}`;
}

// Run directly: configuration from the environment.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const env = process.env;
  const missing = ["PARLEY_GATEWAY_URL", "PARLEY_SHOP_ID"].filter((name) => !env[name]);
  if (!env.PARLEY_SHOP_SECRET && !env.PARLEY_SHOP_PRIVATE_KEY)
    missing.push("PARLEY_SHOP_SECRET or PARLEY_SHOP_PRIVATE_KEY");
  if (missing.length > 0) {
    process.stderr.write(`shop-backend: set ${missing.join(", ")}\n`);
    process.exit(1);
  }
  const backend = await startShopBackend({
    gatewayUrl: env.PARLEY_GATEWAY_URL,
    shopId: env.PARLEY_SHOP_ID,
    key: env.PARLEY_SHOP_PRIVATE_KEY
      ? { alg: "EdDSA", privateKey: env.PARLEY_SHOP_PRIVATE_KEY }
      : { alg: "HS256", secret: env.PARLEY_SHOP_SECRET },
    ...(env.PARLEY_KEY_BACKUP_SECRET ? { keyBackupSecret: env.PARLEY_KEY_BACKUP_SECRET } : {}),
    ...(env.SHOP_AUDIO_DIR ? { audioDir: env.SHOP_AUDIO_DIR } : {}),
    ...(env.PARLEY_WEBHOOK_SECRET ? { webhookSecret: env.PARLEY_WEBHOOK_SECRET } : {}),
    port: Number(env.SHOP_PORT ?? 3000),
    host: env.SHOP_HOST ?? "127.0.0.1",
  });
  process.stdout.write(`shop backend and storefront: ${backend.url}/ (add this origin to the shop's allowedOrigins)\n`);
  const stop = () => backend.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
