/**
 * `/v1/admin`: the operator's routes, behind `PARLEY_ADMIN_TOKEN` (404 when it
 * is unset). Shops and their team logins (what `parley-gateway shop|agent|bot`
 * calls), each shop's webhook, and `POST /doctor`, the gateway's side of
 * `parley-gateway doctor`: its clock and a write to the store.
 */
import { timingSafeEqual } from "node:crypto";
import { idSchema } from "@parley/sdk/protocol";
import express, { type NextFunction, type Request, type Response } from "express";
import { GatewayError } from "../errors.js";
import type { ShopAdmin } from "../service/shop-admin.js";
import { agentInputSchema, passwordInputSchema, shopInputSchema } from "../service/shop-admin.js";
import { type WebhookAdmin, webhookInputSchema } from "../service/webhooks/admin.js";
import type { Store } from "../store/port.js";
import { parseInput } from "../validation.js";

export interface AdminRoutesOptions {
  admin: ShopAdmin;
  webhooks: WebhookAdmin;
  store: Store;
  /** The bearer token the routes require; unset, every admin route answers 404. */
  adminToken: string | undefined;
}

/** What `POST /v1/admin/doctor` answers. */
export interface DoctorReply {
  /** The gateway's clock, ms since the epoch, read while answering. */
  now: number;
  /** The store took a write and a delete in its scratch table (`probeWrite`), or why not. */
  store: { ok: true; kind: string } | { ok: false; kind: string; message: string };
}

export function bearer(req: Request): string {
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

/** The request id of `res`'s request (set by the HTTP app's first middleware): events it causes carry it. */
export function requestIdOf(res: Response): string {
  return res.locals.requestId as string;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;
/** Wraps an async handler: its result is sent as JSON, its errors go to the error middleware. */
export const route =
  (handler: Handler) =>
  (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).then((body) => {
      if (!res.headersSent) res.json(body);
    }, next);
  };

export function adminRoutes(o: AdminRoutesOptions): express.Router {
  const admin = express.Router();
  admin.use((req, _res, next) => {
    const expected = o.adminToken;
    if (!expected) return next(new GatewayError("not_found", "the admin API is disabled"));
    try {
      if (!sameSecret(bearer(req), expected)) throw new GatewayError("unauthorized");
      next();
    } catch (err) {
      next(err);
    }
  });
  admin.get(
    "/shops",
    route(async () => ({ shops: await o.admin.listShops() })),
  );
  admin.get(
    "/shops/:shopId",
    route(async (req) => ({ shop: await o.admin.getShop(parseInput(idSchema, req.params.shopId)) })),
  );
  admin.put(
    "/shops/:shopId",
    route(async (req) => {
      const shopId = parseInput(idSchema, req.params.shopId);
      return { shop: await o.admin.putShop(shopId, parseInput(shopInputSchema, req.body)) };
    }),
  );
  admin.post(
    "/shops/:shopId/agents",
    route(async (req, res) => {
      const shopId = parseInput(idSchema, req.params.shopId);
      return { agent: await o.admin.addAgent(shopId, parseInput(agentInputSchema, req.body), requestIdOf(res)) };
    }),
  );
  const agentPath = "/shops/:shopId/agents/:login";
  const agentKey = (req: Request) => ({
    shopId: parseInput(idSchema, req.params.shopId),
    login: parseInput(agentInputSchema.shape.login, req.params.login),
  });
  admin.put(
    `${agentPath}/password`,
    route(async (req, res) => {
      const { shopId, login } = agentKey(req);
      await o.admin.setPassword({ shopId, login }, parseInput(passwordInputSchema, req.body), requestIdOf(res));
      return { ok: true };
    }),
  );
  admin.delete(
    agentPath,
    route(async (req, res) => {
      const { shopId, login } = agentKey(req);
      await o.admin.removeAgent(shopId, login, requestIdOf(res));
      return { ok: true };
    }),
  );
  const webhookPath = "/shops/:shopId/webhook";
  admin.put(
    webhookPath,
    route(async (req) => {
      const shopId = parseInput(idSchema, req.params.shopId);
      return { webhook: await o.webhooks.put(shopId, parseInput(webhookInputSchema, req.body)) };
    }),
  );
  admin.get(
    webhookPath,
    route(async (req) => {
      const webhook = await o.webhooks.get(parseInput(idSchema, req.params.shopId));
      if (!webhook) throw new GatewayError("not_found", "no webhook");
      return { webhook };
    }),
  );
  admin.delete(
    webhookPath,
    route(async (req) => {
      await o.webhooks.remove(parseInput(idSchema, req.params.shopId));
      return { ok: true };
    }),
  );
  admin.post(
    "/doctor",
    route(async (): Promise<DoctorReply> => {
      const kind = o.store.kind;
      try {
        await o.store.probeWrite();
        return { now: Date.now(), store: { ok: true, kind } };
      } catch (error) {
        return { now: Date.now(), store: { ok: false, kind, message: (error as Error).message } };
      }
    }),
  );
  return admin;
}
