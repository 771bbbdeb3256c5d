/**
 * Checking a Parley webhook in the shop's backend: the signature (HMAC-SHA256
 * over `t + "." + rawBody` under the webhook's secret, compared in constant
 * time by WebCrypto's `verify`), the timestamp's age, and the body's shape.
 * Pass the raw body exactly as received: a body parsed and serialised again
 * may differ by a byte and no longer match.
 */
import {
  type WebhookErrorCode,
  WebhookErrorCodes,
  type WebhookEvent,
  WebhookEventTypes,
} from "../protocol/webhooks.js";

/** What {@link verifyWebhook} needs. */
export interface VerifyWebhookOptions {
  /** The webhook's secret (the admin API showed it once, or the shop chose it). */
  secret: string;
  /** The `Parley-Signature` header's value. */
  header: string | null | undefined;
  /** The request body exactly as received (a string or its bytes). */
  rawBody: string | Uint8Array;
  /**
   * How far the signed timestamp may be from `now`, seconds (replays older than this are refused).
   * @default 300
   */
  toleranceSeconds?: number;
  /**
   * The current time, ms since the Unix epoch.
   * @default Date.now()
   */
  now?: number;
}

/** A webhook that did not verify; `code` says why (stable), `message` is for people. */
export class WebhookVerificationError extends Error {
  /** Always `WebhookVerificationError`. */
  override readonly name = "WebhookVerificationError";
  /** Why: `webhook_malformed`, `webhook_bad_signature` or `webhook_too_old`. */
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string = WebhookErrorCodes[code].message, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

const encoder = new TextEncoder();

function hexBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** `t=<unix>,v1=<hex>[,v1=<hex>...]` into its timestamp and signatures. */
function parseHeader(header: string): { t: number; signatures: Uint8Array<ArrayBuffer>[] } {
  let t: number | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.trim().split("=", 2);
    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    if (key === "v1") {
      const bytes = hexBytes(value);
      if (bytes) signatures.push(bytes);
    }
  }
  if (t === undefined || signatures.length === 0) {
    throw new WebhookVerificationError("webhook_malformed", "the signature header needs t=<unix seconds> and v1=<hex>");
  }
  return { t, signatures };
}

/**
 * Verifies a webhook and returns its event; throws {@link WebhookVerificationError} with code
 * `webhook_malformed`, `webhook_bad_signature` or `webhook_too_old`.
 *
 * ```ts
 * import express from "express";
 * import { verifyWebhook, WebhookVerificationError } from "@parley/sdk/server";
 *
 * app.post("/parley/webhook", express.raw({ type: "application/json" }), async (req, res) => {
 *   try {
 *     const event = await verifyWebhook({
 *       secret: process.env.PARLEY_WEBHOOK_SECRET!,
 *       header: req.get("Parley-Signature"),
 *       rawBody: req.body, // a Buffer: express.raw, not express.json
 *     });
 *     if (await alreadySeen(event.id)) return res.sendStatus(200); // retries repeat the id
 *     if (event.type === "message.created") await notifyByEmail(event.data.recipients);
 *     res.sendStatus(200);
 *   } catch (err) {
 *     if (err instanceof WebhookVerificationError) return res.status(400).send(err.code);
 *     throw err;
 *   }
 * });
 * ```
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  if (typeof options.secret !== "string" || options.secret.length === 0) throw new TypeError("secret is required");
  if (typeof options.header !== "string" || options.header.length > 4096) {
    throw new WebhookVerificationError("webhook_malformed", "no Parley-Signature header");
  }
  const { t, signatures } = parseHeader(options.header);
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? Date.now();
  if (Math.abs(now / 1000 - t) > tolerance) throw new WebhookVerificationError("webhook_too_old");
  const body = typeof options.rawBody === "string" ? encoder.encode(options.rawBody) : options.rawBody;
  const signed = new Uint8Array([...encoder.encode(`${t}.`), ...body]);
  const key = await globalThis.crypto.subtle.importKey(
    "raw",
    encoder.encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  let valid = false;
  for (const signature of signatures) {
    // WebCrypto's HMAC verify compares in constant time.
    if (await globalThis.crypto.subtle.verify("HMAC", key, signature, signed)) valid = true;
  }
  if (!valid) throw new WebhookVerificationError("webhook_bad_signature");
  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(body));
  } catch (cause) {
    throw new WebhookVerificationError("webhook_malformed", "the body is not JSON", { cause });
  }
  const e = event as Partial<WebhookEvent> | null;
  if (
    !e ||
    typeof e !== "object" ||
    typeof e.id !== "string" ||
    typeof e.shopId !== "string" ||
    typeof e.createdAt !== "number" ||
    !WebhookEventTypes.includes(e.type as never) ||
    typeof e.data !== "object" ||
    e.data === null
  ) {
    throw new WebhookVerificationError("webhook_malformed", "the body is not a Parley webhook event");
  }
  return event as WebhookEvent;
}
