import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";

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

  it("splits comma-separated server lists", () => {
    const config = loadConfig({ ...minimal, NATS_WS_URL: "wss://a.example:443, wss://b.example:443" });
    expect(config.natsWsUrls).toEqual(["wss://a.example:443", "wss://b.example:443"]);
  });
});
