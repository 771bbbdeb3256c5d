/**
 * The HTTP side of the gateway: sessions, RPC over HTTP for clients without
 * NATS, the admin API, and health. One error middleware turns every failure
 * into `{error: {code, message}}` with the code's status.
 */
import { timingSafeEqual } from "node:crypto";
import {
  agentSessionRequestSchema,
  type HttpErrorReply,
  idSchema,
  refreshRequestSchema,
  rpcResult,
  sessionRequestSchema,
} from "@parley/sdk/protocol";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import type { ChatService } from "../service/chat-service.js";
import { RateLimit } from "../service/rate-limits.js";
import type { RpcAdmission } from "../service/rpc-admission.js";
import type { SessionService } from "../service/sessions.js";
import type { ShopAdmin } from "../service/shop-admin.js";
import { agentInputSchema, passwordInputSchema, shopInputSchema } from "../service/shop-admin.js";
import { type WebhookAdmin, webhookInputSchema } from "../service/webhooks/admin.js";
import type { Store } from "../store/port.js";
import { parseInput } from "../validation.js";
import { toGatewayError } from "./to-gateway-error.js";

export interface HttpAppDeps {
  sessions: SessionService;
  chat: ChatService;
  admin: ShopAdmin;
  /** `PUT/GET/DELETE /v1/admin/shops/:shopId/webhook`. */
  webhooks: WebhookAdmin;
  store: Store;
  log: Logger;
  adminToken: string | undefined;
  /** Readiness beyond the store: NATS connected and not draining. */
  isReady: () => boolean;
  /** Origins allowed to call the API from a browser (every shop's storefronts and the gateway's own). */
  corsOrigins: () => Promise<Set<string>>;
  /**
   * Express `trust proxy`: a number of hops (`1`: the client is the last `X-Forwarded-For` address, the
   * one the proxy appended) or the proxies' addresses. @default false
   */
  trustProxy?: number | string[] | undefined;
  /** Session requests per client IP per minute. @default 60 */
  sessionRate?: number;
  /** `POST /v1/files` and `GET /v1/files/:id` (file-routes.ts); absent, there are no file routes. */
  fileRoutes?: express.Router;
  /** `/widget/*`: the launcher script, the chat frame and its files (widget-routes.ts); absent, no widget. */
  widgetRoutes?: express.Router;
  /** The RPC concurrency limits `POST /v1/rpc` shares with the NATS responder; absent, none over HTTP. */
  admission?: RpcAdmission;
}

function bearer(req: Request): string {
  const header = req.get("authorization") ?? "";
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header);
  if (!match?.[1]) throw new GatewayError("unauthorized", "missing bearer token");
  return match[1];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

type Handler = (req: Request, res: Response) => Promise<unknown>;
/** Wraps an async handler: its result is sent as JSON, its errors go to the error middleware. */
const route =
  (handler: Handler) =>
  (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).then((body) => {
      if (!res.headersSent) res.json(body);
    }, next);
  };

