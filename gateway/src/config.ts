/**
 * Gateway configuration, read from the environment once at start and
 * validated with every problem reported together.
 */
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { checkIceUrl, ICE_DEFAULTS, type IceOptions, TURN_TTL_BOUNDS } from "./service/ice.js";
import { parseQuotas, type QuotaTable } from "./service/quotas.js";

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
  /** Quotas per op, principal and client IP, shared by all gateways (`PARLEY_QUOTAS` over the defaults). */
  quotas: QuotaTable;
  /** Bytes of stored envelopes and files a shop may hold (`PARLEY_SHOP_STORAGE_QUOTA`). */
  shopStorageQuota: number;
  /** How long an uploaded file may stay unclaimed by a sent message before it is deleted, ms. */
  blobClaimWindowMs: number;
  trustProxy: string | undefined;
  /** The widget's `dist/` (launcher and frame); undefined: the installed `@parley/widget`. */
  widgetDir: string | undefined;
  /** STUN and TURN servers for calls (`call.ice`), with the TURN secret; empty lists when unset. */
  ice: IceOptions;
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
    logLevel: e.PARLEY_LOG_LEVEL,
    sendRatePerSecond: e.PARLEY_SEND_RATE,
    inviteTtlMs: e.PARLEY_INVITE_TTL * 1000,
    maxFileBytes: e.PARLEY_MAX_FILE_BYTES,
    blobDir: e.PARLEY_BLOB_DIR ?? join(e.PARLEY_DATA_DIR, "blobs"),
    uploadRatePerMinute: uploadRule.perPrincipal,
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
  };
}
