/**
 * Sends the outbox: every `pollMs` this gateway claims due events (a lease in
 * the store: one gateway per attempt, port/webhooks.ts), POSTs each, signed, to
 * its shop's webhook, and settles it: delivered (any 2xx) and removed; or
 * retried after an exponential backoff with jitter; or, past `maxAttempts` or
 * `maxAgeMs`, failed and removed. Every attempt goes to the shop's delivery log.
 * `stop()` waits for the attempts in flight; a gateway that dies mid-attempt
 * leaves its events to be claimed again when their lease lapses.
 *
 * An event queued in a request carries that request's id (stored with it, so
 * a retry after a restart still has it): every attempt sends it as
 * `Parley-Request-Id` (outside the signed body) and logs it as `reqId`.
 */
import { WebhookHeaders } from "@parley/sdk/protocol";
import type { Logger } from "pino";
import type { WebhookAttemptRecord, WebhookItem, WebhookStore } from "../../store/port.js";
import { backoffMs, type WebhookOptions } from "./options.js";
import { postWebhook } from "./post.js";
import { signatureHeader } from "./sign.js";
import { webhookUrlProblem } from "./url-policy.js";

/** Events claimed per poll. */
const BATCH = 16;

export interface WebhookDeliveryOptions {
  store: WebhookStore;
  settings: Required<WebhookOptions>;
  now: () => number;
  log?: Logger | undefined;
}

/** The body of a delivery: the same bytes on every attempt. */
export function webhookBody(item: WebhookItem): string {
  return JSON.stringify({
    id: item.id,
    type: item.type,
    shopId: item.shopId,
    createdAt: item.createdAt,
    data: item.data,
  });
}

export class WebhookDelivery {
  readonly #o: WebhookDeliveryOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(options: WebhookDeliveryOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops polling and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#inFlight;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#inFlight = this.poll()
        .then(() => undefined)
        .catch((err: unknown) => this.#o.log?.warn({ err }, "webhook delivery poll failed"))
        .finally(() => this.#schedule());
    }, this.#o.settings.pollMs);
  }

  /** Claims and sends what is due now (one round; public for tests). */
  async poll(): Promise<number> {
    const { settings } = this.#o;
    const leaseMs = settings.timeoutMs * 2 + 5000;
    const items = await this.#o.store.claimWebhooks(this.#o.now(), leaseMs, BATCH);
    await Promise.all(items.map((item) => this.#attempt(item)));
    return items.length;
  }

  async #attempt(item: WebhookItem): Promise<void> {
    const { store, settings } = this.#o;
    const started = this.#o.now();
    const config = await store.getWebhookConfig(item.shopId);
    let status = 0;
    let error: string | undefined;
    const problem = config && webhookUrlProblem(config.url, settings.allowLoopback);
    if (!config) error = "the shop has no webhook";
    else if (problem) error = `webhook URL refused: ${problem}`;
    else {
      const body = webhookBody(item);
      const result = await postWebhook({
        url: config.url,
        body,
        timeoutMs: settings.timeoutMs,
        allowLoopback: settings.allowLoopback,
        headers: {
          [WebhookHeaders.id]: item.id,
          [WebhookHeaders.attempt]: String(item.attempts),
          [WebhookHeaders.signature]: signatureHeader(config.secret, Math.floor(this.#o.now() / 1000), body),
          ...(item.requestId === undefined ? {} : { [WebhookHeaders.requestId]: item.requestId }),
        },
      });
      status = result.status;
      if (result.error) error = result.error;
      else if (status < 200 || status > 299) error = `HTTP ${status}`;
    }
    const now = this.#o.now();
    const delivered = error === undefined;
    const giveUp = !config || item.attempts >= settings.maxAttempts || now - item.createdAt >= settings.maxAgeMs;
    const nextAt = delivered || giveUp ? undefined : now + backoffMs(settings, item.attempts);
    const settled = await store.settleWebhook(item.id, item.dueAt, nextAt);
    // The event's request, if one queued it: the gateway log line an operator follows it back to.
    const reqId = item.requestId;
    if (!settled) this.#o.log?.warn({ id: item.id, reqId }, "a webhook attempt outlived its lease");
    const attempt: WebhookAttemptRecord = {
      shopId: item.shopId,
      eventId: item.id,
      type: item.type,
      attempt: item.attempts,
      at: started,
      status,
      durationMs: Math.max(0, now - started),
      outcome: delivered ? "delivered" : nextAt === undefined ? "failed" : "retry",
      ...(nextAt === undefined ? {} : { nextAt }),
      ...(error === undefined ? {} : { error }),
    };
    await store.logWebhookAttempt(attempt, settings.logSize);
    const line = { id: item.id, shopId: item.shopId, type: item.type, attempt: item.attempts, reqId };
    if (attempt.outcome === "failed") this.#o.log?.warn({ ...line, error }, "webhook failed");
    else this.#o.log?.debug({ ...line, outcome: attempt.outcome, status }, "webhook attempt");
  }
}
