import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { DEFAULT_QUOTAS } from "./service/quotas.js";

const minimal = {
  NATS_WS_URL: "ws://127.0.0.1:8443",
  NATS_AUTH_FILE: "/tmp/auth.json",
  PARLEY_SESSION_SECRET: "s".repeat(32),
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      natsUrls: ["nats://127.0.0.1:4222"],
      natsWsUrls: ["ws://127.0.0.1:8443"],
      jwtTtlSeconds: 600,
      tokenAudience: "parley",
      mongodbUri: undefined,
    });
  });

  it("has no metrics listener unless PARLEY_METRICS_PORT is set; off loopback it needs a token", () => {
    expect(loadConfig(minimal).metrics).toBeUndefined();
    expect(loadConfig({ ...minimal, PARLEY_METRICS_PORT: "9464" }).metrics).toEqual({
      host: "127.0.0.1",
      port: 9464,
      token: undefined,
    });
    const open = { ...minimal, PARLEY_METRICS_PORT: "9464", PARLEY_METRICS_HOST: "0.0.0.0" };
    expect(() => loadConfig(open)).toThrow(/PARLEY_METRICS_TOKEN: required/);
    const token = "m".repeat(24);
    expect(loadConfig({ ...open, PARLEY_METRICS_TOKEN: token }).metrics).toEqual({
      host: "0.0.0.0",
      port: 9464,
      token,
    });
    expect(() => loadConfig({ ...open, PARLEY_METRICS_TOKEN: "short" })).toThrow(/PARLEY_METRICS_TOKEN/);
    for (const host of ["localhost", "::1", "127.0.0.2"]) {
      expect(loadConfig({ ...minimal, PARLEY_METRICS_PORT: "0", PARLEY_METRICS_HOST: host }).metrics?.host).toBe(host);
    }
  });

  it("reports every problem at once, naming each variable", () => {
    let error: unknown;
    try {
      loadConfig({ PARLEY_PORT: "70000", PARLEY_SESSION_SECRET: "short", PARLEY_JWT_TTL: "3600" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ["PARLEY_PORT", "PARLEY_SESSION_SECRET", "PARLEY_JWT_TTL", "NATS_WS_URL", "NATS_AUTH_FILE"]) {
      expect(text).toContain(name);
    }
  });

  it("reads the session lifetime and the refresh grace window, within bounds", () => {
    expect(loadConfig(minimal)).toMatchObject({ sessionMaxAgeSeconds: 30 * 86_400, refreshGraceSeconds: 15 });
    const set = loadConfig({ ...minimal, PARLEY_SESSION_MAX_AGE: "3600", PARLEY_REFRESH_GRACE: "0" });
    expect(set).toMatchObject({ sessionMaxAgeSeconds: 3600, refreshGraceSeconds: 0 });
    expect(() => loadConfig({ ...minimal, PARLEY_SESSION_MAX_AGE: "60" })).toThrow(/PARLEY_SESSION_MAX_AGE/);
    expect(() => loadConfig({ ...minimal, PARLEY_REFRESH_GRACE: "600" })).toThrow(/PARLEY_REFRESH_GRACE/);
  });

  it("reads the RPC concurrency limits, 8 per principal and 64 in all by default", () => {
    expect(loadConfig(minimal).rpcConcurrency).toEqual({ perPrincipal: 8, total: 64 });
    const set = loadConfig({ ...minimal, PARLEY_RPC_PER_PRINCIPAL: "3", PARLEY_RPC_CONCURRENCY: "500" });
    expect(set.rpcConcurrency).toEqual({ perPrincipal: 3, total: 500 });
    expect(() => loadConfig({ ...minimal, PARLEY_RPC_PER_PRINCIPAL: "0" })).toThrow(/PARLEY_RPC_PER_PRINCIPAL/);
  });

  it("keeps 10 devices per principal by default, and 1 to 16 when set", () => {
    expect(loadConfig(minimal).maxDevices).toBe(10);
    expect(loadConfig({ ...minimal, PARLEY_MAX_DEVICES: "16" }).maxDevices).toBe(16);
    for (const bad of ["0", "17"]) {
      expect(() => loadConfig({ ...minimal, PARLEY_MAX_DEVICES: bad })).toThrow(/PARLEY_MAX_DEVICES/);
    }
  });

  it("splits comma-separated server lists", () => {
    const config = loadConfig({ ...minimal, NATS_WS_URL: "wss://a.example:443, wss://b.example:443" });
    expect(config.natsWsUrls).toEqual(["wss://a.example:443", "wss://b.example:443"]);
  });
});

