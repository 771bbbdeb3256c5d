import { describe, expect, it } from "vitest";
import { backoffMs, parseWebhookOptions } from "./options.js";
import { addressProblem, webhookUrlProblem } from "./url-policy.js";

describe("webhook URL policy", () => {
  it("takes public https URLs and refuses http, credentials and fragments in production", () => {
    expect(webhookUrlProblem("https://shop.example/hooks/parley", false)).toBeUndefined();
    expect(webhookUrlProblem("http://shop.example/hook", false)).toMatch(/https/);
    expect(webhookUrlProblem("https://user:pw@shop.example/hook", false)).toMatch(/credentials/);
    expect(webhookUrlProblem("https://shop.example/hook#x", false)).toMatch(/fragment/);
    expect(webhookUrlProblem("ftp://shop.example/", true)).toMatch(/http/);
    expect(webhookUrlProblem("not a url", false)).toBe("not a URL");
  });

  it("refuses private, link-local, loopback and mapped addresses; loopback only with the dev flag", () => {
    for (const host of [
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "[fe80::1]",
      "[fd00::1]",
      "0.0.0.0",
      "[::ffff:10.0.0.1]",
      "100.64.0.1",
    ]) {
      expect(webhookUrlProblem(`https://${host}/hook`, true), host).toBeDefined();
    }
    expect(webhookUrlProblem("https://127.0.0.1/hook", false)).toMatch(/loopback/);
    expect(webhookUrlProblem("https://localhost/hook", false)).toMatch(/localhost/);
    expect(webhookUrlProblem("http://127.0.0.1:8080/hook", true)).toBeUndefined();
    expect(webhookUrlProblem("http://[::1]:8080/hook", true)).toBeUndefined();
    expect(addressProblem("93.184.216.34", false)).toBeUndefined();
    expect(addressProblem("::ffff:127.0.0.1", false)).toMatch(/loopback/);
  });
});

describe("webhook backoff", () => {
  it("grows with every attempt whatever the jitter, up to the cap", () => {
    const o = parseWebhookOptions({ backoffBaseMs: 100, backoffMaxMs: 10_000 });
    for (const jitter of [0, 0.5, 0.999]) {
      const delays = [1, 2, 3, 4, 5].map((n) => backoffMs(o, n, () => jitter));
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] as number);
    }
    expect(backoffMs(o, 1, () => 0)).toBe(100);
    expect(backoffMs(o, 30, () => 1)).toBe(10_000);
    expect(() => parseWebhookOptions({ maxAttempts: 0 })).toThrow(RangeError);
  });
});
