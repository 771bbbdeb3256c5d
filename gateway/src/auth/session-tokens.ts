/**
 * The gateway's own tokens: an API token (bearer for HTTP RPC and files, as
 * short-lived as the NATS JWT) and a refresh token (exchanged once for new
 * credentials). Both are HS256 JWTs under the gateway's session secret and
 * name the principal (`sub`) and the session family (`sid`, see
 * service/session-families.ts); a refresh token also names its generation
 * (`gen`). Expiry is checked on the wall clock.
 */
import { jwtVerify, SignJWT } from "jose";
import { GatewayError } from "../errors.js";

const ISSUER = "parley-gateway";
type TokenUse = "api" | "refresh";

/** What a token names. */
export interface TokenClaims {
  principalId: string;
  /** The session family (one per sign-in). */
  sid: string;
  /** Refresh tokens: the family generation it was issued at. */
  gen?: number;
}

export class SessionTokens {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  sign(use: TokenUse, claims: TokenClaims, ttlSeconds: number): Promise<string> {
    return new SignJWT({ use, sid: claims.sid, ...(claims.gen === undefined ? {} : { gen: claims.gen }) })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ISSUER)
      .setAudience(ISSUER)
      .setSubject(claims.principalId)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.#key);
  }

  /** Resolves what the token names, or throws `unauthorized` (also for tokens without a session family). */
  async verify(use: TokenUse, token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: ISSUER,
        requiredClaims: ["sub", "exp", "sid"],
      });
      const { use: claimedUse, sub, sid, gen } = payload;
      if (claimedUse !== use || typeof sub !== "string" || typeof sid !== "string") throw new Error("wrong token");
      if (use === "refresh" && !(typeof gen === "number" && Number.isSafeInteger(gen) && gen >= 1)) {
        throw new Error("refresh token without a generation");
      }
      return { principalId: sub, sid, ...(typeof gen === "number" ? { gen } : {}) };
    } catch {
      throw new GatewayError("unauthorized", `invalid ${use} token`);
    }
  }
}
