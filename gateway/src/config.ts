/**
 * Gateway configuration, read from the environment once at start and
 * validated with every problem reported together.
 */
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL, DEFAULT_RESERVED_CONNECTIONS } from "./nats/limits.js";
import { checkIceUrl, ICE_DEFAULTS, type IceOptions, TURN_TTL_BOUNDS } from "./service/ice.js";

const csv = z
  .string()
  .transform((s) => s.split(",").map((part) => part.trim()))
  .pipe(z.array(z.string().min(1)));

/** A comma-separated list of ICE server URLs of one kind, each checked by `checkIceUrl`. */
function iceUrls(kind: "stun" | "turn") {
  return csv.superRefine((urls, ctx) => {
    for (const url of urls) {
      const problem = checkIceUrl(kind, url);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }
  });
}

const envSchema = z.object({
  PARLEY_HOST: z.string().default("127.0.0.1"),
  PARLEY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Public base URL of the gateway; its origin may always open sessions and gets CORS headers. */
  PARLEY_PUBLIC_URL: z.url().optional(),
  /** Where the gateway's own (TCP, nkey-signed) connection goes. */
  NATS_URL: csv.default(["nats://127.0.0.1:4222"]),
  /** WebSocket URLs handed to clients. */
  NATS_WS_URL: csv,
  /** JSON file holding `appAccountPub` and `appSigningSeed` (written by the NATS setup). */
  NATS_AUTH_FILE: z.string().min(1),
  MONGODB_URI: z.string().startsWith("mongodb").optional(),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .optional(),
  PARLEY_DATA_DIR: z.string().default(".parley/data"),
  /** HMAC secret for the gateway's own session tokens: at least 32 characters. */
  PARLEY_SESSION_SECRET: z.string().min(32, "must be at least 32 characters"),
  /** Bearer token for /v1/admin; admin API disabled when unset. */
  PARLEY_ADMIN_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  /** JSON file with shops and agents to load at start. */
  PARLEY_SHOPS_FILE: z.string().optional(),
  /** Audience customer tokens must name. */
  PARLEY_TOKEN_AUDIENCE: z.string().min(1).default("parley"),
  /** Lifetime of minted NATS user JWTs, seconds (at most 600). */
  PARLEY_JWT_TTL: z.coerce.number().int().min(2).max(600).default(600),
  /** Lifetime of refresh tokens, seconds. */
  PARLEY_REFRESH_TTL: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  PARLEY_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Express `trust proxy` setting behind a TLS-terminating proxy (e.g. `loopback`, `1`); off by default. */
  PARLEY_TRUST_PROXY: z.string().optional(),
  /** Max sends per principal per second. */
  PARLEY_SEND_RATE: z.coerce.number().int().min(1).default(50),
  /** Largest file upload accepted, in ciphertext bytes (default 25 MiB). */
  PARLEY_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(25 * 1024 * 1024),
  /** Where the embedded store keeps file blobs; default `<PARLEY_DATA_DIR>/blobs`. Unused with MongoDB (GridFS). */
  PARLEY_BLOB_DIR: z.string().min(1).optional(),
  /** How long an invite stays answerable, seconds (default 7 days; at least a minute, at most a year). */
  PARLEY_INVITE_TTL: z.coerce
    .number()
    .int()
    .min(60)
    .max(365 * 86_400)
    .default(7 * 86_400),
  /** Max file uploads per principal per minute. */
  PARLEY_UPLOAD_RATE: z.coerce.number().int().min(1).default(30),
  /** Handle probes (lookups, availability checks, handle changes, invites) per principal per minute, shared by all gateways. */
  PARLEY_HANDLE_PROBE_RATE: z.coerce.number().int().min(1).default(20),
  /** Handle probes per client IP per minute, all principals from it together, shared by all gateways. */
  PARLEY_HANDLE_PROBE_IP_RATE: z.coerce.number().int().min(1).default(60),
  /** The widget's build output served under /widget; default: the installed @parley/widget package's dist. */
  WIDGET_DIR: z.string().min(1).optional(),
  /** STUN servers handed to callers (`call.ice`), comma-separated `stun:host[:port]`. */
  PARLEY_STUN_URLS: iceUrls("stun").optional(),
  /** TURN servers handed to callers, comma-separated `turn:`/`turns:` URLs; needs `PARLEY_TURN_SECRET`. */
  PARLEY_TURN_URLS: iceUrls("turn").optional(),
  /** The TURN servers' `static-auth-secret` (coturn `use-auth-secret`): at least 32 characters. */
  PARLEY_TURN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Lifetime of a minted TURN credential, seconds (a minute to a day). */
  PARLEY_TURN_TTL: z.coerce
    .number()
    .int()
    .min(TURN_TTL_BOUNDS.min)
    .max(TURN_TTL_BOUNDS.max)
    .default(ICE_DEFAULTS.ttlSeconds),
  /** `call.ice` requests per principal per minute. */
  PARLEY_ICE_RATE: z.coerce.number().int().min(1).default(ICE_DEFAULTS.ratePerMinute),
  /** NATS connections one principal may hold at once (more are closed by the gateway). */
  PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL),
  /** App-account NATS connections kept free of principals for the gateways' own connections. */
  PARLEY_NATS_RESERVED_CONNECTIONS: z.coerce.number().int().min(1).default(DEFAULT_RESERVED_CONNECTIONS),
});

