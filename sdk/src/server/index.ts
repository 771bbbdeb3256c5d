/**
 * `@parley/sdk/server`: helpers for a shop's backend (Node). The backend
 * knows who is logged in; it signs a short-lived customer token that the
 * browser hands to the gateway at `POST /v1/session`.
 *
 * ```ts
 * const token = await signCustomerToken({
 *   shopId: "acme", key: { alg: "EdDSA", privateKey: process.env.PARLEY_SHOP_KEY! },
 *   customer: { id: user.id, name: user.firstName },
 * });
 * ```
 *
 * A bot or backend signed in as a team device posts cards and hears carts and payments:
 *
 * ```ts
 * const shop = shopCards(botClient);
 * shop.on("cart-submitted", async ({ convId, cart }) => {
 *   const orderId = await shop.postOrder(convId, orderFromCart(cart, { number: "PX-1042", tax: 0, delivery: 250 }));
 *   await shop.setStatus(convId, orderId, "confirmed");
 * });
 * ```
 *
 * A shop's backend checks each webhook the gateway sends (docs/webhooks.md):
 *
 * ```ts
 * const event = await verifyWebhook({ secret, header: req.get("Parley-Signature"), rawBody: req.body });
 * ```
 *
 * @module @parley/sdk/server
 */
import { exportJWK, generateKeyPair, importJWK, importPKCS8, type JWTPayload, SignJWT } from "jose";

export { fileStorage } from "./file-storage.js";
export type { CartSubmittedEvent, SharePaidEvent, ShopCardEvents, ShopCards } from "./shop-cards.js";
export { orderFromCart, shopCards } from "./shop-cards.js";
export type { VerifyWebhookOptions } from "./webhooks.js";
export { verifyWebhook, WebhookVerificationError } from "./webhooks.js";

/** What {@link signCustomerToken} needs. */
export interface SignCustomerTokenOptions {
  /** The shop id registered with the gateway; becomes `iss`. */
  shopId: string;
  /** The shop's signing key: an Ed25519 private key (PKCS#8 PEM or JWK JSON), or the HS256 shared secret. */
  key:
    | {
        /** Ed25519 (the gateway holds only the public key). */
        alg: "EdDSA";
        /** The private key, PKCS#8 PEM or JWK JSON. */
        privateKey: string;
      }
    | {
        /** A shared secret (the gateway holds the same secret). */
        alg: "HS256";
        /** At least 32 characters. */
        secret: string;
      };
  /** Who the customer is. */
  customer: {
    /** The shop's stable id for this customer; becomes `sub`. Never an e-mail address or phone number. */
    id: string;
    /** Display name shown to the shop's agents. */
    name?: string;
    /** Further claims the shop wants its agents to see (plan, order count...). Keep them small. */
    claims?: Record<string, string | number | boolean>;
  };
  /**
   * Audience the gateway expects.
   * @default "parley"
   */
  audience?: string;
  /**
   * Lifetime in seconds, at most 600.
   * @default 300
   */
  ttlSeconds?: number;
}

const RESERVED = new Set(["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "name"]);

function randomJti(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function signingKey(key: SignCustomerTokenOptions["key"]): Promise<CryptoKey | Uint8Array> {
  if (key.alg === "HS256") {
    if (key.secret.length < 32) throw new TypeError("an HS256 secret must be at least 32 characters");
    return new TextEncoder().encode(key.secret);
  }
  const text = key.privateKey.trim();
  return text.startsWith("-----BEGIN")
    ? importPKCS8(text, "EdDSA")
    : (importJWK(JSON.parse(text), "EdDSA") as Promise<CryptoKey>);
}

/** Signs a customer token (a JWT with iss, sub, aud, iat, exp and a single-use jti). */
export async function signCustomerToken(options: SignCustomerTokenOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? 300;
  if (!(ttl > 0 && ttl <= 600)) throw new RangeError("ttlSeconds must be between 1 and 600");
  if (!options.customer.id) throw new TypeError("customer.id is required");
  const extra: JWTPayload = {};
  for (const [name, value] of Object.entries(options.customer.claims ?? {})) {
    if (RESERVED.has(name)) throw new TypeError(`claim ${name} is reserved`);
    extra[name] = value;
  }
  return new SignJWT({ ...extra, ...(options.customer.name ? { name: options.customer.name } : {}) })
    .setProtectedHeader({ alg: options.key.alg, typ: "JWT" })
    .setIssuer(options.shopId)
    .setSubject(options.customer.id)
    .setAudience(options.audience ?? "parley")
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .setJti(randomJti())
    .sign(await signingKey(options.key));
}

/** Makes an Ed25519 key pair for a shop: keep `privateKey` in the shop's backend, register `publicKey` with the gateway. */
export async function generateShopKeyPair(): Promise<{
  /** The private key as JWK JSON: the shop's backend keeps it. */
  privateKey: string;
  /** The public key as JWK JSON: registered with the gateway as the shop's `tokenKey`. */
  publicKey: string;
}> {
  const pair = await generateKeyPair("EdDSA", { extractable: true });
  return {
    privateKey: JSON.stringify(await exportJWK(pair.privateKey)),
    publicKey: JSON.stringify(await exportJWK(pair.publicKey)),
  };
}

/** What {@link keyBackupSecret} needs. */
export interface KeyBackupSecretOptions {
  /**
   * The shop's key backup master secret, at least 32 characters: kept in the
   * backend only, apart from the token key, and never sent to the gateway.
   */
  secret: string;
  /** The same stable customer id the customer token carries as `sub`. */
  customerId: string;
  /**
   * Bump it (per customer) to give that customer a new secret, for example
   * after one of their devices was lost: backups sealed under the old one no
   * longer open, and the customer's devices seal their keys again under the new.
   * @default 1
   */
  version?: number;
}

/**
 * The per-customer key backup secret (ADR 0016): `v<version>.` and the
 * HMAC-SHA256 of the customer id and version under the shop's master secret,
 * in base64url.
 * Hand it to the customer's devices next to the customer token
 * (`Parley('identify', {token, keyBackupSecret})`, or the SDK's
 * `auth.getKeyBackupSecret`), never in the token: the token goes to the
 * gateway, the secret must not. With it a customer's new device reads the
 * history its earlier devices could.
 */
export async function keyBackupSecret(options: KeyBackupSecretOptions): Promise<string> {
  const version = options.version ?? 1;
  if (typeof options.secret !== "string" || options.secret.length < 32) {
    throw new TypeError("the key backup master secret must be at least 32 characters");
  }
  if (!options.customerId) throw new TypeError("customerId is required");
  if (!Number.isSafeInteger(version) || version < 1 || version > 999_999_999) {
    throw new RangeError("version must be an integer from 1 to 999999999");
  }
  const encoder = new TextEncoder();
  const key = await globalThis.crypto.subtle.importKey(
    "raw",
    encoder.encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await globalThis.crypto.subtle.sign(
      "HMAC",
      key,
      encoder.encode(`parley/key-backup-secret/v1\u0000${version}\u0000${options.customerId}`),
    ),
  );
  const text = btoa(String.fromCharCode(...mac))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return `v${version}.${text}`;
}
