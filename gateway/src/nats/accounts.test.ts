import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Account, createAccount, decode, type Operator, type User } from "@nats-io/jwt";
import { fromSeed } from "@nats-io/nkeys";
import { afterEach, describe, expect, it } from "vitest";
import {
  generateNatsAuth,
  loadOrCreateNatsAuth,
  parseNatsAuth,
  renderServerConfig,
  serializeNatsAuth,
  systemUserPermissions,
} from "./accounts.js";
import { ACCOUNT_CONNECTION_LIMITS, SERVER_LIMITS, SERVER_MAX_CONNECTIONS } from "./limits.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "parley-accounts-"));
  dirs.push(d);
  return d;
}

describe("generateNatsAuth", () => {
  it("signs both accounts with the operator and lists the signing key in the app account", async () => {
    const auth = await generateNatsAuth();
    const op = decode<Operator>(auth.operatorJwt);
    expect(op.nats.system_account).toBe(auth.systemAccountPub);
    const sys = decode<Account>(auth.systemAccountJwt);
    expect(sys.sub).toBe(auth.systemAccountPub);
    expect(sys.iss).toBe(op.sub);
    const app = decode<Account>(auth.appAccountJwt);
    expect(app.sub).toBe(auth.appAccountPub);
    expect(app.iss).toBe(op.sub);
    expect(app.name).toBe("PARLEY");
    const signer = fromSeed(new TextEncoder().encode(auth.appSigningSeed)).getPublicKey();
    expect(signer).not.toBe(auth.appAccountPub);
    expect(app.nats.signing_keys).toEqual([signer]);
    expect(app.nats.limits?.disallow_bearer).toBeFalsy();
    expect(app.nats.limits).toMatchObject({ payload: 256 * 1024, leaf: 0, data: -1 });
    expect(app.nats.limits?.conn).toBeGreaterThan(0);
    expect(app.nats.limits?.subs).toBeGreaterThan(0);
    expect(app.nats.limits?.mem_storage).toBeUndefined();
  });

  it("puts bots in their own operator-signed account that refuses bearer JWTs and imports only what the app exports", async () => {
    const auth = await generateNatsAuth();
    const op = decode<Operator>(auth.operatorJwt);
    const app = decode<Account>(auth.appAccountJwt);
    const bots = decode<Account>(auth.botsAccountJwt);
    expect(bots.sub).toBe(auth.botsAccountPub);
    expect(bots.iss).toBe(op.sub);
    expect(bots.name).toBe("PARLEY_BOTS");
    expect(bots.nats.limits?.disallow_bearer).toBe(true);
    const signer = fromSeed(new TextEncoder().encode(auth.botsSigningSeed)).getPublicKey();
    expect(bots.nats.signing_keys).toEqual([signer]);
    const exported = (app.nats.exports ?? []).map((e) => `${e.type}:${e.subject}`).sort();
    expect(exported).toEqual(["service:api.>", "stream:team.*.ev", "stream:user.*.ev"]);
    const imported = (bots.nats.imports ?? []).map((i) => `${i.type}:${i.subject}:${i.account}`).sort();
    expect(imported).toEqual(exported.map((e) => `${e}:${auth.appAccountPub}`));
    // The config preloads the bots account next to the others.
    const config = renderServerConfig({ auth, host: "127.0.0.1", port: 4222, wsPort: 8080, allowedOrigins: [] });
    expect(config).toContain(`${auth.botsAccountPub}: "${auth.botsAccountJwt}"`);
  });
});

describe("loadOrCreateNatsAuth", () => {
  it("creates the file with mode 0600 and returns the same keys on the next load", async () => {
    const file = join(await tempDir(), "nested", "nats-auth.json");
    const first = await loadOrCreateNatsAuth(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateNatsAuth(file);
    expect(second).toEqual(first);
  });

  it("gives concurrent callers the same keys", async () => {
    const file = join(await tempDir(), "nats-auth.json");
    const all = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateNatsAuth(file)));
    for (const a of all) expect(a).toEqual(all[0]);
  });

  it("refuses a file whose signing seed is not a signing key of the app account", async () => {
    const file = join(await tempDir(), "nats-auth.json");
    const auth = await generateNatsAuth();
    const rogue = new TextDecoder().decode(createAccount().getSeed());
    await writeFile(file, serializeNatsAuth({ ...auth, appSigningSeed: rogue }));
    await expect(loadOrCreateNatsAuth(file)).rejects.toThrow(/signing key/);
    expect(JSON.parse(await readFile(file, "utf8")).appSigningSeed).toBe(rogue);
  });

  it("refuses a file with a missing field", () => {
    expect(() => parseNatsAuth(JSON.stringify({ operatorJwt: "x" }))).toThrow(/lacks/);
  });
});