export type GatewayEnv = z.input<typeof envSchema>;

export interface GatewayConfig {
  host: string;
  port: number;
  publicUrl: string | undefined;
  natsUrls: string[];
  natsWsUrls: string[];
  natsAuthFile: string;
  mongodbUri: string | undefined;
  mongoDbName: string | undefined;
  dataDir: string;
  sessionSecret: string;
  adminToken: string | undefined;
  shopsFile: string | undefined;
  tokenAudience: string;
  jwtTtlSeconds: number;
  refreshTtlSeconds: number;
  logLevel: string;
  sendRatePerSecond: number;
  /** How long an invite stays answerable, ms (`PARLEY_INVITE_TTL` seconds). */
  inviteTtlMs: number;
  /** Largest upload in ciphertext bytes. */
  maxFileBytes: number;
  /** Directory of file blobs for the embedded store. */
  blobDir: string;
  uploadRatePerMinute: number;
  /** Handle probes per principal per minute (store-backed, shared by all gateways). */
  handleProbeRatePerMinute: number;
  /** Handle probes per client IP per minute (store-backed, shared by all gateways). */
  handleProbeIpRatePerMinute: number;
  trustProxy: string | undefined;
  /** The widget's `dist/` (launcher and frame); undefined: the installed `@parley/widget`. */
  widgetDir: string | undefined;
  /** STUN and TURN servers for calls (`call.ice`), with the TURN secret; empty lists when unset. */
  ice: IceOptions;
  /** NATS connections one principal may hold at once (`PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL`). */
  maxConnectionsPerPrincipal: number;
  /** App-account connections reserved for gateways (`PARLEY_NATS_RESERVED_CONNECTIONS`). */
  natsReservedConnections: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (env.PARLEY_TURN_URLS?.trim() && !env.PARLEY_TURN_SECRET) {
    problems.push("PARLEY_TURN_SECRET: required when PARLEY_TURN_URLS is set (the TURN server's static-auth-secret)");
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const turnUrls = e.PARLEY_TURN_URLS ?? [];
  return {
    host: e.PARLEY_HOST,
    port: e.PARLEY_PORT,
    publicUrl: e.PARLEY_PUBLIC_URL,
    natsUrls: e.NATS_URL,
    natsWsUrls: e.NATS_WS_URL,
    natsAuthFile: e.NATS_AUTH_FILE,
    mongodbUri: e.MONGODB_URI,
    mongoDbName: e.MONGODB_DB,
    dataDir: e.PARLEY_DATA_DIR,
    sessionSecret: e.PARLEY_SESSION_SECRET,
    adminToken: e.PARLEY_ADMIN_TOKEN,
    shopsFile: e.PARLEY_SHOPS_FILE,
    tokenAudience: e.PARLEY_TOKEN_AUDIENCE,
    jwtTtlSeconds: e.PARLEY_JWT_TTL,
    refreshTtlSeconds: e.PARLEY_REFRESH_TTL,
    logLevel: e.PARLEY_LOG_LEVEL,
    sendRatePerSecond: e.PARLEY_SEND_RATE,
    inviteTtlMs: e.PARLEY_INVITE_TTL * 1000,
    maxFileBytes: e.PARLEY_MAX_FILE_BYTES,
    blobDir: e.PARLEY_BLOB_DIR ?? join(e.PARLEY_DATA_DIR, "blobs"),
    uploadRatePerMinute: e.PARLEY_UPLOAD_RATE,
    handleProbeRatePerMinute: e.PARLEY_HANDLE_PROBE_RATE,
    handleProbeIpRatePerMinute: e.PARLEY_HANDLE_PROBE_IP_RATE,
    trustProxy: e.PARLEY_TRUST_PROXY,
    widgetDir: e.WIDGET_DIR,
    ice: {
      stunUrls: e.PARLEY_STUN_URLS ?? [],
      ...(turnUrls.length > 0 && e.PARLEY_TURN_SECRET !== undefined
        ? { turn: { urls: turnUrls, secret: e.PARLEY_TURN_SECRET, ttlSeconds: e.PARLEY_TURN_TTL } }
        : {}),
      ratePerMinute: e.PARLEY_ICE_RATE,
    },
    maxConnectionsPerPrincipal: e.PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL,
    natsReservedConnections: e.PARLEY_NATS_RESERVED_CONNECTIONS,
  };
}
