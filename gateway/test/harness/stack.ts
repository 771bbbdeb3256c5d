/**
 * A whole Parley stack for integration tests: a real nats-server (harness
 * nats.ts), a real gateway on a random loopback port with the embedded store
 * in a temp dir (or MongoDB), a seeded shop with an agent, and SDK clients
 * connecting over real WebSockets.
 *
 *   await using stack = await startStack();
 *   const alice = stack.customer("alice"); await alice.connect();
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type ClientOptions, createClient, type ParleyClient } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import WebSocket from "ws";
import { type GatewayConfig, loadConfig } from "../../src/config.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway.js";
import { createLogger } from "../../src/logger.js";
import type { AppAccountLimitOptions } from "../../src/nats/accounts.js";
import type { IceOptions } from "../../src/service/ice.js";
import type { PresenceOptions } from "../../src/service/presence.js";
import { QUOTA_OPS } from "../../src/service/quotas.js";
import { installDualTransport } from "./dual-transport.js";
import { DEFAULT_TEST_ORIGIN, type NatsHarness, startNats } from "./nats.js";
import { freePort } from "./ports.js";

export const SHOP_ID = "shop_test";
export const SHOP_SECRET = "test-shop-secret-0123456789abcdefghijkl";
export const AGENT_LOGIN = "ada@shop.test";
export const AGENT_PASSWORD = "correct horse battery";
export const ADMIN_TOKEN = "admin-token-0123456789abcdef";

export interface StackOptions {
  /** NATS user JWT lifetime in seconds. @default 600 */
  jwtTtl?: number;
  /** Use this MongoDB instead of the embedded store. */
  mongo?: { uri: string; dbName: string };
  /** Sends per principal per second. @default 100000 (tests measure behaviour, not limits, unless they set it) */
  sendRate?: number;
  failpoints?: GatewayOptions["failpoints"];
  /** The clock of session lifetimes (see `GatewayOptions.sessionNow`). @default Date.now */
  sessionNow?: () => number;
  /** Called after a principal's sessions were revoked (see `GatewayOptions.onRevoked`). */
  onRevoked?: GatewayOptions["onRevoked"];
  /**
   * Origins of pages a real browser loads (fixture servers): allowed by
   * nats-server's WebSocket and as the seeded shop's origins.
   * @default []
   */
  browserOrigins?: string[];
  /**
   * Serve pages from the gateway itself (the widget's chat frame): its port is chosen up front and set
   * as its public URL, so its own origin may open sessions and NATS WebSockets. @default false
   */
  servesFrame?: boolean;
  /** The chat service's clock (invite expiry, cooldowns, stored message times). @default Date.now */
  now?: () => number;
  /** Limits of the NATS app account (e.g. `{ connections: 30 }`). @default the production ones */
  natsAccountLimits?: AppAccountLimitOptions;
  /** More gateway environment variables (e.g. `PARLEY_HANDLE_PROBE_RATE`). @default {} */
  env?: Record<string, string>;
  /**
   * STUN and TURN servers for `call.ice`, in place of what `env` configures (e.g. a coturn from
   * `startCoturn()`: `{ turn: { urls: turn.turnUrls, secret: turn.secret } }`). @default none
   */
  ice?: IceOptions;
  /**
   * Run the gateways without the NATS system user, so presence is kept by heartbeats with these settings
   * (presence.ts) instead of from connections; there is then no connection watcher. @default connections
   */
  heartbeatPresence?: PresenceOptions;
}

