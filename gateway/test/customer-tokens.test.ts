import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { SHOP_ID, SHOP_SECRET, startStack, type TestStack } from "./harness/stack.js";

/** Signs a token for the test shop with whatever claims and header a test wants. */
async function sign(
  claims: Record<string, unknown>,
  key: Uint8Array | CryptoKey = new TextEncoder().encode(SHOP_SECRET),
  alg = "HS256",
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(key);
}

const now = () => Math.floor(Date.now() / 1000);
const good = () => ({
  iss: SHOP_ID,
  aud: "parley",
  sub: "cust-tok",
  iat: now(),
  exp: now() + 300,
  jti: crypto.randomUUID(),
});

describe("customer tokens at POST /v1/session", () => {
  let stack: TestStack;
  const post = (body: unknown) =>
    fetch(`${stack.url}/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("accepts a well-formed token once and returns a scoped session", async () => {
    const res = await post({ shopId: SHOP_ID, token: await sign(good()) });
    expect(res.status).toBe(200);
    const session = await res.json();
    expect(session.principal).toMatchObject({ kind: "customer", shopId: SHOP_ID });
    expect(session.nats.inboxPrefix).toBe(`_INBOX_${session.principal.id}`);
    expect(session.nats.expiresAt - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it("returns the same principal for the same customer across sessions", async () => {
    const claims = { ...good(), sub: "same-person" };
    const a = await (await post({ shopId: SHOP_ID, token: await sign(claims) })).json();
    const b = await (
      await post({ shopId: SHOP_ID, token: await sign({ ...claims, jti: crypto.randomUUID() }) })
    ).json();
    expect(a.principal.id).toBe(b.principal.id);
  });

  const attacks: Array<[string, () => Promise<string>]> = [
    ["a token signed with the wrong key", () => sign(good(), new TextEncoder().encode("x".repeat(40)))],
    [
      "alg none",
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        return `${header}.${base64url.encode(JSON.stringify(good()))}.`;
      },
    ],
    [
      "alg confusion: an EdDSA token for an HS256 shop",
      async () => {
        const { privateKey } = await generateKeyPair("EdDSA");
        return sign(good(), privateKey, "EdDSA");
      },
    ],
    [
      "HS256 signed with the shop's public JWK as secret (key confusion)",
      async () => {
        const { publicKey } = await generateKeyPair("EdDSA", { extractable: true });
        return sign(good(), new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey))));
      },
    ],
    ["an expired token", () => sign({ ...good(), iat: now() - 400, exp: now() - 100 })],
    ["a token without exp", () => sign({ ...good(), exp: undefined })],
    ["a token living longer than ten minutes", () => sign({ ...good(), exp: now() + 3600 })],
    ["a token without jti", () => sign({ ...good(), jti: undefined })],
    ["a token for another audience", () => sign({ ...good(), aud: "someone-else" })],
    ["a token from another issuer", () => sign({ ...good(), iss: "other_shop" })],
    ["a token without sub", () => sign({ ...good(), sub: undefined })],
    ["a token issued in the future", () => sign({ ...good(), iat: now() + 3600, exp: now() + 3900 })],
    ["garbage", async () => "not.a.jwt"],
  ];
  for (const [name, make] of attacks) {
    it(`refuses ${name} with 401 unauthorized`, async (ctx) => {
      const row = asAttack(ctx, { area: "tokens", attack: `customer token: ${name}`, expected: "401 unauthorized" });
      const res = await post({ shopId: SHOP_ID, token: await make() });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
      row.observed(`${res.status} unauthorized`);
    });
  }

  it("refuses a replayed token (same jti) with 401", async (ctx) => {
    const row = asAttack(ctx, {
      area: "tokens",
      attack: "customer token replayed (same jti)",
      expected: "401 on the second use",
    });
    const token = await sign(good());
    expect((await post({ shopId: SHOP_ID, token })).status).toBe(200);
    const replay = await post({ shopId: SHOP_ID, token });
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.code).toBe("unauthorized");
    row.observed("first 200, replay 401");
  });

  it("refuses a session from a storefront origin the shop did not allow", async (ctx) => {
    const row = asAttack(ctx, {
      area: "tokens",
      attack: "session from an origin the shop did not allow",
      expected: "403 origin_not_allowed",
    });
    const res = await fetch(`${stack.url}/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ shopId: SHOP_ID, token: await sign(good()) }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("origin_not_allowed");
    row.observed("403 origin_not_allowed");
  });

  it("verifies EdDSA tokens for a shop registered with an Ed25519 public key, and refuses HS256 for it", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
    await stack.gateway.admin.putShop("shop_ed", {
      name: "Ed Shop",
      tokenKey: { alg: "EdDSA", publicKey: JSON.stringify(await exportJWK(publicKey)) },
      allowedOrigins: [],
      allowGuests: false,
    });
    const claims = { ...good(), iss: "shop_ed" };
    const ok = await post({ shopId: "shop_ed", token: await sign(claims, privateKey, "EdDSA") });
    expect(ok.status).toBe(200);
    const hs = await post({ shopId: "shop_ed", token: await sign({ ...claims, jti: crypto.randomUUID() }) });
    expect(hs.status).toBe(401);
    const guest = await post({ shopId: "shop_ed", guest: true });
    expect(guest.status).toBe(403);
    expect((await guest.json()).error.code).toBe("guests_disabled");
  });
});