describe("loadConfig: ICE servers for calls", () => {
  const secret = "t".repeat(32);

  it("hands out no servers by default", () => {
    expect(loadConfig(minimal).ice).toEqual({ stunUrls: [], ratePerMinute: 10 });
  });

  it("reads STUN and TURN URLs, the secret, the TTL and the rate", () => {
    const config = loadConfig({
      ...minimal,
      PARLEY_STUN_URLS: "stun:stun.example:3478, stun:[2001:db8::1]",
      PARLEY_TURN_URLS: "turn:turn.example:3478?transport=udp,turns:turn.example:5349?transport=tcp",
      PARLEY_TURN_SECRET: secret,
      PARLEY_TURN_TTL: "600",
      PARLEY_ICE_RATE: "4",
    });
    expect(config.ice).toEqual({
      stunUrls: ["stun:stun.example:3478", "stun:[2001:db8::1]"],
      turn: {
        urls: ["turn:turn.example:3478?transport=udp", "turns:turn.example:5349?transport=tcp"],
        secret,
        ttlSeconds: 600,
      },
      ratePerMinute: 4,
    });
  });

  it("defaults the TURN credential lifetime to an hour", () => {
    const config = loadConfig({ ...minimal, PARLEY_TURN_URLS: "turn:127.0.0.1:3478", PARLEY_TURN_SECRET: secret });
    expect(config.ice.turn?.ttlSeconds).toBe(3600);
  });

  it("refuses TURN URLs without a secret, naming the variable, alongside the other problems", () => {
    let error: unknown;
    try {
      loadConfig({ PARLEY_TURN_URLS: "turn:turn.example:3478" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    expect(text).toContain("PARLEY_TURN_SECRET: required when PARLEY_TURN_URLS is set");
    expect(text).toContain("NATS_WS_URL");
  });

  it.each([
    ["PARLEY_STUN_URLS", "turn:turn.example:3478"],
    ["PARLEY_STUN_URLS", "stuns:stun.example"],
    ["PARLEY_STUN_URLS", "https://stun.example"],
    ["PARLEY_TURN_URLS", "stun:stun.example"],
    ["PARLEY_TURN_URLS", "turn:turn.example:99999"],
    ["PARLEY_TURN_URLS", "turn:turn.example?transport=sctp"],
    ["PARLEY_TURN_URLS", "turn:user@turn.example"],
    ["PARLEY_TURN_URLS", "turn:turn.example, "],
  ])("refuses %s=%s", (name, value) => {
    expect(() => loadConfig({ ...minimal, PARLEY_TURN_SECRET: secret, [name]: value })).toThrow(name);
  });

  it.each([
    ["PARLEY_TURN_TTL", "59"],
    ["PARLEY_TURN_TTL", "86401"],
    ["PARLEY_TURN_SECRET", "short"],
    ["PARLEY_ICE_RATE", "0"],
  ])("refuses %s=%s", (name, value) => {
    expect(() =>
      loadConfig({ ...minimal, PARLEY_TURN_URLS: "turn:127.0.0.1:3478", PARLEY_TURN_SECRET: secret, [name]: value }),
    ).toThrow(name);
  });

  it("never puts the TURN secret in its error text", () => {
    expect(() => loadConfig({ ...minimal, PARLEY_TURN_SECRET: "short-secret", PARLEY_TURN_URLS: "turn:x" })).toThrow(
      /^(?![\s\S]*short-secret)/,
    );
  });
});

describe("loadConfig: quotas and storage", () => {
  it("defaults every quota, the shop storage quota and the claim window", () => {
    const config = loadConfig(minimal);
    expect(config.quotas).toEqual(DEFAULT_QUOTAS);
    expect(config.shopStorageQuota).toBe(5 * 1024 ** 3);
    expect(config.blobClaimWindowMs).toBe(86_400_000);
    expect(config.uploadRatePerMinute).toBe(30);
  });

  it("overrides the ops PARLEY_QUOTAS names and keeps the others; PARLEY_UPLOAD_RATE sets the uploads' per-principal figure", () => {
    const config = loadConfig({
      ...minimal,
      PARLEY_QUOTAS: " conv.open=5/50/60 , msg.since=9/90/30",
      PARLEY_UPLOAD_RATE: "7",
    });
    expect(config.quotas["conv.open"]).toEqual({ perPrincipal: 5, perIp: 50, windowSeconds: 60 });
    expect(config.quotas["msg.since"]).toEqual({ perPrincipal: 9, perIp: 90, windowSeconds: 30 });
    expect(config.quotas["msg.history"]).toEqual(DEFAULT_QUOTAS["msg.history"]);
    expect(config.quotas.upload).toEqual({ ...DEFAULT_QUOTAS.upload, perPrincipal: 7, windowSeconds: 60 });
    expect(config.uploadRatePerMinute).toBe(7);
    const named = loadConfig({ ...minimal, PARLEY_QUOTAS: "upload=3/4/120", PARLEY_UPLOAD_RATE: "7" });
    expect(named.quotas.upload).toEqual({ perPrincipal: 3, perIp: 4, windowSeconds: 120 });
  });

  it("refuses an unknown op, a malformed rule or a zero, naming PARLEY_QUOTAS", () => {
    for (const bad of ["msg.send=1/1/1", "conv.open=1/1", "conv.open=0/5/60", "conv.open=a/b/c", "x"]) {
      expect(() => loadConfig({ ...minimal, PARLEY_QUOTAS: bad }), bad).toThrow(/PARLEY_QUOTAS/);
    }
    expect(() => loadConfig({ ...minimal, PARLEY_SHOP_STORAGE_QUOTA: "1000" })).toThrow(/PARLEY_SHOP_STORAGE_QUOTA/);
  });
});
