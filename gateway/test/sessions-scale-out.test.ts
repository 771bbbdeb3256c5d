/**
 * Sessions across two gateways on one store, on the embedded store and on
 * MongoDB (FerretDB): a refresh token spent at one gateway and reused at the
 * other revokes the family on both; twin refreshes hitting both gateways at
 * once are both answered; logout at one ends the session at the other; failed
 * sign-ins for one login share one budget.
 */
import type { SessionResponse } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/gateway.js";
import { postJson } from "./attack/kit.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";

describe.each(["embedded", "mongodb"] as const)("sessions on two gateways (%s store)", (kind) => {
  let mongo: MongoForTests | undefined;
  let stack: TestStack;
  let second: Gateway;
  let urls: [string, string];

  beforeAll(async () => {
    mongo = kind === "mongodb" ? await mongoForTests() : undefined;
    stack = await startStack({
      ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
      env: { PARLEY_TRUST_PROXY: "loopback" },
    });
    // A second gateway on the same store (the same data directory, or the same database) and NATS.
    second = await stack.extraGateway();
    urls = [stack.url, second.url];
  }, 60_000);
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  const at = (n: 0 | 1) => ({ url: urls[n] }) as TestStack;
  const guest = async (): Promise<SessionResponse> => {
    const res = await postJson(at(0), "/v1/session", { shopId: SHOP_ID, guest: true });
    expect(res.status).toBe(200);
    return res.body as SessionResponse;
  };
  const refresh = (n: 0 | 1, refreshToken: string) => postJson(at(n), "/v1/session/refresh", { refreshToken });

  it("a token spent at one gateway and reused at the other revokes the family on both", async () => {
    const first = await guest();
    const second1 = await refresh(0, first.refreshToken);
    const third = await refresh(1, (second1.body as SessionResponse).refreshToken);
    expect([second1.status, third.status]).toEqual([200, 200]);
    expect((await refresh(1, first.refreshToken)).status).toBe(401);
    expect((await refresh(0, (third.body as SessionResponse).refreshToken)).status).toBe(401);
  });

  it("answers twin refreshes arriving at both gateways at once", async () => {
    const first = await guest();
    const answers = await Promise.all([refresh(0, first.refreshToken), refresh(1, first.refreshToken)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const next = await refresh(0, (answers[0].body as SessionResponse).refreshToken);
    expect(next.status).toBe(200);
  });

  it("logout at one gateway ends the session at the other", async () => {
    const first = await guest();
    expect((await postJson(at(1), "/v1/session/logout", { refreshToken: first.refreshToken })).status).toBe(200);
    expect((await refresh(0, first.refreshToken)).status).toBe(401);
  });

  it("shares one login's failed sign-in budget across both gateways", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await postJson(
        at((i % 2) as 0 | 1),
        "/v1/agent/session",
        { shopId: SHOP_ID, login: `guessed-${kind}@shop.test`, password: `wrong ${i}` },
        { "x-forwarded-for": `203.0.113.${i + 1}` },
      );
      codes.push((res.body as { error: { code: string } }).error.code);
    }
    expect(codes.filter((c) => c === "unauthorized")).toHaveLength(5);
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(3);
  });
});
