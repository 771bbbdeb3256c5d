/**
 * Handle enumeration: every answer that could tell whether a handle exists
 * (handle.lookup, handle.check, profile.update with a new handle, invite.create) takes from
 * one budget per principal and one per client IP, counted in the store, so two
 * gateways on one store and fresh guest sessions from one IP share them. Runs
 * on the embedded store and on MongoDB (FerretDB). Client IPs are set with
 * X-Forwarded-For through a trusted loopback proxy setting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/gateway.js";
import { type Answer, customerSession, guestSession, type HttpSession } from "./handles-http.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { SHOP_ID, SHOP_SECRET, startStack, type TestStack } from "./harness/stack.js";

const PER_PRINCIPAL = 5;
const PER_IP = 12;
const SHOP = { id: SHOP_ID, secret: SHOP_SECRET };

describe.each(["embedded", "mongodb"] as const)("handle probe limits (%s store, two gateways)", (kind) => {
  let mongo: MongoForTests | undefined;
  let stack: TestStack;
  let second: Gateway;
  let urls: [string, string];

  beforeAll(async () => {
    mongo = kind === "mongodb" ? await mongoForTests() : undefined;
    stack = await startStack({
      ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
      env: {
        PARLEY_HANDLE_PROBE_RATE: String(PER_PRINCIPAL),
        PARLEY_HANDLE_PROBE_IP_RATE: String(PER_IP),
        PARLEY_TRUST_PROXY: "loopback",
      },
    });
    // A second gateway on the same store (the same data directory, or the same database) and NATS.
    second = await stack.extraGateway();
    urls = [stack.url, second.url];
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  const admitted = (answers: Answer[]) => answers.filter((a) => a.ok || a.code !== "rate_limited");

  it("holds one IP to its budget of distinct handles across lookup, invite, check and profile.update, fresh guests and both gateways", async () => {
    const ip = "198.51.100.7";
    const tried = new Map<string, Answer>();
    const customers = await Promise.all(
      [1, 2, 3].map((n) => customerSession(urls[n % 2] as string, SHOP, { id: `enum-${kind}-${n}`, ip })),
    );
    let guest: { session: HttpSession; convId: string } | undefined;
    for (let i = 0; i < 36; i++) {
      const url = urls[i % 2] as string;
      const handle = `probe_${kind}_${i}`;
      if (i % 3 === 0) {
        // A fresh guest every other lookup: a new session starts with a fresh per-principal budget, not a fresh IP budget.
        if (i % 6 === 0) {
          const session = await guestSession(url, SHOP_ID, ip);
          const opened = await session.rpc(url, "conv.open");
          if (!opened.ok) throw new Error(opened.code);
          guest = { session, convId: (opened.result.conversation as { id: string }).id };
        }
        // Looked up by one fresh guest, then invited by it: both paths draw from the IP's budget.
        const op = i % 6 === 0 ? "handle.lookup" : "invite.create";
        const { session, convId } = guest as { session: HttpSession; convId: string };
        tried.set(handle, await session.rpc(url, op, { convId, handle }));
      } else {
        const customer = customers[i % 3] as HttpSession;
        const op = i % 3 === 1 ? "handle.check" : "profile.update";
        tried.set(handle, await customer.rpc(url, op, { handle }));
      }
    }
    const answered = admitted([...tried.values()]);
    expect(answered).toHaveLength(PER_IP);
    const limited = [...tried.values()].filter((a) => !a.ok && a.code === "rate_limited");
    expect(limited).toHaveLength(tried.size - PER_IP);
    for (const a of limited) {
      expect(a.ok ? 0 : a.retryAfter).toBeGreaterThanOrEqual(1);
      expect(a.ok ? 61 : a.retryAfter).toBeLessThanOrEqual(60);
    }
  });

  it("holds one principal to its own budget, whichever gateway answers", async () => {
    const customer = await customerSession(urls[0], SHOP, { id: `solo-${kind}`, ip: "203.0.113.9" });
    // The IP of the session is in the store, for every gateway.
    expect((await second.store.getPrincipal(customer.principalId))?.lastIp).toBe("203.0.113.9");
    const answers: Answer[] = [];
    for (let i = 0; i < PER_PRINCIPAL + 4; i++) {
      answers.push(await customer.rpc(urls[i % 2] as string, "handle.check", { handle: `solo_${kind}_${i}` }));
    }
    expect(admitted(answers)).toHaveLength(PER_PRINCIPAL);
    // Another principal from another IP still has its budget.
    const other = await customerSession(urls[1], SHOP, { id: `other-${kind}`, ip: "203.0.113.10" });
    expect(await other.rpc(urls[1], "handle.check", { handle: `solo_${kind}_0` })).toMatchObject({ ok: true });
  });

  it("takes no probe for answers that tell nothing: malformed handles, guests' checks, one's own handle", async () => {
    const ip = "192.0.2.55";
    const customer = await customerSession(urls[0], SHOP, { id: `free-${kind}`, ip });
    const guest = await guestSession(urls[1], SHOP_ID, ip);
    expect(await customer.rpc(urls[0], "profile.update", { handle: `own_${kind}` })).toMatchObject({ ok: true });
    for (let i = 0; i < PER_PRINCIPAL + 2; i++) {
      expect(await customer.rpc(urls[i % 2] as string, "handle.check", { handle: "x!" })).toMatchObject({
        result: { available: false, reason: "invalid" },
      });
      expect(await guest.rpc(urls[i % 2] as string, "handle.check", { handle: `g_${i}_${kind}` })).toMatchObject({
        result: { reason: "guest" },
      });
      expect(await customer.rpc(urls[i % 2] as string, "profile.update", { handle: `OWN_${kind}` })).toMatchObject({
        ok: true,
      });
    }
    // One probe was taken (the claim): the rest of the budget is there.
    const left: Answer[] = [];
    for (let i = 0; i < PER_PRINCIPAL; i++)
      left.push(await customer.rpc(urls[0], "handle.check", { handle: `left_${i}` }));
    expect(admitted(left)).toHaveLength(PER_PRINCIPAL - 1);
  });
});
