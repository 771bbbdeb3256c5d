/**
 * Attack rows for issue 17's smaller gateway items: a client forging its
 * address with `X-Forwarded-For` behind a one-hop proxy, shop token keys that
 * cannot be parsed, and the chat frame's image sources.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signCustomerToken } from "@parley/sdk/server";
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { loadConfig } from "../../src/config.js";
import { attack } from "../harness/attack.js";
import { ADMIN_TOKEN, startStack, type TestStack } from "../harness/stack.js";
import { postJson } from "./kit.js";

/** `PUT /v1/admin/shops/:id` with the admin token. */
async function putShop(stack: TestStack, shopId: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${stack.url}/v1/admin/shops/${shopId}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;

describe.each([
  { hops: "1", forwarded: "198.51.100.66, 203.0.113.7", client: "203.0.113.7" },
  { hops: "2", forwarded: "198.51.100.66, 203.0.113.8, 10.0.0.2", client: "203.0.113.8" },
])("PARLEY_TRUST_PROXY=$hops", ({ hops, forwarded, client }) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { PARLEY_TRUST_PROXY: hops } });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  attack(
    {
      area: "http",
      attack: `client forges X-Forwarded-For behind ${hops} proxy hop(s) (PARLEY_TRUST_PROXY=${hops})`,
      expected: `client IP is the address the ${hops === "1" ? "proxy" : "first proxy"} appended, not the forged one`,
    },
    async (row) => {
      const res = await postJson(
        stack,
        "/v1/session",
        { shopId: "shop_test", guest: true },
        {
          "x-forwarded-for": forwarded,
        },
      );
      expect(res.status).toBe(200);
      const principal = (res.body as { principal: { id: string } }).principal.id;
      const seen = (await stack.gateway.store.getPrincipal(principal))?.lastIp;
      row.observed(`X-Forwarded-For "${forwarded}": client IP recorded ${seen}`);
      expect(seen).toBe(client);
    },
  );
});

attack(
  {
    area: "http",
    attack: "PARLEY_TRUST_PROXY=true (trust every hop: the leftmost, forgeable address)",
    expected: "the gateway refuses to start with a config error naming PARLEY_TRUST_PROXY",
  },
  async (row) => {
    const base = {
      NATS_URL: "nats://127.0.0.1:4222",
      NATS_WS_URL: "ws://127.0.0.1:4223",
      NATS_AUTH_FILE: "unused-auth.json",
      PARLEY_SESSION_SECRET: "test-session-secret-0123456789abcdefghij",
    };
    const refused: string[] = [];
    for (const value of ["true", "yes", "not-an-address", "0"]) {
      try {
        loadConfig({ ...base, PARLEY_TRUST_PROXY: value });
      } catch (err) {
        if (String(err).includes("PARLEY_TRUST_PROXY")) refused.push(value);
      }
    }
    const accepted = ["1", "loopback", "10.0.0.0/8, 127.0.0.1", "false"].filter((value) => {
      try {
        loadConfig({ ...base, PARLEY_TRUST_PROXY: value });
        return true;
      } catch {
        return false;
      }
    });
    row.observed(
      `${refused.length} of 4 bad values refused (${refused.join(", ")}); ${accepted.length} of 4 good accepted`,
    );
    expect(refused).toEqual(["true", "yes", "not-an-address", "0"]);
    expect(accepted).toHaveLength(4);
  },
);