export function createHttpApp(deps: HttpAppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Behind a TLS proxy, rate limits must key on the client's address, not the proxy's.
  app.set("trust proxy", deps.trustProxy ?? false);
  app.set("json escape", true);
  const sessionLimit = new RateLimit({ points: deps.sessionRate ?? 60, durationSeconds: 60 });

  app.use((_req, res, next) => {
    res.set({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Cross-Origin-Resource-Policy": "same-site",
      "Cache-Control": "no-store",
    });
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get(
    "/readyz",
    route(async (_req, res) => {
      const checks = { nats: deps.isReady(), store: true };
      try {
        await deps.store.ping();
      } catch {
        checks.store = false;
      }
      const ready = checks.nats && checks.store;
      res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", checks });
    }),
  );

  const api = express.Router();
  api.use((req, res, next) => {
    const origin = req.get("origin");
    if (!origin) return next();
    deps.corsOrigins().then((allowed) => {
      if (allowed.has(origin)) {
        res.set({
          "Access-Control-Allow-Origin": origin,
          "Access-Control-Allow-Headers": "authorization, content-type",
          "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
          "Access-Control-Max-Age": "600",
          Vary: "Origin",
        });
      }
      if (req.method === "OPTIONS") res.status(204).end();
      else next();
    }, next);
  });
  api.use(express.json({ limit: "100kb", strict: true, type: ["application/json"] }));

  api.post(
    "/session",
    route(async (req) => {
      await sessionLimit.take(`ip:${req.ip}`);
      const body = parseInput(sessionRequestSchema, req.body);
      const origin = req.get("origin");
      const client = { ...(origin ? { origin } : {}), ip: req.ip };
      return "token" in body
        ? deps.sessions.customer({ ...body, ...client })
        : deps.sessions.guest({ ...body, ...client });
    }),
  );
  api.post(
    "/session/refresh",
    route(async (req) => {
      await sessionLimit.take(`ip:${req.ip}`);
      const body = parseInput(refreshRequestSchema, req.body);
      return deps.sessions.refresh(body.refreshToken, body.natsUserKey, req.ip);
    }),
  );
  api.post(
    "/session/logout",
    route(async (req) => {
      await sessionLimit.take(`ip:${req.ip}`);
      const body = parseInput(refreshRequestSchema.pick({ refreshToken: true }), req.body);
      await deps.sessions.logout(body.refreshToken);
      return { ok: true };
    }),
  );
  api.post(
    "/agent/session",
    route(async (req) => {
      const body = parseInput(agentSessionRequestSchema, req.body);
      await sessionLimit.take(`ip:${req.ip}`);
      await sessionLimit.take(`agent:${body.shopId}:${body.login}`);
      const origin = req.get("origin");
      return deps.sessions.agent({ ...body, ...(origin ? { origin } : {}), ip: req.ip });
    }),
  );
  api.post(
    "/rpc/:op",
    route(async (req) => {
      // A revoked session's API token stops here, whatever its expiry (session-families.ts).
      const principalId = await deps.sessions.families.apiPrincipal(bearer(req));
      const actor = await deps.store.getPrincipal(principalId);
      if (!actor) throw new GatewayError("unauthorized", "unknown principal");
      const op = parseInput(z.string().max(40), req.params.op);
      const release = deps.admission?.enter(actor.id);
      try {
        return rpcResult(await deps.chat.rpc(actor, op, req.body ?? {}));
      } finally {
        release?.();
      }
    }),
  );

  const admin = express.Router();
  admin.use((req, _res, next) => {
    const expected = deps.adminToken;
    if (!expected) return next(new GatewayError("not_found", "the admin API is disabled"));
    try {
      if (!sameSecret(bearer(req), expected)) throw new GatewayError("unauthorized");
      next();
    } catch (err) {
      next(err);
    }
  });
  admin.put(
    "/shops/:shopId",
    route(async (req) => {
      const shopId = parseInput(idSchema, req.params.shopId);
      return { shop: await deps.admin.putShop(shopId, parseInput(shopInputSchema, req.body)) };
    }),
  );
  admin.post(
    "/shops/:shopId/agents",
    route(async (req) => {
      const shopId = parseInput(idSchema, req.params.shopId);
      return { agent: await deps.admin.addAgent(shopId, parseInput(agentInputSchema, req.body)) };
    }),
  );
  const agentPath = "/shops/:shopId/agents/:login";
  const agentKey = (req: Request) => ({
    shopId: parseInput(idSchema, req.params.shopId),
    login: parseInput(agentInputSchema.shape.login, req.params.login),
  });
  admin.put(
    `${agentPath}/password`,
    route(async (req) => {
      const { shopId, login } = agentKey(req);
      await deps.admin.setPassword(shopId, login, parseInput(passwordInputSchema, req.body));
      return { ok: true };
    }),
  );
  admin.delete(
    agentPath,
    route(async (req) => {
      const { shopId, login } = agentKey(req);
      await deps.admin.removeAgent(shopId, login);
      return { ok: true };
    }),
  );
  const webhookPath = "/shops/:shopId/webhook";
  admin.put(
    webhookPath,
    route(async (req) => {
      const shopId = parseInput(idSchema, req.params.shopId);
      return { webhook: await deps.webhooks.put(shopId, parseInput(webhookInputSchema, req.body)) };
    }),
  );
  admin.get(
    webhookPath,
    route(async (req) => {
      const webhook = await deps.webhooks.get(parseInput(idSchema, req.params.shopId));
      if (!webhook) throw new GatewayError("not_found", "no webhook");
      return { webhook };
    }),
  );
  admin.delete(
    webhookPath,
    route(async (req) => {
      await deps.webhooks.remove(parseInput(idSchema, req.params.shopId));
      return { ok: true };
    }),
  );
  api.use("/admin", admin);
  if (deps.fileRoutes) api.use("/files", deps.fileRoutes);
  app.use("/v1", api);
  if (deps.widgetRoutes) app.use("/widget", deps.widgetRoutes);

  app.use((_req, _res, next) => next(new GatewayError("not_found", "no such route")));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = fromHttpError(err);
    if (error.status >= 500) deps.log.error({ err, path: req.path }, "request failed");
    if (error.retryAfter !== undefined) res.set("Retry-After", String(error.retryAfter));
    const body: HttpErrorReply = { error: error.toBody() };
    res.status(error.status).json(body);
  });
  return app;
}

/** body-parser's errors carry a `type`; map them onto stable codes. */
function fromHttpError(err: unknown): GatewayError {
  if (err && typeof err === "object" && "type" in err && !(err instanceof GatewayError)) {
    const type = (err as { type?: unknown }).type;
    if (type === "entity.too.large") return new GatewayError("payload_too_large");
    if (type === "entity.parse.failed") return new GatewayError("bad_request", "body is not JSON");
    if (typeof type === "string" && type.startsWith("entity.")) return new GatewayError("bad_request");
  }
  return toGatewayError(err);
}
