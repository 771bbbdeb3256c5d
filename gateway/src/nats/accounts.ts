/**
 * NATS operator-mode trust chain: an operator, a system account, the app
 * account ("PARLEY") and the bots account ("PARLEY_BOTS"), each user account
 * with one signing key. The gateway keeps only the two accounts' public keys and
 * signing seeds at run time (to mint user JWTs); the nats-server config needs
 * the operator and account JWTs.
 *
 * Browsers and agents connect to the app account with short-lived bearer JWTs.
 * Bots run on servers and hold a key of their own, so they live in an account
 * that refuses bearer JWTs (`disallow_bearer`): a bot's JWT is bound to its
 * public nkey and is useless without the seed that signs the server's nonce.
 * The app account exports the request subjects (`api.>`, a service) and the
 * event subjects (`user.*.ev`, `team.*.ev`, streams) to the bots account only;
 * per-bot allow-lists in each user JWT keep a bot to its own subjects.
 *
 * The system account holds one more user, minted here once: the gateways'
 * connection watcher (connections.ts). It may only read the connect and
 * disconnect events and the connection lists of the two user accounts and ask
 * a server to close one connection (`$SYS.REQ.SERVER.*.KICK`); see
 * {@link systemUserPermissions}.
 */
import { randomUUID } from "node:crypto";
import { chmod, link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  createAccount,
  createOperator,
  createUser,
  decode,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fromSeed,
} from "@nats-io/jwt";
import { SubjectWildcards } from "@parley/sdk/protocol";
import { ACCOUNT_CONNECTION_LIMITS, SERVER_LIMITS, SERVER_MAX_CONNECTIONS } from "./limits.js";

/** Everything needed to run nats-server and mint users for the app account. */
export interface NatsAuth {
  operatorJwt: string;
  systemAccountPub: string;
  systemAccountJwt: string;
  appAccountPub: string;
  appAccountJwt: string;
  /** Seed of the app account's signing key (`SA...`). */
  appSigningSeed: string;
  botsAccountPub: string;
  botsAccountJwt: string;
  /** Seed of the bots account's signing key (`SA...`). */
  botsSigningSeed: string;
  /** The gateways' system-account user (connection watcher): a non-bearer JWT with {@link systemUserPermissions}. */
  gatewaySystemJwt: string;
  /** Seed of that user's nkey (`SU...`). With the two signing seeds, the only secrets the gateway holds. */
  gatewaySystemSeed: string;
}

/** Name of the gateways' system-account user. */
export const GATEWAY_SYSTEM_USER = "parley-gateway-watch";
/** Inbox prefix of the gateways' system-account connections (replies to their CONNZ and KICK requests). */
export const GATEWAY_SYSTEM_INBOX = "_INBOX_parley_watch";

/**
 * What the gateways' system-account user may do, and nothing more: subscribe to the connect and disconnect
 * events of the app and bots accounts, to servers' shutdown notices and to its own inbox; publish account-scoped CONNZ requests for those
 * two accounts and KICK requests (close one connection by id, on any server).
 */
export function systemUserPermissions(appAccountPub: string, botsAccountPub: string) {
  const accounts = [appAccountPub, botsAccountPub];
  return {
    pub: ["$SYS.REQ.SERVER.*.KICK", ...accounts.map((a) => `$SYS.REQ.ACCOUNT.${a}.CONNZ`)],
    sub: [
      ...accounts.flatMap((a) => [`$SYS.ACCOUNT.${a}.CONNECT`, `$SYS.ACCOUNT.${a}.DISCONNECT`]),
      "$SYS.SERVER.*.SHUTDOWN",
      `${GATEWAY_SYSTEM_INBOX}.>`,
    ],
  };
}

/** Limits written into the app account JWT. */
export interface AppAccountLimitOptions {
  /**
   * Maximum client connections to the app account (all gateways and browsers).
   * @default 100_000
   */
  connections?: number;
  /**
   * Maximum subscriptions across the account (-1 = unlimited).
   * @default 1_000_000
   */
  subscriptions?: number;
  /**
   * Maximum message payload in bytes.
   * @default 262_144 (256 KiB)
   */
  payload?: number;
  /**
   * Maximum data in bytes (-1 = unlimited).
   * @default -1
   */
  data?: number;
}

