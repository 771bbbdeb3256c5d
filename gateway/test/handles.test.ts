/**
 * Handles against the real stack (gateway on a real port, nats-server, the
 * embedded store): scoped to a shop, Unicode-normalised, confusables and
 * reserved handles refused, guests kept out, display names without bidi or
 * invisible characters (profile.update and the token's name claim).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  codeOf,
  customerSession,
  guestSession,
  guestSessionCode,
  type HttpSession,
} from "./handles-http.js";
import { ADMIN_TOKEN, SHOP_ID, SHOP_SECRET, startStack, type TestStack } from "./harness/stack.js";

const SHOP_B = { id: "shop_b", secret: "shop-b-secret-0123456789abcdefghijklmn" };
const SHOP_A = { id: SHOP_ID, secret: SHOP_SECRET };

const result = (answer: Answer) => {
  if (!answer.ok) throw new Error(`expected a result, got ${answer.code}`);
  return answer.result;
};

describe("handles", () => {
  let stack: TestStack;
  let url: string;
  let mia: HttpSession;
  let noah: HttpSession;
  let bea: HttpSession;
  let beaConv: string;

  beforeAll(async () => {
    // Limits high enough that these cases never meet them (handle-limits.test.ts measures them).
    stack = await startStack({ env: { PARLEY_HANDLE_PROBE_RATE: "1000", PARLEY_HANDLE_PROBE_IP_RATE: "1000" } });
    url = stack.url;
    await stack.gateway.admin.putShop(SHOP_B.id, {
      name: "Shop B",
      tokenKey: { alg: "HS256", secret: SHOP_B.secret },
      allowedOrigins: [],
      allowGuests: true,
    });
    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: "leo",
      password: "leo agent password",
      displayName: "Leo",
      role: "agent",
      kind: "agent",
    });
    mia = await customerSession(url, SHOP_A, { id: "mia", name: "Mia" });
    noah = await customerSession(url, SHOP_A, { id: "noah", name: "Noah" });
    bea = await customerSession(url, SHOP_B, { id: "bea", name: "Bea" });
    beaConv = (result(await bea.rpc(url, "conv.open")).conversation as { id: string }).id;
    expect(result(await mia.rpc(url, "profile.update", { handle: "@Mia" })).principal).toMatchObject({ handle: "mia" });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("scopes handles to a shop: another shop's handle is unknown there and free to claim", async () => {
    expect(codeOf(await bea.rpc(url, "handle.lookup", { convId: beaConv, handle: "mia" }))).toBe("unknown_handle");
    const unset = await bea.rpc(url, "handle.lookup", { convId: beaConv, handle: "never_set" });
    expect(unset).toEqual(await bea.rpc(url, "handle.lookup", { convId: beaConv, handle: "mia" }));
    expect(result(await bea.rpc(url, "handle.check", { handle: "mia" }))).toEqual({ handle: "mia", available: true });
    expect(result(await bea.rpc(url, "profile.update", { handle: "mia" })).principal).toMatchObject({
      handle: "mia",
      shopId: SHOP_B.id,
    });
    // Each shop finds its own.
    const found = result(await bea.rpc(url, "handle.lookup", { convId: beaConv, handle: "MIA" }));
    expect(found.principal).toMatchObject({ id: bea.principalId, shopId: SHOP_B.id });
    const miaConv = (result(await mia.rpc(url, "conv.open")).conversation as { id: string }).id;
    const inA = result(await mia.rpc(url, "handle.lookup", { convId: miaConv, handle: "@mia" }));
    expect(inA.principal).toMatchObject({ id: mia.principalId, shopId: SHOP_ID, handle: "mia" });
  });

  it("answers lookups only for a conversation the caller may act in", async () => {
    const miaConv = (result(await mia.rpc(url, "conv.open")).conversation as { id: string }).id;
    expect(codeOf(await bea.rpc(url, "handle.lookup", { convId: miaConv, handle: "mia" }))).toBe("not_found");
  });

  it("normalises full-width and upper-case spellings onto the one handle (taken)", async () => {
    expect(codeOf(await noah.rpc(url, "profile.update", { handle: "ｍｉａ" }))).toBe("handle_taken");
    expect(codeOf(await noah.rpc(url, "profile.update", { handle: " @MIA " }))).toBe("handle_taken");
    expect(result(await noah.rpc(url, "handle.check", { handle: "ＭＩＡ" }))).toEqual({
      handle: "mia",
      available: false,
      reason: "taken",
    });
  });

  it("refuses handles confusable with one held in the shop", async () => {
    // Latin m and a around a Cyrillic і (U+0456): mixed scripts, and a lookalike of mia.
    expect(codeOf(await noah.rpc(url, "profile.update", { handle: "m\u0456a" }))).toBe("handle_confusable");
    expect(result(await noah.rpc(url, "profile.update", { handle: "poe" })).principal).toMatchObject({ handle: "poe" });
    // All Cyrillic р, о, е: one script, the same skeleton as poe.
    expect(codeOf(await mia.rpc(url, "profile.update", { handle: "\u0440\u043e\u0435" }))).toBe("handle_confusable");
    expect(result(await mia.rpc(url, "handle.check", { handle: "\u0440\u043e\u0435" }))).toMatchObject({
      available: false,
      reason: "confusable",
    });
    // Mia keeps her handle after the refusals.
    expect(result(await mia.rpc(url, "profile.get")).principal).toMatchObject({ handle: "mia" });
    expect(codeOf(await noah.rpc(url, "profile.update", { handle: "no" }))).toBe("handle_invalid");
    expect(result(await noah.rpc(url, "handle.check", { handle: " 1Noah" }))).toEqual({
      handle: " 1Noah",
      available: false,
      reason: "invalid",
    });
  });

  it("keeps the shop's id, support, admin and team logins for the team", async () => {
    for (const handle of ["support", "ADMIN", SHOP_ID, "leo", "ｓｕｐｐｏｒｔ"]) {
      expect(codeOf(await noah.rpc(url, "profile.update", { handle })), handle).toBe("handle_reserved");
    }
    expect(result(await noah.rpc(url, "handle.check", { handle: "support" }))).toMatchObject({ reason: "reserved" });
    // Another shop may let its customers have them.
    expect(result(await bea.rpc(url, "handle.check", { handle: "leo" }))).toEqual({ handle: "leo", available: true });
    const leo = stack.client({
      auth: { kind: "agent", shopId: SHOP_ID, login: "leo", password: "leo agent password" },
    });
    await leo.connect();
    try {
      expect((await leo.updateProfile({ handle: "support" })).handle).toBe("support");
    } finally {
      await leo.close();
    }
    // Held by the team or not, a customer hears the same.
    expect(result(await noah.rpc(url, "handle.check", { handle: "support" }))).toMatchObject({ reason: "reserved" });
    const ada = stack.agent();
    await ada.connect();
    try {
      await expect(ada.updateProfile({ handle: "Support" })).rejects.toMatchObject({ code: "handle_taken" });
      expect(await ada.checkHandle("admin")).toEqual({ handle: "admin", available: true });
    } finally {
      await ada.close();
    }
  });

  it("lets no guest claim a handle", async () => {
    const guest = await guestSession(url, SHOP_ID);
    expect(codeOf(await guest.rpc(url, "profile.update", { handle: "guesty" }))).toBe("forbidden");
    expect(result(await guest.rpc(url, "handle.check", { handle: "guesty" }))).toEqual({
      handle: "guesty",
      available: false,
      reason: "guest",
    });
    expect(result(await guest.rpc(url, "profile.get")).principal).not.toHaveProperty("handle");
  });

  it("never claims a handle by checking it", async () => {
    expect(result(await noah.rpc(url, "handle.check", { handle: "fresh_one" }))).toEqual({
      handle: "fresh_one",
      available: true,
    });
    expect(result(await mia.rpc(url, "handle.check", { handle: "fresh_one" }))).toEqual({
      handle: "fresh_one",
      available: true,
    });
  });

  it("refuses display names with bidi controls or invisible characters, in profile.update and the token", async () => {
    for (const displayName of ["Mia\u202Egnp.exe", "No\u200Bah"]) {
      expect(codeOf(await mia.rpc(url, "profile.update", { displayName })), displayName).toBe("display_name_invalid");
    }
    expect(result(await mia.rpc(url, "profile.get")).principal).toMatchObject({ displayName: "Mia" });
    expect(result(await mia.rpc(url, "profile.update", { displayName: "Mia ❤️" })).principal).toMatchObject({
      displayName: "Mia ❤️",
    });
    await expect(customerSession(url, SHOP_A, { id: "rtl", name: "Eve\u202Egnp" })).rejects.toThrow(
      "display_name_invalid",
    );
    await expect(customerSession(url, SHOP_A, { id: "zw", name: "Z\u200Boe" })).rejects.toThrow("display_name_invalid");
    expect(await guestSessionCode(url, SHOP_ID, "G\u2066uest")).toBe("display_name_invalid");
    expect(await guestSessionCode(url, SHOP_ID, "Guest Ω")).toBe("ok");
    const res = await fetch(`${url}/v1/admin/shops/${SHOP_ID}/agents`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ login: "mallory", password: "mallory password", displayName: "Ada\u202E" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("display_name_invalid");
  });
});
