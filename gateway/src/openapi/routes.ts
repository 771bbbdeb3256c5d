/**
 * Every HTTP route the gateway serves, described once: method, path, who may
 * call it, its parameters and body (the zod schemas the route validates with),
 * its answers and the error codes it sends. The OpenAPI document
 * (document.ts, `GET /v1/openapi.json`, docs/openapi.json) is made from this
 * table, and gateway/test/openapi.test.ts checks it against the routes a real
 * gateway registers, both ways: a new route gets its entry here or the test fails.
 *
 * Adding a route: register it (http-app.ts or its router), add its entry to
 * `routes` below with the zod schemas it parses with, then `npm run openapi`
 * to rewrite docs/openapi.json.
 */
import {
  agentSessionRequestSchema,
  type ErrorCode,
  idSchema,
  RPC_OPS,
  refreshRequestSchema,
  rpcRequestSchemas,
  sessionRequestSchema,
} from "@parley/sdk/protocol";
import { z } from "zod";
import { agentInputSchema, passwordInputSchema, shopInputSchema } from "../service/shop-admin.js";
import { webhookInputSchema } from "../service/webhooks/admin.js";
import { rpcResultSchemas } from "./rpc-results.js";
import {
  adminAgentReplySchema,
  adminShopListSchema,
  adminShopReplySchema,
  adminShopViewSchema,
  adminWebhookPutSchema,
  adminWebhookSchema,
  doctorReplySchema,
  fileUploadResultSchema,
  GATEWAY_ERROR_CODES,
  healthSchema,
  okSchema,
  readinessSchema,
  sessionResponseSchema,
  widgetConfigSchema,
} from "./wire-schemas.js";

/** Who may call a route: anyone, a signed-in principal (its `apiToken`), or the operator (`PARLEY_ADMIN_TOKEN`). */
export type RouteAuth = "none" | "session" | "admin";

/** One answer: a JSON body with its schema, or another content type. */
export type RouteAnswer = { description: string; json: z.ZodType } | { description: string; contentType: string };

export interface RouteDoc {
  method: "get" | "post" | "put" | "delete";
  /** The documented path, Express style (`/v1/admin/shops/:shopId`). */
  path: string;
  /** The Express path serving it when that is not `path` (each RPC op is documented at its own path). @default path */
  servedBy?: string;
  /** Groups routes in the document: `sessions`, `rpc`, `files`, `admin`, `health`, `widget`, `meta`. */
  tag: string;
  /** One line for people. */
  summary: string;
  /** More for people (markdown), when one line is not enough. */
  description?: string;
  auth: RouteAuth;
  /** Path parameters, by name (the schemas the route parses them with). */
  params?: Record<string, z.ZodType>;
  /** Query parameters, by name; all required. */
  query?: Record<string, z.ZodType>;
  /** The JSON body's schema, or a raw body's content type. */
  body?: z.ZodType | { contentType: string };
  /** The answers that are not errors, by status. */
  answers: Record<number, RouteAnswer>;
  /** Error codes beyond those every route of its kind may send (see {@link errorCodesOf}). */
  errors: ErrorCode[];
}

/** The error codes a route may answer: its own, and those of its auth and body. */
export function errorCodesOf(route: RouteDoc): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors);
  codes.add("internal");
  if (route.path.startsWith("/v1/")) codes.add("not_found"); // an unknown path under /v1, the disabled admin API
  if (route.body && !("contentType" in route.body)) {
    for (const code of ["bad_request", "payload_too_large"] as const) codes.add(code);
  }
  if (route.params || route.query) codes.add("bad_request");
  if (route.auth !== "none") codes.add("unauthorized");
  return [...codes];
}

const ok = (json: z.ZodType, description = "Done."): Record<number, RouteAnswer> => ({ 200: { description, json } });
const agentParams = { shopId: idSchema, login: agentInputSchema.shape.login };
const SESSION_ERRORS: ErrorCode[] = ["bad_request", "rate_limited", "unavailable"];