const DEFAULT_LIMITS: Required<AppAccountLimitOptions> = {
  connections: ACCOUNT_CONNECTION_LIMITS.app,
  subscriptions: 1_000_000,
  payload: 256 * 1024,
  data: -1,
};

export const APP_ACCOUNT_NAME = "PARLEY";
export const BOTS_ACCOUNT_NAME = "PARLEY_BOTS";
/** What the app account shares with the bots account: requests in, events out. */
const BOT_SHARES = [
  { name: "api", subject: SubjectWildcards.api, type: "service" },
  { name: "user-events", subject: SubjectWildcards.userEvents, type: "stream" },
  { name: "team-events", subject: SubjectWildcards.teamEvents, type: "stream" },
] as const;
export const SYSTEM_ACCOUNT_NAME = "SYS";
export const OPERATOR_NAME = "parley";

const text = new TextDecoder();

/** Creates a fresh operator, system account, app account and bots account, each user account with one signing key. */
export async function generateNatsAuth(limits: AppAccountLimitOptions = {}): Promise<NatsAuth> {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const operator = createOperator();
  const system = createAccount();
  const app = createAccount();
  const appSigner = createAccount();
  const bots = createAccount();
  const botsSigner = createAccount();

  const operatorJwt = await encodeOperator(OPERATOR_NAME, operator, { system_account: system.getPublicKey() });
  // Without limits an account JWT allows no client connection: the system account admits the gateways' watchers.
  const systemAccountJwt = await encodeAccount(
    SYSTEM_ACCOUNT_NAME,
    system,
    {
      limits: {
        conn: ACCOUNT_CONNECTION_LIMITS.system,
        subs: -1,
        payload: -1,
        data: -1,
        leaf: 0,
        imports: -1,
        exports: -1,
        wildcards: true,
      },
    },
    { signer: operator },
  );
  const appAccountJwt = await encodeAccount(
    APP_ACCOUNT_NAME,
    app,
    {
      signing_keys: [appSigner.getPublicKey()],
      // Browsers connect with bearer user JWTs; bots have their own account.
      exports: BOT_SHARES.map((share) => ({ ...share, token_req: false })),
      limits: {
        conn: l.connections,
        subs: l.subscriptions,
        payload: l.payload,
        data: l.data,
        leaf: 0,
        imports: -1,
        exports: -1,
        wildcards: true,
      },
    },
    { signer: operator },
  );
  const botsAccountJwt = await encodeAccount(
    BOTS_ACCOUNT_NAME,
    bots,
    {
      signing_keys: [botsSigner.getPublicKey()],
      imports: BOT_SHARES.map((share) => ({ ...share, account: app.getPublicKey() })),
      limits: {
        conn: ACCOUNT_CONNECTION_LIMITS.bots,
        subs: 10_000,
        payload: l.payload,
        data: l.data,
        leaf: 0,
        imports: -1,
        exports: 0,
        wildcards: true,
        disallow_bearer: true,
      },
    },
    { signer: operator },
  );
  const watcher = createUser();
  const perms = systemUserPermissions(app.getPublicKey(), bots.getPublicKey());
  const gatewaySystemJwt = await encodeUser(GATEWAY_SYSTEM_USER, watcher, system, {
    pub: { allow: perms.pub },
    sub: { allow: perms.sub },
    subs: 16,
    payload: 4096,
    data: -1,
    bearer_token: false,
    allowed_connection_types: ["STANDARD"],
    tags: ["kind:watcher"],
  });
  return {
    operatorJwt,
    systemAccountPub: system.getPublicKey(),
    systemAccountJwt,
    appAccountPub: app.getPublicKey(),
    appAccountJwt,
    appSigningSeed: text.decode(appSigner.getSeed()),
    botsAccountPub: bots.getPublicKey(),
    botsAccountJwt,
    botsSigningSeed: text.decode(botsSigner.getSeed()),
    gatewaySystemJwt,
    gatewaySystemSeed: text.decode(watcher.getSeed()),
  };
}

