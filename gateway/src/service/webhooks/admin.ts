/**
 * A shop's webhook settings: set (URL and secret, the secret shown only in
 * the answer that set it), read (never the secret) and removed through the
 * admin API; the delivery log for the shop's admin agents (`webhook.log`).
 */
import { randomBytes } from "node:crypto";
import { type RpcResults, WEBHOOK_LOG_LIMIT, type WebhookInfo } from "@parley/sdk/protocol";
import { z } from "zod";
import { GatewayError } from "../../errors.js";
import type { AgentStore, PrincipalRecord, ShopStore, WebhookStore } from "../../store/port.js";
import type { WebhookOptions } from "./options.js";
import { webhookUrlProblem } from "./url-policy.js";

export const webhookInputSchema = z.strictObject({
  url: z.string().max(2000),
  /** The shop's own secret; absent, the gateway makes one. */
  secret: z.string().min(32, "must be at least 32 characters").max(256).optional(),
});

export interface WebhookAdminOptions {
  store: WebhookStore & ShopStore & AgentStore;
  settings: Required<WebhookOptions>;
  /** Called after a shop's webhook changed (the event cache forgets it). */
  onChange?: (shopId: string) => void;
  now?: () => number;
}

export class WebhookAdmin {
  readonly #o: WebhookAdminOptions;

  constructor(options: WebhookAdminOptions) {
    this.#o = options;
  }

  /** Sets the shop's webhook; the answer holds the secret, the only time it is shown. */
  async put(shopId: string, input: z.output<typeof webhookInputSchema>): Promise<WebhookInfo & { secret: string }> {
    if (!(await this.#o.store.getShop(shopId))) throw new GatewayError("not_found", "no such shop");
    const problem = webhookUrlProblem(input.url, this.#o.settings.allowLoopback);
    if (problem) throw new GatewayError("bad_request", `url: ${problem}`);
    const now = (this.#o.now ?? Date.now)();
    const existing = await this.#o.store.getWebhookConfig(shopId);
    const secret = input.secret ?? `whsec_${randomBytes(32).toString("base64url")}`;
    const url = new URL(input.url).href;
    await this.#o.store.putWebhookConfig({
      shopId,
      url,
      secret,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    this.#o.onChange?.(shopId);
    return { url, updatedAt: now, secret };
  }

  async get(shopId: string): Promise<WebhookInfo | null> {
    const config = await this.#o.store.getWebhookConfig(shopId);
    return config ? { url: config.url, updatedAt: config.updatedAt } : null;
  }

  async remove(shopId: string): Promise<void> {
    if (!(await this.#o.store.deleteWebhookConfig(shopId))) throw new GatewayError("not_found", "no webhook");
    this.#o.onChange?.(shopId);
  }

  /** `webhook.log`: the shop's webhook and newest attempts, for its admin agents. */
  async log(actor: PrincipalRecord, limit = WEBHOOK_LOG_LIMIT): Promise<RpcResults["webhook.log"]> {
    const agent = actor.kind === "agent" ? await this.#o.store.getAgent(actor.shopId, actor.externalId) : undefined;
    if (agent?.principalId !== actor.id || agent.role !== "admin") {
      throw new GatewayError("forbidden", "only the shop's admin agents read its webhook log");
    }
    const [webhook, records] = await Promise.all([
      this.get(actor.shopId),
      this.#o.store.listWebhookAttempts(actor.shopId, Math.min(limit, WEBHOOK_LOG_LIMIT)),
    ]);
    return { webhook, attempts: records.map(({ shopId: _s, ...attempt }) => attempt) };
  }
}
