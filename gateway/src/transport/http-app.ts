/**
 * The HTTP side of the gateway: sessions, RPC over HTTP for clients without
 * NATS, the admin API, and health. One error middleware turns every failure
 * into `{error: {code, message, requestId}}` with the code's status. Every
 * request gets an id (a valid `X-Request-Id` from the caller, else a new one),
 * sent back as `X-Request-Id` and carried by the events the request causes
 * (`POST /v1/rpc`, the admin API's removals and password resets); every answer
 * is counted by route pattern. Every
 * route here has its entry in the OpenAPI route table (openapi/routes.ts),
 * served at `GET /v1/openapi.json`; gateway/test/openapi.test.ts fails when one
 * is missing.
 */
import {
  agentSessionRequestSchema,
  type HttpErrorReply,
  idSchema,
  REQUEST_ID_HEADER,
  refreshRequestSchema,
  rpcResult,
  sessionRequestSchema,
} from "@parley/sdk/protocol";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { adoptRequestId } from "../observability/request-ids.js";
import { openApiDocument } from "../openapi/document.js";
import type { ChatService } from "../service/chat-service.js";
import { RateLimit } from "../service/rate-limits.js";
import type { RpcAdmission } from "../service/rpc-admission.js";
import type { SessionService } from "../service/sessions.js";
import type { ShopAdmin } from "../service/shop-admin.js";
import type { WebhookAdmin } from "../service/webhooks/admin.js";
import type { Store } from "../store/port.js";
import { parseInput } from "../validation.js";
import { adminRoutes, bearer, requestIdOf, route } from "./admin-routes.js";
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
  /** Where requests are counted; absent, nothing is. */
  metrics?: GatewayMetrics;
}

/** Where routers are mounted, longest first: a route's label is its mount and its pattern. */
const MOUNTS = ["/v1/admin", "/v1/files", "/v1", "/widget"];
/** Methods counted by name; any other is `other`. */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);

/** The route pattern `req` matched (`/v1/rpc/:op`), never its raw path: `unmatched` when it matched none. */
function routeLabel(req: Request): string {
  const pattern: unknown = req.route?.path;
  if (typeof pattern !== "string") return "unmatched";
  const mount = MOUNTS.find((m) => req.originalUrl === m || req.originalUrl.startsWith(`${m}/`)) ?? "";
  return `${mount}${pattern}`;
}

export function createHttpApp(deps: HttpAppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Behind a TLS proxy, rate limits must key on the client's address, not the proxy's.
  app.set("trust proxy", deps.trustProxy ?? false);
  app.set("json escape", true);
  const sessionLimit = new RateLimit({ points: deps.sessionRate ?? 60, durationSeconds: 60, name: "session" });

  app.use((req, res, next) => {
    const started = performance.now();
    const requestId = adoptRequestId(req.get(REQUEST_ID_HEADER));
    res.locals.requestId = requestId;
    res.on("finish", () => {
      deps.metrics?.http(routeLabel(req), METHODS.has(req.method) ? req.method : "other", res.statusCode);
      if (!deps.log.isLevelEnabled("debug")) return;
      const ms = Math.round((performance.now() - started) * 100) / 100;
      deps.log.debug({ reqId: requestId, route: routeLabel(req), status: res.statusCode, ms }, "http request");
    });
    res.set({
      [REQUEST_ID_HEADER]: requestId,
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
          "Access-Control-Allow-Headers": "authorization, content-type, x-request-id",
          "Access-Control-Expose-Headers": REQUEST_ID_HEADER,
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

  api.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });

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
    route(async (req, res) => {
      const started = performance.now();
      const op = String(req.params.op);
      try {
        // A revoked session's API token stops here, whatever its expiry (session-families.ts).
        const principalId = await deps.sessions.families.apiPrincipal(bearer(req));
        const actor = await deps.store.getPrincipal(principalId);
        if (!actor) throw new GatewayError("unauthorized", "unknown principal");
        parseInput(z.string().max(40), op);
        const release = deps.admission?.enter(actor.id);
        try {
          const reply = rpcResult(await deps.chat.rpc(actor, op, req.body ?? {}, { requestId: requestIdOf(res) }));
          deps.metrics?.rpc(op, "ok", "http", started);
          return reply;
        } finally {
          release?.();
        }
      } catch (err) {
        deps.metrics?.rpc(op, toGatewayError(err).code, "http", started);
        throw err;
      }
    }),
  );

  api.use(
    "/admin",
    adminRoutes({ admin: deps.admin, webhooks: deps.webhooks, store: deps.store, adminToken: deps.adminToken }),
  );
  if (deps.fileRoutes) api.use("/files", deps.fileRoutes);
  app.use("/v1", api);
  if (deps.widgetRoutes) app.use("/widget", deps.widgetRoutes);

  app.use((_req, _res, next) => next(new GatewayError("not_found", "no such route")));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = fromHttpError(err);
    const requestId = requestIdOf(res);
    if (error.status >= 500) deps.log.error({ err, reqId: requestId, path: req.path }, "request failed");
    deps.metrics?.failed(error);
    if (error.retryAfter !== undefined) res.set("Retry-After", String(error.retryAfter));
    const body: HttpErrorReply = { error: error.toBody(requestId) };
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
