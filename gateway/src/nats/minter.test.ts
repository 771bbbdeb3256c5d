import { createAccount, decode, type User } from "@nats-io/jwt";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { ID_PATTERN, PrincipalKinds } from "@parley/sdk/protocol";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { generateNatsAuth, type NatsAuth } from "./accounts.js";
import { JwtMinter, MAX_PRINCIPAL_TTL_SECONDS } from "./minter.js";

let auth: NatsAuth;
let minter: JwtMinter;

beforeAll(async () => {
  auth = await generateNatsAuth();
  minter = new JwtMinter({ accountPub: auth.appAccountPub, signingSeed: auth.appSigningSeed });
});

const signerPub = () => fromSeed(new TextEncoder().encode(auth.appSigningSeed)).getPublicKey();

/** Strings that must never reach a subject: anything not matching ID_PATTERN, biased to the dangerous characters. */
const unsafeId = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 80 }),
    fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/),
        fc.constantFrom(".", "*", ">", " ", "\t", "\n", "é", "😀", "\u0000", "\u200b", "/", "$"),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/),
      )
      .map(([a, bad, b]) => `${a}${bad}${b}`),
    fc.stringMatching(/^[A-Za-z0-9_-]{65,80}$/),
  )
  .filter((s) => !ID_PATTERN.test(s));
const safeId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

