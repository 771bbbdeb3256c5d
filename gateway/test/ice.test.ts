/**
 * `call.ice` over the real stack (nats-server, a gateway on a free port, SDK
 * clients over WebSockets): which servers a caller gets with and without
 * TURN, the TURN credential checked against an HMAC-SHA1 computed here, the
 * per-principal rate limit, and the refusals of a bad configuration (in
 * process and from the built `parley-gateway` binary). That coturn accepts
 * these credentials is shown by turn-relay.test.ts with real browsers.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IceServers } from "../src/service/ice.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { codeOf } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const SECRET = "ice-test-turn-secret-0123456789abcdefgh";
const TURN_URLS = ["turn:turn.parley.test:3478?transport=udp", "turns:turn.parley.test:5349?transport=tcp"];
const STUN_URLS = ["stun:stun.parley.test:3478"];

describe("call.ice without TURN", () => {
  it("answers no servers when none are configured", async () => {
    await using stack = await startStack();
    const alice = stack.customer("alice");
    await alice.connect();
    const before = Date.now();
    const answer = await alice.request("call.ice", {});
    expect(answer.iceServers).toEqual([]);
    // Nothing expires; the answer still says when to ask again (one default TTL on).
    expect(answer.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    await alice.close();
  });

  it("answers only the STUN servers, without credentials", async () => {
    await using stack = await startStack({ env: { PARLEY_STUN_URLS: STUN_URLS.join(",") } });
    const alice = stack.customer("alice");
    await alice.connect();
    const answer = await alice.request("call.ice", {});
    expect(answer.iceServers).toEqual([{ urls: STUN_URLS }]);
    await alice.close();
  });
});

describe("call.ice with TURN", () => {
  let stack: TestStack;
  const TTL = 900;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        PARLEY_STUN_URLS: STUN_URLS.join(","),
        PARLEY_TURN_URLS: TURN_URLS.join(","),
        PARLEY_TURN_SECRET: SECRET,
        PARLEY_TURN_TTL: String(TTL),
        PARLEY_ICE_RATE: "3",
      },
    });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  it("mints a credential for the caller: <expiry>:<principal id>, HMAC-SHA1 under the shared secret", async () => {
    const alice = stack.customer("alice");
    await alice.connect();
    const before = Math.floor(Date.now() / 1000);
    const answer = await alice.request("call.ice", {});
    const after = Math.floor(Date.now() / 1000);
    expect(answer.iceServers).toHaveLength(2);
    expect(answer.iceServers[0]).toEqual({ urls: STUN_URLS });
    const turn = answer.iceServers[1];
    expect(turn?.urls).toEqual(TURN_URLS);
    const match = /^(\d+):(.+)$/.exec(turn?.username ?? "");
    expect(match?.[2]).toBe(alice.principal.id);
    const expiry = Number(match?.[1]);
    expect(expiry).toBeGreaterThanOrEqual(before + TTL);
    expect(expiry).toBeLessThanOrEqual(after + TTL);
    expect(answer.expiresAt).toBe(expiry * 1000);
    const expected = createHmac("sha1", SECRET)
      .update(turn?.username ?? "")
      .digest("base64");
    expect(turn?.credential).toBe(expected);
    await alice.close();
  });

  it("gives each principal its own username, agents included", async () => {
    const bob = stack.customer("bob");
    const agent = stack.agent();
    await bob.connect();
    await agent.connect();
    const names = await Promise.all(
      [bob, agent].map(async (c) => (await c.request("call.ice", {})).iceServers[1]?.username),
    );
    expect(names[0]?.endsWith(`:${bob.principal.id}`)).toBe(true);
    expect(names[1]?.endsWith(`:${agent.principal.id}`)).toBe(true);
    await bob.close();
    await agent.close();
  });

  it("answers rate_limited past PARLEY_ICE_RATE a minute, for that principal only", async () => {
    const carol = stack.customer("carol");
    const dave = stack.customer("dave");
    await carol.connect();
    await dave.connect();
    for (let i = 0; i < 3; i++) await carol.request("call.ice", {});
    expect(await codeOf(carol.request("call.ice", {}))).toBe("rate_limited");
    expect((await dave.request("call.ice", {})).iceServers).toHaveLength(2);
    await carol.close();
    await dave.close();
  });

  it("never logs the secret or a credential", async () => {
    const erin = stack.customer("erin");
    await erin.connect();
    const answer = await erin.request("call.ice", {});
    const credential = answer.iceServers[1]?.credential;
    expect(credential).toBeTruthy();
    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(credential);
    await erin.close();
  });
});

describe("ICE configuration refused", () => {
  it("refuses bad URLs, a missing secret and a TTL out of bounds when built in code", () => {
    expect(() => new IceServers({ stunUrls: ["http://stun.example"] })).toThrow(/not a stun: URL/);
    expect(() => new IceServers({ turn: { urls: ["stun:x"], secret: SECRET } })).toThrow(/not a turn: or turns: URL/);
    expect(() => new IceServers({ turn: { urls: TURN_URLS, secret: "" } })).toThrow(/shared secret/);
    expect(() => new IceServers({ turn: { urls: TURN_URLS, secret: SECRET, ttlSeconds: 59 } })).toThrow(/TTL/);
    expect(() => new IceServers({ turn: { urls: TURN_URLS, secret: SECRET, ttlSeconds: 86_401 } })).toThrow(/TTL/);
  });

  it("stops parley-gateway at start with a clear error when TURN URLs come without a secret", async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NATS_WS_URL: "ws://127.0.0.1:1",
        NATS_AUTH_FILE: "/nonexistent/auth.json",
        PARLEY_SESSION_SECRET: "ice-session-secret-0123456789abcdefghij",
        PARLEY_TURN_URLS: "turn:turn.parley.test:3478",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(output).toContain("PARLEY_TURN_SECRET: required when PARLEY_TURN_URLS is set");
  });
});
