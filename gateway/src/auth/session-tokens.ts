/**
 * The gateway's own tokens: an API token (bearer for HTTP RPC, as short-lived
 * as the NATS JWT) and a refresh token (exchanged for new credentials). Both
 * are HS256 JWTs under the gateway's session secret and name the principal.
 */
import { jwtVerify, SignJWT } from "jose";
import { GatewayError } from "../errors.js";

const ISSUER = "parley-gateway";
type TokenUse = "api" | "refresh";

export class SessionTokens {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  sign(use: TokenUse, principalId: string, ttlSeconds: number): Promise<string> {
    return new SignJWT({ use })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ISSUER)
      .setAudience(ISSUER)
      .setSubject(principalId)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.#key);
  }

  /** Resolves the principal id, or throws `unauthorized`. */
  async verify(use: TokenUse, token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: ISSUER,
        requiredClaims: ["sub", "exp"],
      });
      if (payload.use !== use || typeof payload.sub !== "string") throw new Error("wrong token use");
      return payload.sub;
    } catch {
      throw new GatewayError("unauthorized", `invalid ${use} token`);
    }
  }
}