describe("JwtMinter.mintPrincipal", () => {
  it("mints a customer a bearer, WebSocket-only JWT whose allow-lists name exactly its own subjects", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { jwt, expiresAt } = await minter.mintPrincipal({
      principalId: "c_alice",
      kind: "customer",
      shopId: "s_shop1",
      ttlSeconds: 120,
    });
    const claims = decode<User>(jwt); // also verifies the signature
    expect(claims.iss).toBe(signerPub());
    expect(claims.nats.issuer_account).toBe(auth.appAccountPub);
    expect(claims.nats.type).toBe("user");
    expect(claims.sub).toMatch(/^U[A-Z2-7]{55}$/);
    expect(claims.name).toBe("c_alice");
    expect(claims.nats.pub).toEqual({ allow: ["api.c_alice.>"] });
    expect(claims.nats.sub).toEqual({ allow: ["user.c_alice.ev", "_INBOX_c_alice.>"] });
    expect(claims.nats.resp).toBeUndefined();
    expect(claims.nats.bearer_token).toBe(true);
    expect(claims.nats.allowed_connection_types).toEqual(["WEBSOCKET"]);
    expect(claims.nats.subs).toBe(50);
    expect(claims.nats.payload).toBe(128 * 1024);
    expect(claims.nats.data).toBe(-1);
    expect(claims.exp).toBeGreaterThanOrEqual(before + 120);
    expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
    expect(expiresAt).toBe((claims.exp ?? 0) * 1000);
  });

  it.each(["agent", "bot"] as const)(
    "lets a team member (%s) also subscribe to its shop's team subject",
    async (kind) => {
      const { jwt } = await minter.mintPrincipal({ principalId: "a_bob", kind, shopId: "s_shop1" });
      const claims = decode<User>(jwt);
      expect(claims.nats.pub).toEqual({ allow: ["api.a_bob.>"] });
      expect(claims.nats.sub).toEqual({ allow: ["user.a_bob.ev", "_INBOX_a_bob.>", "team.s_shop1.ev"] });
    },
  );

  it("gives a guest no team subject", async () => {
    const { jwt } = await minter.mintPrincipal({ principalId: "g_x", kind: "guest", shopId: "s_shop1" });
    expect(decode<User>(jwt).nats.sub).toEqual({ allow: ["user.g_x.ev", "_INBOX_g_x.>"] });
  });

  it("defaults to a 300 s lifetime and never exceeds 600 s", async () => {
    // The JWT library stamps iat from its own clock read, which can fall in the next
    // second; so exp is checked against the clock around the call instead of iat.
    const before = Math.floor(Date.now() / 1000);
    const { jwt, expiresAt } = await minter.mintPrincipal({ principalId: "c_a", kind: "customer", shopId: "s_1" });
    const after = Math.floor(Date.now() / 1000);
    const c = decode<User>(jwt);
    expect(c.exp).toBeGreaterThanOrEqual(before + 300);
    expect(c.exp).toBeLessThanOrEqual(after + 300);
    expect(expiresAt).toBe((c.exp ?? 0) * 1000);
    const max = decode<User>(
      (await minter.mintPrincipal({ principalId: "c_a", kind: "customer", shopId: "s_1", ttlSeconds: 600 })).jwt,
    );
    expect((max.exp ?? 0) - max.iat).toBeLessThanOrEqual(MAX_PRINCIPAL_TTL_SECONDS);
  });

  it.each([601, 3600, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects a ttl of %s", async (ttlSeconds) => {
    await expect(
      minter.mintPrincipal({ principalId: "c_a", kind: "customer", shopId: "s_1", ttlSeconds }),
    ).rejects.toThrow(RangeError);
  });

  it("rejects an unknown principal kind", async () => {
    const kind = "admin" as (typeof PrincipalKinds)[number];
    await expect(minter.mintPrincipal({ principalId: "c_a", kind, shopId: "s_1" })).rejects.toThrow(TypeError);
  });

  it("uses a fresh user key for every mint", async () => {
    const req = { principalId: "c_a", kind: "customer", shopId: "s_1" } as const;
    const a = decode<User>((await minter.mintPrincipal(req)).jwt);
    const b = decode<User>((await minter.mintPrincipal(req)).jwt);
    expect(a.sub).not.toBe(b.sub);
  });

  it("rejects any principal id that is not a subject-safe token, before minting", async () => {
    await fc.assert(
      fc.asyncProperty(unsafeId, fc.constantFrom(...PrincipalKinds), async (principalId, kind) => {
        await expect(minter.mintPrincipal({ principalId, kind, shopId: "s_1" })).rejects.toThrow(TypeError);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects any shop id that is not a subject-safe token, for every kind", async () => {
    await fc.assert(
      fc.asyncProperty(unsafeId, fc.constantFrom(...PrincipalKinds), async (shopId, kind) => {
        await expect(minter.mintPrincipal({ principalId: "c_a", kind, shopId })).rejects.toThrow(TypeError);
      }),
      { numRuns: 300 },
    );
  });

  it("puts every valid id into its subjects verbatim, as exactly one token", async () => {
    await fc.assert(
      fc.asyncProperty(safeId, safeId, async (principalId, shopId) => {
        const { jwt } = await minter.mintPrincipal({ principalId, kind: "agent", shopId, ttlSeconds: 60 });
        const c = decode<User>(jwt);
        expect(c.nats.pub?.allow).toEqual([`api.${principalId}.>`]);
        expect(c.nats.sub?.allow).toEqual([`user.${principalId}.ev`, `_INBOX_${principalId}.>`, `team.${shopId}.ev`]);
      }),
      { numRuns: 50 },
    );
  });
});

describe("JwtMinter.mintService", () => {
  it("mints a non-bearer, TCP-only JWT for the gateway that may serve api.*.>, use _INBOX.> and its internal subjects", async () => {
    const { jwt, seed } = await minter.mintService({ name: "gateway-1" });
    const c = decode<User>(jwt);
    expect(c.name).toBe("gateway-1");
    expect(c.iss).toBe(signerPub());
    expect(c.nats.issuer_account).toBe(auth.appAccountPub);
    expect(c.nats.bearer_token).toBe(false);
    expect(c.nats.allowed_connection_types).toEqual(["STANDARD"]);
    expect(c.nats.pub).toEqual({ allow: [">"] });
    expect(c.nats.sub).toEqual({ allow: ["api.*.>", "_INBOX.>", "parley.internal.>"] });
    expect(c.exp).toBeUndefined();
    expect(fromSeed(new TextEncoder().encode(seed)).getPublicKey()).toBe(c.sub);
  });

  it("rejects a service name that is not subject-safe", async () => {
    await expect(minter.mintService({ name: "gw.1" })).rejects.toThrow(TypeError);
  });
});

describe("JwtMinter construction", () => {
  it("refuses a key that is not an account key or seed", () => {
    const seed = new TextDecoder().decode(createAccount().getSeed());
    expect(() => new JwtMinter({ accountPub: "UABC", signingSeed: seed })).toThrow(TypeError);
    expect(() => new JwtMinter({ accountPub: auth.appAccountPub, signingSeed: "SUAAAA" })).toThrow(TypeError);
  });
});

describe("mintBot", () => {
  it("issues a non-bearer JWT to the given user key, with the bot's subjects only", async () => {
    const key = createUser();
    const { jwt } = await minter.mintBot({ principalId: "b_bot1", shopId: "s_shop1", userPub: key.getPublicKey() });
    const claims = decode<{ bearer_token?: boolean; pub?: { allow: string[] }; sub?: { allow: string[] } }>(jwt);
    expect(claims.sub).toBe(key.getPublicKey());
    expect(claims.nats.bearer_token).toBe(false);
    expect(claims.nats.pub?.allow).toEqual(["api.b_bot1.>"]);
    expect([...(claims.nats.sub?.allow ?? [])].sort()).toEqual([
      "_INBOX_b_bot1.>",
      "team.s_shop1.ev",
      "user.b_bot1.ev",
    ]);
  });

  it("refuses a key that is not a user public key", async () => {
    for (const userPub of ["", "SUAAAA", createAccount().getPublicKey(), `${createUser().getPublicKey()}.`]) {
      await expect(minter.mintBot({ principalId: "b_bot1", shopId: "s_shop1", userPub })).rejects.toThrow(TypeError);
    }
  });
});