describe("shop token keys", () => {
  let stack: TestStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startStack();
    dir = await mkdtemp(join(tmpdir(), "parley-shops-"));
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  const shop = (publicKey: string) => ({
    name: "Key Shop",
    tokenKey: { alg: "EdDSA", publicKey },
    allowedOrigins: ["https://shop.test"],
  });

  attack(
    {
      area: "admin",
      attack: "register a shop whose EdDSA key does not parse (garbage, RSA, private key, bad JWK, X25519)",
      expected: "400 token_key_invalid at registration; no shop stored, no 500 at session time",
    },
    async (row) => {
      const rsa = await generateKeyPair("RS256", { extractable: true });
      const x25519 = await generateKeyPair("ECDH-ES", { crv: "X25519", extractable: true });
      const ed = await generateKeyPair("EdDSA", { extractable: true });
      const bad = {
        garbage: "x".repeat(60),
        "RSA SPKI": await exportSPKI(rsa.publicKey),
        "Ed25519 private key": await exportPKCS8(ed.privateKey),
        "PEM with a garbage body": `-----BEGIN PUBLIC KEY-----\n${"A".repeat(60)}\n-----END PUBLIC KEY-----`,
        "JWK, short x": JSON.stringify({ kty: "OKP", crv: "Ed25519", x: "AAAA" }),
        "X25519 JWK": JSON.stringify(await exportJWK(x25519.publicKey)),
      };
      const answers: string[] = [];
      const sessions: number[] = [];
      let stored = 0;
      for (const [name, key] of Object.entries(bad)) {
        const id = `shop_bad_${answers.length}`;
        const res = await putShop(stack, id, shop(key));
        answers.push(`${name}: ${res.status} ${codeOf(res.body) ?? "ok"}`);
        // Whatever the registration said, a customer token for the shop must never cause a 500.
        const other = await generateKeyPair("EdDSA", { extractable: true });
        const token = await signCustomerToken({
          shopId: id,
          key: { alg: "EdDSA", privateKey: await exportPKCS8(other.privateKey) },
          customer: { id: "c1" },
        });
        sessions.push((await postJson(stack, "/v1/session", { shopId: id, token })).status);
        if (await stack.gateway.store.getShop(id)) stored++;
      }
      row.observed(`${answers.join("; ")}; ${stored} stored; sessions answered ${sessions.join(", ")}`);
      expect(stored).toBe(0);
      expect(answers.every((a) => a.endsWith("400 token_key_invalid"))).toBe(true);
      expect(sessions.every((s) => s < 500)).toBe(true);
    },
  );

  attack(
    {
      area: "admin",
      attack: "register shops with good EdDSA keys (SPKI PEM, JWK), then sign in a customer",
      expected: "200 at registration, 200 sessions with tokens from the matching private key",
    },
    async (row) => {
      const ed = await generateKeyPair("EdDSA", { extractable: true });
      const statuses: number[] = [];
      for (const [id, publicKey] of [
        ["shop_pem", await exportSPKI(ed.publicKey)],
        ["shop_jwk", JSON.stringify(await exportJWK(ed.publicKey))],
      ] as const) {
        statuses.push((await putShop(stack, id, shop(publicKey))).status);
        const token = await signCustomerToken({
          shopId: id,
          key: { alg: "EdDSA", privateKey: await exportPKCS8(ed.privateKey) },
          customer: { id: "c1" },
        });
        statuses.push((await postJson(stack, "/v1/session", { shopId: id, token })).status);
      }
      row.observed(`registration and session statuses: ${statuses.join(", ")}`);
      expect(statuses).toEqual([200, 200, 200, 200]);
    },
  );

  attack(
    {
      area: "sessions",
      attack: "customer session for a shop stored with a bad EdDSA key before registration checked keys",
      expected: "400 token_key_invalid, not 500",
    },
    async (row) => {
      await stack.gateway.store.putShop({
        id: "shop_legacy",
        name: "Legacy",
        tokenKey: { alg: "EdDSA", publicKey: "x".repeat(60) },
        allowedOrigins: [],
        allowGuests: false,
        createdAt: Date.now(),
      });
      const other = await generateKeyPair("EdDSA", { extractable: true });
      const token = await signCustomerToken({
        shopId: "shop_legacy",
        key: { alg: "EdDSA", privateKey: await exportPKCS8(other.privateKey) },
        customer: { id: "c1" },
      });
      const res = await postJson(stack, "/v1/session", { shopId: "shop_legacy", token });
      row.observed(`session answered ${res.status} ${codeOf(res.body)}`);
      expect([res.status, codeOf(res.body)]).toEqual([400, "token_key_invalid"]);
    },
  );

  attack(
    {
      area: "admin",
      attack: "a shops file with an EdDSA key that does not parse",
      expected: "loading the file fails naming the shop and tokenKey; nothing stored",
    },
    async (row) => {
      const file = join(dir, "shops.json");
      await writeFile(
        file,
        JSON.stringify({
          shops: [{ id: "shop_file_bad", ...shop("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----") }],
        }),
      );
      const error = await stack.gateway.admin.loadFile(file).then(
        () => "",
        (err: unknown) => String(err),
      );
      row.observed(error ? `refused: ${error.slice(0, 120)}` : "loaded");
      expect(error).toMatch(/shop_file_bad|shops\.0/);
      expect(error).toContain("tokenKey");
      expect(await stack.gateway.store.getShop("shop_file_bad")).toBeUndefined();
    },
  );

  attack(
    {
      area: "widget",
      attack: "the chat frame's CSP lets images load from data: URLs",
      expected: "img-src 'self' blob: (plus the shop's tile origin), no data:",
    },
    async (row) => {
      const res = await fetch(`${stack.url}/widget/frame/?shop=shop_test`);
      const csp = res.headers.get("content-security-policy") ?? "";
      const img =
        csp
          .split(";")
          .map((d) => d.trim())
          .find((d) => d.startsWith("img-src")) ?? "(none)";
      row.observed(`${res.status}: ${img}`);
      expect(res.status).toBe(200);
      expect(img).toBe("img-src 'self' blob:");
    },
  );
});