/** One entry per RPC operation: `POST /v1/rpc/<op>`, served by the `/v1/rpc/:op` route. */
const rpcRoutes: RouteDoc[] = RPC_OPS.map((op) => ({
  method: "post",
  path: `/v1/rpc/${op}`,
  servedBy: "/v1/rpc/:op",
  tag: "rpc",
  summary: `The \`${op}\` operation (the same as over NATS).`,
  description: `Answers \`{ok: true, result}\`; the errors are those of docs/protocol.md for \`${op}\`.`,
  auth: "session",
  body: rpcRequestSchemas[op],
  answers: ok(z.object({ ok: z.literal(true), result: rpcResultSchemas[op] }), "The operation's result."),
  // Any operation may answer any code the gateway sends; docs/protocol.md says which for each op.
  errors: GATEWAY_ERROR_CODES,
}));

export const routes: RouteDoc[] = [
  {
    method: "get",
    path: "/healthz",
    tag: "health",
    summary: "Liveness: 200 while the process serves HTTP.",
    auth: "none",
    answers: ok(healthSchema, "Alive."),
    errors: [],
  },
  {
    method: "get",
    path: "/readyz",
    tag: "health",
    summary: "Readiness: 200 when NATS is connected and the store answers, else 503.",
    auth: "none",
    answers: {
      200: { description: "Ready.", json: readinessSchema },
      503: { description: "Not ready: `checks` says what is down.", json: readinessSchema },
    },
    errors: [],
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    tag: "meta",
    summary: "This document.",
    auth: "none",
    answers: { 200: { description: "The OpenAPI 3.1 document.", contentType: "application/json" } },
    errors: [],
  },
  {
    method: "post",
    path: "/v1/session",
    tag: "sessions",
    summary: "A customer signs in with the shop's token, or a guest without one.",
    auth: "none",
    body: sessionRequestSchema,
    answers: ok(sessionResponseSchema, "The new session."),
    errors: [
      ...SESSION_ERRORS,
      "display_name_invalid",
      "unauthorized",
      "guests_disabled",
      "origin_not_allowed",
      "device_taken",
      "token_key_invalid",
    ],
  },
  {
    method: "post",
    path: "/v1/session/refresh",
    tag: "sessions",
    summary: "Exchanges a refresh token for fresh credentials (and the next refresh token).",
    auth: "none",
    body: refreshRequestSchema,
    answers: ok(sessionResponseSchema, "The session's next credentials."),
    errors: [...SESSION_ERRORS, "unauthorized"],
  },
  {
    method: "post",
    path: "/v1/session/logout",
    tag: "sessions",
    summary: "Revokes the session (its family) the refresh token belongs to.",
    auth: "none",
    body: refreshRequestSchema.pick({ refreshToken: true }),
    answers: ok(okSchema, "Signed out."),
    errors: [...SESSION_ERRORS, "unauthorized"],
  },
  {
    method: "post",
    path: "/v1/agent/session",
    tag: "sessions",
    summary: "A member of a shop's team (agent or bot) signs in with login and password.",
    auth: "none",
    body: agentSessionRequestSchema,
    answers: ok(sessionResponseSchema, "The new session."),
    errors: [...SESSION_ERRORS, "unauthorized", "origin_not_allowed", "device_taken"],
  },
  ...rpcRoutes,
  {
    method: "post",
    path: "/v1/files",
    tag: "files",
    summary: "Uploads a file's ciphertext into a conversation (members and the shop's team).",
    auth: "session",
    query: { convId: idSchema },
    body: { contentType: "application/octet-stream" },
    answers: { 201: { description: "Stored.", json: fileUploadResultSchema } },
    errors: ["bad_request", "not_found", "too_large", "quota_exceeded", "rate_limited"],
  },
  {
    method: "get",
    path: "/v1/files/:id",
    tag: "files",
    summary: "Downloads a file's ciphertext, as an opaque attachment.",
    auth: "session",
    params: { id: z.string().regex(/^fb_[A-Za-z0-9_-]{22}$/) },
    query: { convId: idSchema },
    answers: { 200: { description: "The ciphertext.", contentType: "application/octet-stream" } },
    errors: ["not_found"],
  },
  {
    method: "get",
    path: "/v1/admin/shops",
    tag: "admin",
    summary: "Lists every shop (without its token key) with its team's logins (`parley-gateway shop list`).",
    auth: "admin",
    answers: ok(adminShopListSchema, "The shops, by id."),
    errors: [],
  },
  {
    method: "get",
    path: "/v1/admin/shops/:shopId",
    tag: "admin",
    summary: "One shop (without its token key) with its team's logins.",
    auth: "admin",
    params: { shopId: idSchema },
    answers: ok(adminShopViewSchema, "The shop."),
    errors: [],
  },
  {
    method: "put",
    path: "/v1/admin/shops/:shopId/webhook",
    tag: "admin",
    summary: "Sets the shop's webhook (docs/webhooks.md); the answer holds its secret, the only time it is shown.",
    auth: "admin",
    params: { shopId: idSchema },
    body: webhookInputSchema,
    answers: ok(adminWebhookPutSchema, "The webhook with its secret."),
    errors: [],
  },
  {
    method: "get",
    path: "/v1/admin/shops/:shopId/webhook",
    tag: "admin",
    summary: "The shop's webhook, without its secret; 404 when it has none.",
    auth: "admin",
    params: { shopId: idSchema },
    answers: ok(adminWebhookSchema, "The webhook."),
    errors: [],
  },
  {
    method: "delete",
    path: "/v1/admin/shops/:shopId/webhook",
    tag: "admin",
    summary: "Removes the shop's webhook; 404 when it has none.",
    auth: "admin",
    params: { shopId: idSchema },
    answers: ok(okSchema),
    errors: [],
  },
  {
    method: "post",
    path: "/v1/admin/doctor",
    tag: "admin",
    summary: "The gateway's clock and a write and delete in the store's scratch table (`parley-gateway doctor`).",
    auth: "admin",
    answers: ok(doctorReplySchema, "The clock, and whether the store took the write."),
    errors: [],
  },
  {
    method: "put",
    path: "/v1/admin/shops/:shopId",
    tag: "admin",
    summary: "Registers or replaces a shop.",
    auth: "admin",
    params: { shopId: idSchema },
    body: shopInputSchema,
    answers: ok(adminShopReplySchema, "The shop as stored, without its token key."),
    errors: ["display_name_invalid", "token_key_invalid"],
  },
  {
    method: "post",
    path: "/v1/admin/shops/:shopId/agents",
    tag: "admin",
    summary: "Adds an agent or bot login to a shop, or replaces its password and display name.",
    auth: "admin",
    params: { shopId: idSchema },
    body: agentInputSchema,
    answers: ok(adminAgentReplySchema, "The login."),
    errors: ["display_name_invalid", "handle_invalid", "handle_taken", "handle_reserved", "handle_confusable"],
  },
  {
    method: "put",
    path: "/v1/admin/shops/:shopId/agents/:login/password",
    tag: "admin",
    summary: "Sets an agent's password; its sessions are revoked.",
    auth: "admin",
    params: agentParams,
    body: passwordInputSchema,
    answers: ok(okSchema),
    errors: [],
  },
  {
    method: "delete",
    path: "/v1/admin/shops/:shopId/agents/:login",
    tag: "admin",
    summary: "Removes an agent or bot login and revokes its sessions (its principal and messages stay).",
    auth: "admin",
    params: agentParams,
    answers: ok(okSchema),
    errors: [],
  },
  {
    method: "get",
    path: "/widget/parley.js",
    tag: "widget",
    summary: "The widget's script-tag launcher, loadable from any storefront.",
    auth: "none",
    answers: { 200: { description: "The script.", contentType: "text/javascript" } },
    errors: ["not_found"],
  },
  {
    method: "get",
    path: "/widget/config/:shopId",
    tag: "widget",
    summary: "A shop's public widget settings.",
    auth: "none",
    params: { shopId: idSchema },
    answers: ok(widgetConfigSchema, "The settings."),
    errors: ["not_found"],
  },
  {
    method: "get",
    path: "/widget/frame/",
    tag: "widget",
    summary: "The chat frame's page, with a Content-Security-Policy for the shop.",
    auth: "none",
    query: { shop: idSchema },
    answers: {
      200: { description: "The page.", contentType: "text/html" },
      301: { description: "To the same URL with its trailing slash.", contentType: "text/html" },
    },
    errors: ["not_found"],
  },
  {
    method: "get",
    path: "/widget/frame/:file",
    tag: "widget",
    summary: "The chat frame's content-hashed scripts, styles and WebAssembly.",
    auth: "none",
    params: { file: z.string().regex(/^[A-Za-z0-9_-]{1,80}\.(js|css|wasm)$/) },
    answers: {
      200: { description: "The file (JavaScript, CSS or WebAssembly), cached for good.", contentType: "*/*" },
    },
    errors: ["not_found"],
  },
];