const FIELDS = [
  "operatorJwt",
  "systemAccountPub",
  "systemAccountJwt",
  "appAccountPub",
  "appAccountJwt",
  "appSigningSeed",
  "botsAccountPub",
  "botsAccountJwt",
  "botsSigningSeed",
  "gatewaySystemJwt",
  "gatewaySystemSeed",
] as const satisfies readonly (keyof NatsAuth)[];

export function serializeNatsAuth(auth: NatsAuth): string {
  const out: Record<string, string> = {};
  for (const f of FIELDS) out[f] = auth[f];
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Parses and checks saved credentials: every field present, JWTs verify, the signing key is the app account's. */
export function parseNatsAuth(json: string): NatsAuth {
  const raw: unknown = JSON.parse(json);
  if (typeof raw !== "object" || raw === null) throw new TypeError("NATS auth file is not a JSON object");
  const rec = raw as Record<string, unknown>;
  const auth = {} as NatsAuth;
  for (const f of FIELDS) {
    const v = rec[f];
    if (typeof v !== "string" || v === "") {
      throw new TypeError(
        `NATS auth file lacks ${f}${f.startsWith("bots") || f.startsWith("gatewaySystem") ? " (written by an older gateway: delete it and restart nats-server and the gateway to create a new one)" : ""}`,
      );
    }
    auth[f] = v;
  }
  const app = decode<{ signing_keys?: unknown[] }>(auth.appAccountJwt);
  if (app.sub !== auth.appAccountPub) throw new TypeError("NATS auth file: appAccountJwt is not for appAccountPub");
  const signerPub = fromSeed(new TextEncoder().encode(auth.appSigningSeed)).getPublicKey();
  if (!(app.nats.signing_keys ?? []).includes(signerPub)) {
    throw new TypeError("NATS auth file: appSigningSeed is not a signing key of the app account");
  }
  const bots = decode<{ signing_keys?: unknown[] }>(auth.botsAccountJwt);
  if (bots.sub !== auth.botsAccountPub) throw new TypeError("NATS auth file: botsAccountJwt is not for botsAccountPub");
  const botsSignerPub = fromSeed(new TextEncoder().encode(auth.botsSigningSeed)).getPublicKey();
  if (!(bots.nats.signing_keys ?? []).includes(botsSignerPub)) {
    throw new TypeError("NATS auth file: botsSigningSeed is not a signing key of the bots account");
  }
  if (decode(auth.systemAccountJwt).sub !== auth.systemAccountPub) {
    throw new TypeError("NATS auth file: systemAccountJwt is not for systemAccountPub");
  }
  const watcher = decode(auth.gatewaySystemJwt);
  if (watcher.iss !== auth.systemAccountPub)
    throw new TypeError("NATS auth file: gatewaySystemJwt is not a system user");
  if (fromSeed(new TextEncoder().encode(auth.gatewaySystemSeed)).getPublicKey() !== watcher.sub) {
    throw new TypeError("NATS auth file: gatewaySystemSeed is not the key of gatewaySystemJwt");
  }
  decode(auth.operatorJwt);
  return auth;
}

/**
 * Loads the credentials saved in `file`, or creates and saves new ones (mode 0600),
 * so a gateway restart and the demo keep the same keys.
 */
export async function loadOrCreateNatsAuth(file: string): Promise<NatsAuth> {
  try {
    return parseNatsAuth(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const auth = await generateNatsAuth();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, serializeNatsAuth(auth), { mode: 0o600, flag: "wx" });
  try {
    await chmod(tmp, 0o600);
    // link() never replaces: when two processes race, both end up with the first file.
    await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  } finally {
    await unlink(tmp);
  }
  return parseNatsAuth(await readFile(file, "utf8"));
}

/** Options for {@link renderServerConfig}. */
export interface ServerConfigOptions {
  auth: NatsAuth;
  /** Client (TCP) listen host. */
  host: string;
  /** Client (TCP) port. */
  port: number;
  /** WebSocket port (same host). */
  wsPort: number;
  /** Monitoring port (`/healthz`, `/varz` for memory figures); omitted = monitoring off. */
  httpPort?: number;
  /** Exact origins allowed on the WebSocket listener, e.g. `https://chat.example.com`. */
  allowedOrigins: string[];
  /**
   * Server-wide maximum payload in bytes.
   * @default SERVER_LIMITS.maxPayload (256 KiB, the app account limit)
   */
  maxPayload?: number;
  /**
   * Maximum client connections to this server.
   * @default SERVER_MAX_CONNECTIONS (the sum of the account limits)
   */
  maxConnections?: number;
  /**
   * Debug logging (auth failures show their reason only with this on).
   * @default false
   */
  debug?: boolean;
  serverName?: string;
  /** Cluster routes, for a multi-node cluster on `host`. */
  cluster?: { port: number; routes: string[]; name: string };
}

const q = (s: string) => JSON.stringify(s);

/** Renders nats-server config text: operator mode with an in-memory resolver preloaded with every account. */
export function renderServerConfig(opts: ServerConfigOptions): string {
  const { auth } = opts;
  for (const origin of opts.allowedOrigins) {
    const u = new URL(origin);
    if ((u.protocol !== "http:" && u.protocol !== "https:") || u.origin !== origin) {
      throw new TypeError(`allowed origin must be a bare http(s) origin: ${origin}`);
    }
  }
  const lines = [
    "# Generated by @parley/gateway renderServerConfig; do not edit.",
    ...(opts.serverName ? [`server_name: ${q(opts.serverName)}`] : []),
    `host: ${q(opts.host)}`,
    `port: ${opts.port}`,
    ...(opts.httpPort !== undefined ? [`http: ${q(`${opts.host}:${opts.httpPort}`)}`] : []),
    `max_payload: ${opts.maxPayload ?? SERVER_LIMITS.maxPayload}`,
    `max_connections: ${opts.maxConnections ?? SERVER_MAX_CONNECTIONS}`,
    `max_control_line: ${SERVER_LIMITS.maxControlLine}`,
    `max_pending: ${SERVER_LIMITS.maxPending}`,
    `write_deadline: ${q(SERVER_LIMITS.writeDeadline)}`,
    `ping_interval: ${q(SERVER_LIMITS.pingInterval)}`,
    `ping_max: ${SERVER_LIMITS.pingMax}`,
    // Operator mode: the block sets only the CONNECT deadline; users come from JWTs.
    `authorization { timeout: ${SERVER_LIMITS.authTimeout} }`,
    `debug: ${opts.debug ?? false}`,
    "logtime: true",
    "",
    `operator: ${q(auth.operatorJwt)}`,
    `system_account: ${q(auth.systemAccountPub)}`,
    "resolver: MEMORY",
    "resolver_preload: {",
    `  ${auth.systemAccountPub}: ${q(auth.systemAccountJwt)}`,
    `  ${auth.appAccountPub}: ${q(auth.appAccountJwt)}`,
    `  ${auth.botsAccountPub}: ${q(auth.botsAccountJwt)}`,
    "}",
    "",
    "websocket {",
    `  host: ${q(opts.host)}`,
    `  port: ${opts.wsPort}`,
    "  no_tls: true",
    "  compression: false",
    `  handshake_timeout: ${q(`${SERVER_LIMITS.wsHandshakeTimeout}s`)}`,
    `  authorization { timeout: ${SERVER_LIMITS.authTimeout} }`,
    `  allowed_origins: [${opts.allowedOrigins.map(q).join(", ")}]`,
    "}",
  ];
  if (opts.cluster) {
    lines.push(
      "",
      "cluster {",
      `  name: ${q(opts.cluster.name)}`,
      `  host: ${q(opts.host)}`,
      `  port: ${opts.cluster.port}`,
      `  routes: [${opts.cluster.routes.map(q).join(", ")}]`,
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}
