/** Webhook settings (environment in config.ts), with their defaults. */

export interface WebhookOptions {
  /** Allow `http:` and loopback receivers (development and tests only). @default false */
  allowLoopback?: boolean;
  /** How long one attempt may take, ms. @default 10000 */
  timeoutMs?: number;
  /** The first retry's delay, ms; each further one doubles it (plus up to half again, random). @default 30000 */
  backoffBaseMs?: number;
  /** The longest delay between two attempts, ms. @default 3600000 (an hour) */
  backoffMaxMs?: number;
  /** Attempts before an event is marked failed. @default 8 */
  maxAttempts?: number;
  /** Age after which an event is marked failed instead of retried, ms. @default 86400000 (a day) */
  maxAgeMs?: number;
  /** How long `message.created` waits for more messages of the same conversation to coalesce, ms. @default 10000 */
  coalesceMs?: number;
  /** How often a gateway looks for due deliveries, ms. @default 1000 */
  pollMs?: number;
  /** Attempts the delivery log keeps per shop. @default 100 */
  logSize?: number;
}

export const WEBHOOK_DEFAULTS: Required<WebhookOptions> = {
  allowLoopback: false,
  timeoutMs: 10_000,
  backoffBaseMs: 30_000,
  backoffMaxMs: 3_600_000,
  maxAttempts: 8,
  maxAgeMs: 86_400_000,
  coalesceMs: 10_000,
  pollMs: 1000,
  logSize: 100,
};

/** The options with defaults filled in; throws a RangeError on a value out of range. */
export function parseWebhookOptions(options: WebhookOptions = {}): Required<WebhookOptions> {
  const o = { ...WEBHOOK_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  for (const key of [
    "timeoutMs",
    "backoffBaseMs",
    "backoffMaxMs",
    "maxAttempts",
    "maxAgeMs",
    "pollMs",
    "logSize",
  ] as const) {
    if (!Number.isSafeInteger(o[key]) || o[key] < 1)
      throw new RangeError(`webhooks: ${key} must be a positive integer`);
  }
  if (!Number.isSafeInteger(o.coalesceMs) || o.coalesceMs < 0) {
    throw new RangeError("webhooks: coalesceMs must be an integer of at least 0");
  }
  return o;
}

/**
 * The delay before attempt `attempt + 1`, after `attempt` failed: base * 2^(attempt-1), plus a random
 * part of up to half that (so gateways retrying together spread out), capped. Each delay is longer
 * than the one before until the cap.
 */
export function backoffMs(o: Required<WebhookOptions>, attempt: number, random = Math.random): number {
  const step = o.backoffBaseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(o.backoffMaxMs, Math.round(step + (step / 2) * random()));
}