export interface TestStack {
  nats: NatsHarness;
  gateway: Gateway;
  /** The gateway's base URL (changes port after `restartGateway`). */
  readonly url: string;
  config: GatewayConfig;
  /** Everything the gateway logged, as JSON lines. */
  logs(): string;
  customerToken(sub: string, name?: string): Promise<string>;
  /** An SDK client for a shop customer (not yet connected). */
  customer(sub: string, extra?: Partial<ClientOptions>): ParleyClient;
  /** An SDK client for the seeded agent (not yet connected). */
  agent(extra?: Partial<ClientOptions>): ParleyClient;
  /** Any other SDK client. */
  client(options: Omit<ClientOptions, "gatewayUrl" | "WebSocket">): ParleyClient;
  /** Stops the gateway gracefully and starts a new one on the same store, NATS and port. */
  restartGateway(): Promise<void>;
  /**
   * Starts one more gateway on the same store and NATS (a random port); the stack stops it too. On the
   * embedded store this is two writers of one file, which a deployment never has: each gateway keeps
   * its own send context in memory (ADR 0051) and does not see the other's conversation, member and
   * team key writes. Use it there for what is counted in the file (limits, sessions, the webhook
   * outbox), not for sends that follow membership or epoch changes made through the other gateway.
   * Its log lines carry `extra: <n>` (1 for the first one), so a test can tell them from the first gateway's.
   */
  extraGateway(): Promise<Gateway>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * `PARLEY_QUOTAS` for tests that measure behaviour, not limits: every op at 100000 per principal and
 * per IP, but uploads per principal at `PARLEY_UPLOAD_RATE` (default 30, what files.test.ts checks).
 */
export function generousQuotas(uploadRate = "30"): string {
  return [
    ...QUOTA_OPS.filter((op) => op !== "upload").map((op) => `${op}=100000/100000/60`),
    `upload=${uploadRate}/100000/60`,
  ].join(",");
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), "parley-stack-"));
  const browserOrigins = options.browserOrigins ?? [];
  const fixedPort = options.servesFrame ? await freePort() : 0;
  const publicUrl = options.servesFrame ? `http://127.0.0.1:${fixedPort}` : undefined;
  const nats = await startNats({
    ...(options.natsAccountLimits ? { accountLimits: options.natsAccountLimits } : {}),
    allowedOrigins: [DEFAULT_TEST_ORIGIN, ...browserOrigins, ...(publicUrl ? [publicUrl] : [])],
  });
  let logText = "";
  const logSink = new Writable({
    write(chunk, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  const config = loadConfig({
    PARLEY_PORT: "0",
    NATS_URL: nats.url,
    NATS_WS_URL: nats.wsUrl,
    NATS_AUTH_FILE: join(dir, "unused-auth.json"),
    PARLEY_DATA_DIR: join(dir, "data"),
    PARLEY_SESSION_SECRET: "test-session-secret-0123456789abcdefghij",
    PARLEY_ADMIN_TOKEN: ADMIN_TOKEN,
    PARLEY_JWT_TTL: String(options.jwtTtl ?? 600),
    PARLEY_LOG_LEVEL: "info",
    PARLEY_SEND_RATE: String(options.sendRate ?? 100_000),
    // Like the send rate: tests measure behaviour, not this limit, unless they set it (tests open many agent clients).
    PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: "1000",
    // Every test client comes from 127.0.0.1: quotas far out of reach unless a test sets PARLEY_QUOTAS.
    PARLEY_QUOTAS: generousQuotas(options.env?.PARLEY_UPLOAD_RATE),
    ...(options.mongo ? { MONGODB_URI: options.mongo.uri, MONGODB_DB: options.mongo.dbName } : {}),
    ...(publicUrl ? { PARLEY_PUBLIC_URL: publicUrl } : {}),
    ...options.env,
  });
  if (options.ice) config.ice = options.ice;
  const natsAccount = {
    accountPub: nats.auth.appAccountPub,
    signingSeed: nats.auth.appSigningSeed,
    accountJwt: nats.auth.appAccountJwt,
  };
  const natsSystemUser = { jwt: nats.auth.gatewaySystemJwt, seed: nats.auth.gatewaySystemSeed };
  const natsBotsAccount = { accountPub: nats.auth.botsAccountPub, signingSeed: nats.auth.botsSigningSeed };
  const logger = createLogger(config.logLevel, logSink);

  const boot = async (port: number, extra?: number): Promise<Gateway> => {
    const gw = await createGateway({
      config: { ...config, port },
      natsAccount,
      natsBotsAccount,
      ...(options.heartbeatPresence ? { presence: options.heartbeatPresence } : { natsSystemUser }),
      logger: extra === undefined ? logger : logger.child({ extra }),
      ...(options.failpoints ? { failpoints: options.failpoints } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onRevoked ? { onRevoked: options.onRevoked } : {}),
      ...(options.sessionNow ? { sessionNow: options.sessionNow } : {}),
    });
    try {
      await gw.start();
    } catch (err) {
      await gw.stop().catch(() => undefined);
      throw err;
    }
    // The gateway (TCP) and the SDK clients (WebSocket) share this process; see dual-transport.ts.
    installDualTransport();
    return gw;
  };
  let gateway = await boot(fixedPort);
  const extras: Gateway[] = [];
  await gateway.admin.putShop(SHOP_ID, {
    name: "Test Shop",
    tokenKey: { alg: "HS256", secret: SHOP_SECRET },
    allowedOrigins: ["https://shop.test", ...browserOrigins],
    allowGuests: true,
  });
  await gateway.admin.addAgent(SHOP_ID, {
    login: AGENT_LOGIN,
    password: AGENT_PASSWORD,
    displayName: "Ada",
    role: "admin",
    kind: "agent",
    handle: "ada",
  });

  const client = (o: Omit<ClientOptions, "gatewayUrl" | "WebSocket">) => {
    const c = createClient({
      gatewayUrl: gateway.url,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      origin: DEFAULT_TEST_ORIGIN,
      requestTimeout: 3000,
      // Backbone tests exercise transport and storage with plaintext envelopes; end-to-end tests pass `encryption: true`.
      encryption: false,
      ...o,
    });
    const connect = c.connect.bind(c);
    c.connect = async () => {
      try {
        return await connect();
      } finally {
        installDualTransport();
      }
    };
    return c;
  };
  const customerToken = (sub: string, name?: string) =>
    signCustomerToken({
      shopId: SHOP_ID,
      key: { alg: "HS256", secret: SHOP_SECRET },
      customer: { id: sub, ...(name ? { name } : {}) },
    });

  const stack: TestStack = {
    nats,
    get gateway() {
      return gateway;
    },
    get url() {
      return gateway.url;
    },
    config,
    logs: () => logText,
    customerToken,
    customer: (sub, extra = {}) =>
      client({ auth: { kind: "customer", shopId: SHOP_ID, getToken: () => customerToken(sub, sub) }, ...extra }),
    agent: (extra = {}) =>
      client({ auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN, password: AGENT_PASSWORD }, ...extra }),
    client,
    async restartGateway() {
      const port = Number(new URL(gateway.url).port);
      await gateway.stop();
      gateway = await boot(port);
    },
    async extraGateway() {
      const gw = await boot(0, extras.length + 1);
      extras.push(gw);
      return gw;
    },
    async [Symbol.asyncDispose]() {
      for (const gw of extras) await gw.stop().catch(() => undefined);
      await gateway.stop().catch(() => undefined);
      await nats.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
