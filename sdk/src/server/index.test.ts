import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { generateShopKeyPair, signCustomerToken } from "./index.js";

describe("signCustomerToken", () => {
  it("signs an EdDSA token the shop's public key verifies, with iss, sub, aud, a short exp and a jti", async () => {
    const pair = await generateShopKeyPair();
    const token = await signCustomerToken({
      shopId: "acme",
      key: { alg: "EdDSA", privateKey: pair.privateKey },
      customer: { id: "u-42", name: "Mia", claims: { plan: "gold" } },
    });
    const { payload } = await jwtVerify(token, await importJWK(JSON.parse(pair.publicKey), "EdDSA"), {
      issuer: "acme",
      audience: "parley",
      algorithms: ["EdDSA"],
    });
    expect(payload).toMatchObject({ sub: "u-42", name: "Mia", plan: "gold" });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(payload.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(decodeProtectedHeader(token).alg).toBe("EdDSA");
  });

  it("gives every token its own jti", async () => {
    const key = { alg: "HS256" as const, secret: "s".repeat(32) };
    const a = decodeJwt(await signCustomerToken({ shopId: "acme", key, customer: { id: "u" } }));
    const b = decodeJwt(await signCustomerToken({ shopId: "acme", key, customer: { id: "u" } }));
    expect(a.jti).not.toBe(b.jti);
  });

  it("refuses a lifetime over ten minutes, a short HS256 secret and reserved claim names", async () => {
    const key = { alg: "HS256" as const, secret: "s".repeat(32) };
    await expect(signCustomerToken({ shopId: "a", key, customer: { id: "u" }, ttlSeconds: 601 })).rejects.toThrow(
      RangeError,
    );
    await expect(
      signCustomerToken({ shopId: "a", key: { alg: "HS256", secret: "short" }, customer: { id: "u" } }),
    ).rejects.toThrow(TypeError);
    await expect(
      signCustomerToken({ shopId: "a", key, customer: { id: "u", claims: { sub: "someone-else" } } }),
    ).rejects.toThrow("reserved");
  });
});