describe("the gateways' system-account user", () => {
  it("is a non-bearer, TCP-only user of the system account allowed only events, CONNZ of its two accounts and KICK", async () => {
    const auth = await generateNatsAuth();
    const user = decode<User>(auth.gatewaySystemJwt);
    expect(user.iss).toBe(auth.systemAccountPub);
    expect(fromSeed(new TextEncoder().encode(auth.gatewaySystemSeed)).getPublicKey()).toBe(user.sub);
    expect(user.nats.bearer_token).toBe(false);
    expect(user.nats.allowed_connection_types).toEqual(["STANDARD"]);
    const perms = systemUserPermissions(auth.appAccountPub, auth.botsAccountPub);
    expect(user.nats.pub?.allow).toEqual(perms.pub);
    expect(user.nats.sub?.allow).toEqual(perms.sub);
    expect([...perms.pub, ...perms.sub].some((s) => s === "$SYS.>" || s === ">")).toBe(false);
    expect(perms.pub).toEqual([
      "$SYS.REQ.SERVER.*.KICK",
      `$SYS.REQ.ACCOUNT.${auth.appAccountPub}.CONNZ`,
      `$SYS.REQ.ACCOUNT.${auth.botsAccountPub}.CONNZ`,
    ]);
    // The system account admits it (an account JWT without limits admits no client).
    expect(decode<Account>(auth.systemAccountJwt).nats.limits?.conn).toBe(ACCOUNT_CONNECTION_LIMITS.system);
  });

  it("refuses a file whose watcher seed does not match its JWT", async () => {
    const other = await generateNatsAuth();
    const auth = { ...(await generateNatsAuth()), gatewaySystemSeed: other.gatewaySystemSeed };
    expect(() => parseNatsAuth(serializeNatsAuth(auth))).toThrow(/gatewaySystemSeed/);
  });
});

describe("renderServerConfig", () => {
  it("writes explicit connection, auth, write and ping limits from limits.ts", async () => {
    const auth = await generateNatsAuth();
    const text = renderServerConfig({ auth, host: "127.0.0.1", port: 4222, wsPort: 8080, allowedOrigins: [] });
    expect(text).toContain(`max_connections: ${SERVER_MAX_CONNECTIONS}`);
    expect(text).toContain(`max_pending: ${SERVER_LIMITS.maxPending}`);
    expect(text).toContain(`max_control_line: ${SERVER_LIMITS.maxControlLine}`);
    expect(text).toContain('write_deadline: "10s"');
    expect(text).toContain('ping_interval: "30s"');
    expect(text).toContain("ping_max: 3");
    expect(text).toContain(`authorization { timeout: ${SERVER_LIMITS.authTimeout} }`);
    expect(text).toMatch(/websocket \{[\s\S]*handshake_timeout: "5s"/);
    expect(SERVER_MAX_CONNECTIONS).toBeGreaterThan(ACCOUNT_CONNECTION_LIMITS.app);
    expect(text).not.toContain(auth.gatewaySystemSeed);
    expect(text).not.toContain(auth.gatewaySystemJwt);
  });

  it("renders operator mode with a preloaded memory resolver and a WebSocket block without compression", async () => {
    const auth = await generateNatsAuth();
    const text = renderServerConfig({
      auth,
      host: "127.0.0.1",
      port: 4222,
      wsPort: 8080,
      httpPort: 8222,
      allowedOrigins: ["https://chat.example.com"],
    });
    expect(text).toContain(`operator: "${auth.operatorJwt}"`);
    expect(text).toContain(`system_account: "${auth.systemAccountPub}"`);
    expect(text).toContain("resolver: MEMORY");
    expect(text).toContain(`${auth.appAccountPub}: "${auth.appAccountJwt}"`);
    expect(text).toContain(`${auth.systemAccountPub}: "${auth.systemAccountJwt}"`);
    expect(text).toMatch(/websocket \{[^}]*compression: false[^}]*\}/);
    expect(text).toContain('allowed_origins: ["https://chat.example.com"]');
    expect(text).toContain("max_payload: 262144");
    expect(text).not.toContain(auth.appSigningSeed);
    expect(text).not.toContain("cluster");
  });

  it.each(["https://chat.example.com/", "chat.example.com", "ftp://x.example", 'https://a"]'])(
    "refuses the allowed origin %s",
    async (origin) => {
      const auth = await generateNatsAuth();
      expect(() =>
        renderServerConfig({ auth, host: "127.0.0.1", port: 1, wsPort: 2, allowedOrigins: [origin] }),
      ).toThrow();
    },
  );
});
