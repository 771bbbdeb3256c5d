import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError } from "./webhooks.js";

const SECRET = "whsec_test-secret-0123456789abcdefghijkl";
const NOW = 1_800_000_000_000;
const T = NOW / 1000;
const body = JSON.stringify({
  id: "wh_1",
  type: "conversation.closed",
  shopId: "acme",
  createdAt: NOW,
  data: { conversationId: "cv_1" },
});
const sign = (t: number, raw: string, secret = SECRET) =>
  `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex")}`;

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
  return "verified";
}

describe("verifyWebhook", () => {
  it("returns the event of a correctly signed body, as a string or as bytes", async () => {
    const event = await verifyWebhook({ secret: SECRET, header: sign(T, body), rawBody: body, now: NOW });
    expect(event).toMatchObject({ id: "wh_1", type: "conversation.closed", data: { conversationId: "cv_1" } });
    const bytes = new TextEncoder().encode(body);
    expect((await verifyWebhook({ secret: SECRET, header: sign(T, body), rawBody: bytes, now: NOW })).id).toBe("wh_1");
  });

  it("refuses a tampered body, another secret and a flipped signature: webhook_bad_signature", async () => {
    const header = sign(T, body);
    const tampered = body.replace("cv_1", "cv_2");
    expect(await codeOf(verifyWebhook({ secret: SECRET, header, rawBody: tampered, now: NOW }))).toBe(
      "webhook_bad_signature",
    );
    expect(await codeOf(verifyWebhook({ secret: `${SECRET}x`, header, rawBody: body, now: NOW }))).toBe(
      "webhook_bad_signature",
    );
    const flipped = header.replace(/v1=(.)/, (_m, c: string) => `v1=${c === "0" ? "1" : "0"}`);
    expect(await codeOf(verifyWebhook({ secret: SECRET, header: flipped, rawBody: body, now: NOW }))).toBe(
      "webhook_bad_signature",
    );
  });

  it("refuses a timestamp outside the tolerance either way, and the signed timestamp cannot be swapped", async () => {
    const old = sign(T - 301, body);
    expect(await codeOf(verifyWebhook({ secret: SECRET, header: old, rawBody: body, now: NOW }))).toBe(
      "webhook_too_old",
    );
    expect(await codeOf(verifyWebhook({ secret: SECRET, header: sign(T + 301, body), rawBody: body, now: NOW }))).toBe(
      "webhook_too_old",
    );
    expect(
      await codeOf(verifyWebhook({ secret: SECRET, header: old, rawBody: body, now: NOW, toleranceSeconds: 600 })),
    ).toBe("verified");
    const swapped = old.replace(`t=${T - 301}`, `t=${T}`);
    expect(await codeOf(verifyWebhook({ secret: SECRET, header: swapped, rawBody: body, now: NOW }))).toBe(
      "webhook_bad_signature",
    );
  });

  it("accepts any one matching v1 of several (a secret being rotated)", async () => {
    const header = `${sign(T, body, "another-secret-0123456789abcdefghijkl")},${sign(T, body).split(",")[1]}`;
    expect(await codeOf(verifyWebhook({ secret: SECRET, header, rawBody: body, now: NOW }))).toBe("verified");
  });

  it("names malformed headers and bodies webhook_malformed", async () => {
    for (const header of [undefined, "", "v1=abc", `t=${T}`, `t=x,v1=${"a".repeat(64)}`, `t=${T},v1=zz`]) {
      expect(await codeOf(verifyWebhook({ secret: SECRET, header, rawBody: body, now: NOW }))).toBe(
        "webhook_malformed",
      );
    }
    for (const raw of ["not json", JSON.stringify({ id: "x", type: "order.paid" }), "null"]) {
      expect(await codeOf(verifyWebhook({ secret: SECRET, header: sign(T, raw), rawBody: raw, now: NOW }))).toBe(
        "webhook_malformed",
      );
    }
  });
});
