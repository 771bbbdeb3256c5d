/**
 * Gateway configuration, read from the environment once at start and
 * validated with every problem reported together.
 */
import { isIP } from "node:net";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL, DEFAULT_RESERVED_CONNECTIONS } from "./nats/limits.js";
import { DEFAULT_MAX_DEVICES, MAX_DEVICES_LIMIT } from "./service/device-registry.js";
import { checkIceUrl, ICE_DEFAULTS, type IceOptions, TURN_TTL_BOUNDS } from "./service/ice.js";
import { parseQuotas, type QuotaTable } from "./service/quotas.js";
import { DEFAULT_RPC_CONCURRENCY, type RpcConcurrency } from "./service/rpc-admission.js";
import { WEBHOOK_DEFAULTS, type WebhookOptions } from "./service/webhooks/options.js";

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

/** Names `proxy-addr` (Express) knows for address ranges. */
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** Whether `value` is a proxy address Express can trust: a range name, an IP, or an IP with a prefix length. */
function isProxyAddress(value: string): boolean {
  if (PROXY_RANGES.has(value)) return true;
  const [address = "", bits, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * `PARLEY_TRUST_PROXY`: how many proxies stand in front of the gateway (a number: `1` takes the
 * last `X-Forwarded-For` address, the one the proxy appended), or the proxies' own addresses
 * (`loopback`, IPs, CIDRs, comma-separated). `true` is refused: trusting every hop makes the
 * leftmost address, which any client can forge, the client's.
 */
const trustProxySchema = z
  .string()
  .trim()
  .transform((value, ctx): number | string[] | undefined => {
    if (value === "" || value === "false") return undefined;
    if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 10) return Number(value);
    const parts = value.split(",").map((part) => part.trim());
    if (!/^\d+$/.test(value) && parts.every(isProxyAddress)) return parts;
    ctx.addIssue({
      code: "custom",
      message:
        "must be a number of proxy hops (1 to 10) or proxy addresses (loopback, IPs, CIDRs); `true` would let clients forge X-Forwarded-For",
    });
    return z.NEVER;
  });

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
  /** Absolute lifetime of a sign-in, seconds: no refresh after it (default 30 days; 5 minutes to a year). */
  PARLEY_SESSION_MAX_AGE: z.coerce
    .number()
    .int()
    .min(300)
    .max(365 * 86_400)
    .default(30 * 86_400),
  /** How long the previous refresh token still answers after a rotation (two tabs, a lost answer), seconds. */
  PARLEY_REFRESH_GRACE: z.coerce.number().int().min(0).max(120).default(15),
  PARLEY_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Proxies in front of the gateway: a hop count (`1`) or their addresses (`loopback`, a CIDR); off by default. */
  PARLEY_TRUST_PROXY: trustProxySchema.optional(),
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
  /** Devices per principal (at most 16, what a commit lists per member); one more evicts the least recently seen. */
  PARLEY_MAX_DEVICES: z.coerce.number().int().min(1).max(MAX_DEVICES_LIMIT).default(DEFAULT_MAX_DEVICES),
  /** Max file uploads per principal per minute. */
  PARLEY_UPLOAD_RATE: z.coerce.number().int().min(1).default(30),
  /** Handle probes (lookups, availability checks, handle changes, invites) per principal per minute, shared by all gateways. */
  PARLEY_HANDLE_PROBE_RATE: z.coerce.number().int().min(1).default(20),
  /** Handle probes per client IP per minute, all principals from it together, shared by all gateways. */
  PARLEY_HANDLE_PROBE_IP_RATE: z.coerce.number().int().min(1).default(60),
  /**
   * Quotas on conv.open, epoch.commit, device.register, profile.update, msg.history, msg.since and uploads,
   * per principal and per client IP, shared by all gateways: `op=perPrincipal/perIp/windowSeconds,...`
   * (service/quotas.ts has the defaults; ops not named keep theirs).
   */
  PARLEY_QUOTAS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseQuotas(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Bytes of stored envelopes and files per shop (default 5 GiB); past it sends and uploads get `quota_exceeded`. */
  PARLEY_SHOP_STORAGE_QUOTA: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(5 * 1024 ** 3),
  /** A file no sent message claimed within this many seconds of its upload is deleted (default a day). */
  PARLEY_BLOB_CLAIM_WINDOW: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
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
  /** RPCs of one principal running at once on this gateway (NATS and HTTP); more are answered `busy`. */
  PARLEY_RPC_PER_PRINCIPAL: z.coerce.number().int().min(1).max(1000).default(DEFAULT_RPC_CONCURRENCY.perPrincipal),
  /** RPCs running at once on this gateway, all principals together; more are answered `busy`. */
  PARLEY_RPC_CONCURRENCY: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_RPC_CONCURRENCY.total),
  /** Port of the separate `/metrics` listener (Prometheus); unset: no metrics listener. 0 picks a free port. */
  PARLEY_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Address of the `/metrics` listener; anything but loopback needs `PARLEY_METRICS_TOKEN`. */
  PARLEY_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /** Bearer token `/metrics` asks for (at least 24 characters); unset, the loopback listener answers anyone local. */
  PARLEY_METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  /** NATS connections one principal may hold at once (more are closed by the gateway). */
  PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL),
  /** App-account NATS connections kept free of principals for the gateways' own connections. */
  PARLEY_NATS_RESERVED_CONNECTIONS: z.coerce.number().int().min(1).default(DEFAULT_RESERVED_CONNECTIONS),
  /** `true`: webhooks may go to `http:` URLs and loopback addresses (development only; private ranges stay refused). */
  PARLEY_WEBHOOK_ALLOW_LOOPBACK: z.enum(["true", "false"]).default("false"),
  /** How long one webhook attempt may take, ms. */
  PARLEY_WEBHOOK_TIMEOUT: z.coerce.number().int().min(100).max(60_000).default(WEBHOOK_DEFAULTS.timeoutMs),
  /** The first webhook retry's delay, ms (then doubling, with jitter). */
  PARLEY_WEBHOOK_BACKOFF: z.coerce.number().int().min(1).max(3_600_000).default(WEBHOOK_DEFAULTS.backoffBaseMs),
  /** Webhook attempts before an event is marked failed. */
  PARLEY_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(WEBHOOK_DEFAULTS.maxAttempts),
  /** Age after which a webhook event is failed instead of retried, seconds. */
  PARLEY_WEBHOOK_MAX_AGE: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(WEBHOOK_DEFAULTS.maxAgeMs / 1000),
  /** How long `message.created` waits to coalesce a burst, ms. */
  PARLEY_WEBHOOK_COALESCE: z.coerce.number().int().min(0).max(600_000).default(WEBHOOK_DEFAULTS.coalesceMs),
  /** How often a gateway looks for due webhook deliveries, ms. */
  PARLEY_WEBHOOK_POLL: z.coerce.number().int().min(10).max(60_000).default(WEBHOOK_DEFAULTS.pollMs),
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
  /** Absolute lifetime of a sign-in, seconds (`PARLEY_SESSION_MAX_AGE`). */
  sessionMaxAgeSeconds: number;
  /** Grace window of the previous refresh token after a rotation, seconds (`PARLEY_REFRESH_GRACE`). */
  refreshGraceSeconds: number;
  logLevel: string;
  sendRatePerSecond: number;
  /** How long an invite stays answerable, ms (`PARLEY_INVITE_TTL` seconds). */
  inviteTtlMs: number;
  /** Largest upload in ciphertext bytes. */
  maxFileBytes: number;
  /** Directory of file blobs for the embedded store. */
  blobDir: string;
  uploadRatePerMinute: number;
  /** Devices per principal (`PARLEY_MAX_DEVICES`); one more evicts the least recently seen. */
  maxDevices: number;
  /** Handle probes per principal per minute (store-backed, shared by all gateways). */
  handleProbeRatePerMinute: number;
  /** Handle probes per client IP per minute (store-backed, shared by all gateways). */
  handleProbeIpRatePerMinute: number;
  /** Quotas per op, principal and client IP, shared by all gateways (`PARLEY_QUOTAS` over the defaults). */
  quotas: QuotaTable;
  /** Bytes of stored envelopes and files a shop may hold (`PARLEY_SHOP_STORAGE_QUOTA`). */
  shopStorageQuota: number;
  /** How long an uploaded file may stay unclaimed by a sent message before it is deleted, ms. */
  blobClaimWindowMs: number;
  /** Express `trust proxy`: a hop count or the proxies' addresses; undefined trusts no proxy. */
  trustProxy: number | string[] | undefined;
  /** The widget's `dist/` (launcher and frame); undefined: the installed `@parley/widget`. */
  widgetDir: string | undefined;
  /** STUN and TURN servers for calls (`call.ice`), with the TURN secret; empty lists when unset. */
  ice: IceOptions;
  /** How many RPCs run at once, per principal and in total, on this gateway. */
  rpcConcurrency: Required<RpcConcurrency>;
  /** NATS connections one principal may hold at once (`PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL`). */
  maxConnectionsPerPrincipal: number;
  /** App-account connections reserved for gateways (`PARLEY_NATS_RESERVED_CONNECTIONS`). */
  natsReservedConnections: number;
  /**
   * The `/metrics` listener (`PARLEY_METRICS_PORT`, `PARLEY_METRICS_HOST`, `PARLEY_METRICS_TOKEN`);
   * undefined when no port is set.
   */
  metrics: { host: string; port: number; token: string | undefined } | undefined;
  /** Webhook delivery settings (`PARLEY_WEBHOOK_*`). */
  webhooks: Required<WebhookOptions>;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (env.PARLEY_TURN_URLS?.trim() && !env.PARLEY_TURN_SECRET) {
    problems.push("PARLEY_TURN_SECRET: required when PARLEY_TURN_URLS is set (the TURN server's static-auth-secret)");
  }
  if (
    env.PARLEY_METRICS_PORT !== undefined &&
    !env.PARLEY_METRICS_TOKEN &&
    !isLoopbackHost(env.PARLEY_METRICS_HOST ?? "127.0.0.1")
  ) {
    problems.push("PARLEY_METRICS_TOKEN: required when PARLEY_METRICS_HOST is not a loopback address");
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const turnUrls = e.PARLEY_TURN_URLS ?? [];
  // PARLEY_UPLOAD_RATE is the uploads' per-principal budget a minute, unless PARLEY_QUOTAS names `upload`.
  const namesUpload = /(^|,)\s*upload=/.test(env.PARLEY_QUOTAS ?? "");
  const uploadRule = namesUpload
    ? e.PARLEY_QUOTAS.upload
    : { ...e.PARLEY_QUOTAS.upload, perPrincipal: e.PARLEY_UPLOAD_RATE, windowSeconds: 60 };
  e.PARLEY_QUOTAS.upload = uploadRule;
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
    sessionMaxAgeSeconds: e.PARLEY_SESSION_MAX_AGE,
    refreshGraceSeconds: e.PARLEY_REFRESH_GRACE,
    logLevel: e.PARLEY_LOG_LEVEL,
    sendRatePerSecond: e.PARLEY_SEND_RATE,
    inviteTtlMs: e.PARLEY_INVITE_TTL * 1000,
    maxFileBytes: e.PARLEY_MAX_FILE_BYTES,
    blobDir: e.PARLEY_BLOB_DIR ?? join(e.PARLEY_DATA_DIR, "blobs"),
    uploadRatePerMinute: uploadRule.perPrincipal,
    maxDevices: e.PARLEY_MAX_DEVICES,
    handleProbeRatePerMinute: e.PARLEY_HANDLE_PROBE_RATE,
    handleProbeIpRatePerMinute: e.PARLEY_HANDLE_PROBE_IP_RATE,
    quotas: e.PARLEY_QUOTAS,
    shopStorageQuota: e.PARLEY_SHOP_STORAGE_QUOTA,
    blobClaimWindowMs: e.PARLEY_BLOB_CLAIM_WINDOW * 1000,
    trustProxy: e.PARLEY_TRUST_PROXY,
    widgetDir: e.WIDGET_DIR,
    ice: {
      stunUrls: e.PARLEY_STUN_URLS ?? [],
      ...(turnUrls.length > 0 && e.PARLEY_TURN_SECRET !== undefined
        ? { turn: { urls: turnUrls, secret: e.PARLEY_TURN_SECRET, ttlSeconds: e.PARLEY_TURN_TTL } }
        : {}),
      ratePerMinute: e.PARLEY_ICE_RATE,
    },
    rpcConcurrency: { perPrincipal: e.PARLEY_RPC_PER_PRINCIPAL, total: e.PARLEY_RPC_CONCURRENCY },
    maxConnectionsPerPrincipal: e.PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL,
    natsReservedConnections: e.PARLEY_NATS_RESERVED_CONNECTIONS,
    metrics:
      e.PARLEY_METRICS_PORT === undefined
        ? undefined
        : { host: e.PARLEY_METRICS_HOST, port: e.PARLEY_METRICS_PORT, token: e.PARLEY_METRICS_TOKEN },
    webhooks: {
      ...WEBHOOK_DEFAULTS,
      allowLoopback: e.PARLEY_WEBHOOK_ALLOW_LOOPBACK === "true",
      timeoutMs: e.PARLEY_WEBHOOK_TIMEOUT,
      backoffBaseMs: e.PARLEY_WEBHOOK_BACKOFF,
      maxAttempts: e.PARLEY_WEBHOOK_MAX_ATTEMPTS,
      maxAgeMs: e.PARLEY_WEBHOOK_MAX_AGE * 1000,
      coalesceMs: e.PARLEY_WEBHOOK_COALESCE,
      pollMs: e.PARLEY_WEBHOOK_POLL,
    },
  };
}

/** Whether `host` only accepts connections from this machine (`localhost`, 127.0.0.0/8, `::1`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim();
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}
