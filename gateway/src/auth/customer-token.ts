/**
 * Verifies the short-lived customer tokens a shop's backend signs. The
 * algorithm is pinned per shop (no `none`, no HS256/EdDSA confusion); issuer,
 * audience and a short lifetime are required; each `jti` is accepted once.
 */

import { displayNameSchema } from "@parley/sdk/protocol";
import {
  type CryptoKey,
  importJWK,
  importSPKI,
  type JWK,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import type { ShopRecord, TokenIdStore } from "../store/port.js";

/** Longest accepted lifetime (exp - iat) of a customer token, seconds. */
export const MAX_CUSTOMER_TOKEN_TTL = 600;

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  jti: z.string().min(8).max(200),
  iat: z.number().int(),
  exp: z.number().int(),
  name: displayNameSchema.optional(),
});

export interface CustomerClaims {
  sub: string;
  name: string | undefined;
  /** Every claim the shop signed, for the dashboard's customer details. */
  raw: JWTPayload;
}

type VerifyKey = CryptoKey | Uint8Array;
const keyCache = new WeakMap<ShopRecord["tokenKey"], Promise<VerifyKey>>();

/**
 * Imports a shop's token key the way tokens are verified: HS256 secrets as bytes; an EdDSA
 * key as an SPKI PEM or a JWK that holds an Ed25519 public key (not a private key, not X25519
 * or RSA). Throws `token_key_invalid` for anything else, so a shop cannot be registered with a
 * key that would fail every customer's session later.
 */
export async function importTokenKey(spec: ShopRecord["tokenKey"]): Promise<VerifyKey> {
  if (spec.alg === "HS256") return new TextEncoder().encode(spec.secret);
  const text = spec.publicKey.trim();
  let key: CryptoKey;
  try {
    if (text.startsWith("-----BEGIN")) {
      key = await importSPKI(text, "EdDSA");
    } else {
      const jwk = JSON.parse(text) as unknown;
      if (!jwk || typeof jwk !== "object" || Array.isArray(jwk) || "d" in jwk) throw new Error("not a public JWK");
      key = (await importJWK(jwk as JWK, "EdDSA")) as CryptoKey;
    }
  } catch (err) {
    throw new GatewayError("token_key_invalid", "tokenKey.publicKey is not an Ed25519 public key (SPKI PEM or JWK)", {
      cause: err,
    });
  }
  if (key.type !== "public" || key.algorithm.name !== "Ed25519") {
    throw new GatewayError("token_key_invalid", "tokenKey.publicKey is not an Ed25519 public key (SPKI PEM or JWK)");
  }
  return key;
}

function verificationKey(shop: ShopRecord): Promise<VerifyKey> {
  const spec = shop.tokenKey;
  let key = keyCache.get(spec);
  if (!key) {
    // Shops are checked when registered (ShopAdmin.putShop); one stored before that check answers
    // token_key_invalid here rather than an internal error.
    key = importTokenKey(spec);
    keyCache.set(spec, key);
  }
  return key;
}

export async function verifyCustomerToken(
  token: string,
  shop: ShopRecord,
  context: { audience: string; store: TokenIdStore; now?: number },
): Promise<CustomerClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await verificationKey(shop), {
      algorithms: [shop.tokenKey.alg],
      issuer: shop.id,
      audience: context.audience,
      requiredClaims: ["sub", "jti", "iat", "exp"],
      maxTokenAge: MAX_CUSTOMER_TOKEN_TTL,
      ...(context.now === undefined ? {} : { currentDate: new Date(context.now) }),
    }));
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw new GatewayError("unauthorized", "invalid customer token");
    throw err;
  }
  const claims = claimsSchema.safeParse(payload);
  // A name with bidi controls or invisible characters: the shop's backend must send a plain one.
  if (!claims.success && claims.error.issues.some((i) => i.code === "custom" && i.path[0] === "name")) {
    throw new GatewayError(
      "display_name_invalid",
      "the token's name claim holds invisible or text-direction characters",
    );
  }
  if (!claims.success || claims.data.exp - claims.data.iat > MAX_CUSTOMER_TOKEN_TTL) {
    throw new GatewayError("unauthorized", "invalid customer token");
  }
  const fresh = await context.store.consumeTokenId(shop.id, claims.data.jti, claims.data.exp * 1000);
  if (!fresh) throw new GatewayError("unauthorized", "customer token already used");
  return { sub: claims.data.sub, name: claims.data.name, raw: payload };
}
