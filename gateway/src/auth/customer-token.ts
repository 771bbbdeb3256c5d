/**
 * Verifies the short-lived customer tokens a shop's backend signs. The
 * algorithm is pinned per shop (no `none`, no HS256/EdDSA confusion); issuer,
 * audience and a short lifetime are required; each `jti` is accepted once.
 */

import { displayNameSchema } from "@parley/sdk/protocol";
import { type CryptoKey, importJWK, importSPKI, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
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

function verificationKey(shop: ShopRecord): Promise<VerifyKey> {
  const spec = shop.tokenKey;
  let key = keyCache.get(spec);
  if (!key) {
    key =
      spec.alg === "HS256"
        ? Promise.resolve(new TextEncoder().encode(spec.secret))
        : spec.publicKey.trim().startsWith("-----BEGIN")
          ? importSPKI(spec.publicKey, "EdDSA")
          : (importJWK(JSON.parse(spec.publicKey), "EdDSA") as Promise<CryptoKey>);
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
