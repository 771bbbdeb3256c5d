/**
 * Assembles a gateway: store, NATS connection, the NATS responder and the
 * HTTP app. `start()` listens; `stop()` shuts down gracefully: stop accepting
 * HTTP, stop taking NATS requests (the queue group hands them to other
 * gateways), finish the ones in flight, drain NATS, close the store.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { type ServerEvent, subjects } from "@parley/sdk/protocol";
import { decodeJwt } from "jose";
import type { Logger } from "pino";
import { SessionTokens } from "./auth/session-tokens.js";
import type { GatewayConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { ConnectionGuard, type PrincipalConnections } from "./nats/connections.js";
import { JwtMinter } from "./nats/minter.js";
import { PublishBatch } from "./nats/publish-batch.js";
import { GatewayMetrics } from "./observability/metrics.js";
import { type MetricsServer, startMetricsServer } from "./observability/metrics-server.js";
import { requestHeaders } from "./observability/request-ids.js";
import { timedStore } from "./observability/store-timing.js";
import { type ServedRoute, servedRoutes } from "./openapi/route-list.js";
import { ChatService } from "./service/chat-service.js";
import type { PresenceOptions } from "./service/presence.js";
import { Quotas } from "./service/quotas.js";
import { RpcAdmission } from "./service/rpc-admission.js";
import { type OnRevoked, type RevokeReason, SessionService } from "./service/sessions.js";
import { ShopAdmin } from "./service/shop-admin.js";
import { ShopStorage } from "./service/storage.js";
import { WebhookDelivery } from "./service/webhooks/delivery.js";
import { type BlobStore, openBlobStore } from "./store/blobs/index.js";
import { openStore } from "./store/index.js";
import type { Store } from "./store/port.js";
import { createFileRoutes } from "./transport/file-routes.js";
import { createHttpApp } from "./transport/http-app.js";
import { NatsResponder, type ResponderStats } from "./transport/nats-responder.js";
import { createWidgetRoutes } from "./transport/widget-routes.js";

export interface GatewayOptions {
  config: GatewayConfig;
  /**
   * The app account's public key and signing seed, and optionally its JWT (whose connection limit, minus
   * `PARLEY_NATS_RESERVED_CONNECTIONS`, bounds all principals' connections together).
   */
  natsAccount: { accountPub: string; signingSeed: string; accountJwt?: string };
  /** The bots account's public key and signing seed; without it, bots cannot sign in (`unavailable`). */
  natsBotsAccount?: { accountPub: string; signingSeed: string };
  /**
   * The gateways' system-account user (`gatewaySystemJwt`, `gatewaySystemSeed` of the NATS auth file): with it
   * the gateway caps connections per principal and can disconnect a principal; without it neither happens.
   */
  natsSystemUser?: { jwt: string; seed: string };
  /** A store to use instead of opening one from the config (tests). */
  store?: Store;
  logger?: Logger;
  /**
   * Fault injection for tests (in the manner of etcd's failpoints): `dropPublish`
   * returning true makes the gateway skip that event publish, as if it had
   * crashed between persisting a message and publishing it. Never set in production.
   */
  failpoints?: { dropPublish?: (subject: string) => boolean };
  /**
   * Presence heartbeats, used only without `natsSystemUser` (with it, presence follows NATS connections):
   * how long a silent connection stays online (`ttlMs`, default 30 s) and the ping interval.
   */
  presence?: PresenceOptions;
  /** The clock of the chat service (ms since the epoch): tests move it to expire invites and cooldowns. @default Date.now */
  now?: () => number;
  /**
   * The clock of session lifetimes (families' creation, rotation, maximum age, revocation times):
   * tests move it to age sessions. Token expiry stays on the wall clock. @default Date.now
   */
  sessionNow?: () => number;
  /**
   * Called after a principal's sessions were revoked (logout, password change, removal): the place to
   * disconnect its live NATS connections. Awaited; unset, live connections end with their JWT's expiry.
   */
  onRevoked?: OnRevoked;
}

export interface Gateway {
  /** `http://host:port` once started. */
  readonly url: string;
  readonly store: Store;
  /** Encrypted file blobs: GridFS with MongoDB, else files in `config.blobDir`. */
  readonly blobs: BlobStore;
  /** The per-shop storage quota and the sweep of files no message claimed. */
  readonly storage: ShopStorage;
  readonly admin: ShopAdmin;
  /**
   * What the RPC responder counted since start: requests dropped for a reply subject other than the
   * caller's inbox or none, requests refused `busy`, and those running now.
   */
  rpcStats(): ResponderStats;
  /** Principals' live NATS connections: `disconnect(principalId)` closes them all (on revocation). */
  readonly connections: PrincipalConnections;
  /** This gateway's Prometheus metrics (its own registry). */
  readonly metrics: GatewayMetrics;
  /** `http://host:port/metrics` of the metrics listener once started; empty without `PARLEY_METRICS_PORT`. */
  readonly metricsUrl: string;
  /** The HTTP routes served, read from the app's router stack (none before `start()`); the OpenAPI route check reads them. */
  httpRoutes(): ServedRoute[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  let natsUp = false;
  const admission = new RpcAdmission(config.rpcConcurrency);
  let guard: ConnectionGuard | undefined;
  const metrics = new GatewayMetrics({
    inFlight: () => admission.stats().inFlight,
    connections: () => {
      const s = guard?.stats();
      return { connections: s?.principalConnections ?? 0, principals: s?.principals ?? 0, kicks: s?.kicks ?? 0 };
    },
    natsConnected: () => natsUp,
  });
  // Every store call is timed, whichever adapter (parley_store_duration_seconds).
  const store = timedStore(
    options.store ??
      (await openStore({ mongodbUri: config.mongodbUri, mongoDbName: config.mongoDbName, dataDir: config.dataDir })),
    metrics,
  );
  const blobs = await openBlobStore({
    mongodbUri: config.mongodbUri,
    mongoDbName: config.mongoDbName,
    blobDir: config.blobDir,
  });
  const minter = new JwtMinter(options.natsAccount);
  const botMinter = options.natsBotsAccount ? new JwtMinter(options.natsBotsAccount) : undefined;
  const tokens = new SessionTokens(config.sessionSecret);
  guard = options.natsSystemUser
    ? new ConnectionGuard({
        servers: config.natsUrls,
        user: options.natsSystemUser,
        appAccountPub: options.natsAccount.accountPub,
        ...(options.natsBotsAccount ? { botsAccountPub: options.natsBotsAccount.accountPub } : {}),
        maxPerPrincipal: config.maxConnectionsPerPrincipal,
        ...(options.natsAccount.accountJwt
          ? { appConnectionLimit: accountConnectionLimit(options.natsAccount.accountJwt) }
          : {}),
        reserved: config.natsReservedConnections,
        log,
        onStatus: (event) => metrics.natsEvent("watcher", event),
      })
    : undefined;
  if (!guard) log.warn("no NATS system user: connections per principal are not capped and cannot be disconnected");
  const connections: PrincipalConnections = guard ?? { disconnect: async () => 0, count: () => 0 };
  // A password change or a removal closes the principal's live NATS connections at once; a logout ends
  // one sign-in (the principal's other devices stay), whose NATS JWT lapses within PARLEY_JWT_TTL.
  // Set once the chat service exists: a removed team login makes the team key's rotation due.
  let loginRemoved: ((principalId: string, requestId?: string) => Promise<void>) | undefined;
  // Set once NATS is connected: tells the principal's open clients their sign-ins ended.
  // Both events carry the id of the request that revoked (`team.remove`, the admin API), when one did.
  let sessionEnded:
    | ((principalId: string, reason: Exclude<RevokeReason, "logout">, requestId?: string) => Promise<void>)
    | undefined;
  const onRevoked: OnRevoked = async (principalId, reason, requestId) => {
    if (reason !== "logout") {
      // The event goes first (flushed): an open client then ends with `unauthorized` and shows its
      // sign-in, instead of meeting a closed socket and trying to reconnect.
      await sessionEnded?.(principalId, reason, requestId).catch((err: unknown) =>
        log.warn({ err }, "cannot announce the end of a session"),
      );
      await connections.disconnect(principalId, requestId);
    }
    if (reason === "removed") {
      await loginRemoved?.(principalId, requestId).catch((err: unknown) =>
        log.warn({ err }, "cannot announce a team-key rotation"),
      );
    }
    await options.onRevoked?.(principalId, reason, requestId);
  };
  const admin = new ShopAdmin(store, {
    onRevoked,
    ...(options.sessionNow ? { now: options.sessionNow } : {}),
  });
  if (config.shopsFile) {
    const count = await admin.loadFile(config.shopsFile);
    log.info({ count, file: config.shopsFile }, "shops loaded");
  }

  let nc: NatsConnection | undefined;
  let responder: NatsResponder | undefined;
  let server: Server | undefined;
  let metricsServer: MetricsServer | undefined;
  let routesServed: ServedRoute[] = [];
  let url = "";
  let stopping = false;

  // Replies and events leave together once per event-loop turn (publish-batch.ts, ADR 0044).
  const outbox = new PublishBatch({
    publish(subject, payload, requestId) {
      if (!nc) throw new Error("NATS is not connected");
      nc.publish(subject, payload, requestId === undefined ? undefined : { headers: requestHeaders(requestId) });
    },
    onError: (err, dropped, reqIds) => log.warn({ err, dropped, reqIds }, "could not publish replies and events"),
  });
  const quotas = new Quotas(store, config.quotas);
  const storage = new ShopStorage({
    usage: store,
    quotaBytes: config.shopStorageQuota,
    blobs,
    claimWindowMs: config.blobClaimWindowMs,
    log,
  });
  const chat = new ChatService({
    store,
    quotas,
    storage,
    sendRate: config.sendRatePerSecond,
    maxDevices: config.maxDevices,
    inviteTtlMs: config.inviteTtlMs,
    handleProbes: { perPrincipal: config.handleProbeRatePerMinute, perIp: config.handleProbeIpRatePerMinute },
    ice: config.ice,
    removeAgent: (shopId, login, requestId) => admin.removeAgent(shopId, login, requestId),
    webhooks: config.webhooks,
    log,
    ...(options.presence ? { presence: options.presence } : {}),
    ...(guard ? { connections: guard } : {}),
    ...(options.now ? { now: options.now } : {}),
    sink: {
      publish(subject, payload, requestId) {
        if (!nc) throw new Error("NATS is not connected");
        if (options.failpoints?.dropPublish?.(subject)) return;
        outbox.publish(subject, payload, requestId);
      },
    },
  });
  loginRemoved = (principalId, requestId) => chat.teamLoginRemoved(principalId, requestId);
  sessionEnded = async (principalId, reason, requestId) => {
    if (!nc || nc.isClosed()) return;
    const event: ServerEvent = { type: "session", change: "ended", reason };
    const headers = requestId === undefined ? undefined : { headers: requestHeaders(requestId) };
    nc.publish(subjects.user(principalId), JSON.stringify(event), headers);
    await nc.flush();
  };

  const webhookDelivery = new WebhookDelivery({ store, settings: config.webhooks, now: Date.now, log });

  // CORS: a preflight names no shop, so it is answered for any origin some shop registered (cached for
  // 10 s); the session routes then check the origin against the one shop the request names.
  let corsCache: { at: number; origins: Set<string> } | undefined;
  const ownOrigin = config.publicUrl ? new URL(config.publicUrl).origin : undefined;

  const gateway: Gateway = {
    get url() {
      return url;
    },
    store,
    blobs,
    storage,
    admin,
    rpcStats() {
      return responder?.stats() ?? { foreignReplies: 0, noReply: 0, ...admission.stats() };
    },
    connections,
    metrics,
    get metricsUrl() {
      return metricsServer?.url ?? "";
    },
    httpRoutes() {
      return routesServed;
    },
    async start() {
      const service = await minter.mintService({ name: "parley-gateway" });
      nc = await connect({
        servers: config.natsUrls,
        name: "parley-gateway",
        authenticator: jwtAuthenticator(service.jwt, new TextEncoder().encode(service.seed)),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 10_000,
      });
      natsUp = true;
      const conn = nc;
      (async () => {
        for await (const status of conn.status()) {
          if (status.type === "disconnect") natsUp = false;
          if (status.type === "reconnect") natsUp = true;
          if (status.type === "disconnect" || status.type === "reconnect") {
            metrics.natsEvent("service", status.type);
            log.warn({ status: status.type }, "nats");
          }
        }
      })().catch(() => undefined);
      responder = new NatsResponder(nc, chat, store, log, admission, metrics, outbox);
      responder.start();
      await chat.presence.start(nc);
      await guard?.start(nc);
      storage.start();
      webhookDelivery.start();

      const sessions = new SessionService({
        store,
        minter,
        botMinter,
        tokens,
        natsWsUrls: config.natsWsUrls,
        tokenAudience: config.tokenAudience,
        jwtTtlSeconds: config.jwtTtlSeconds,
        refreshTtlSeconds: config.refreshTtlSeconds,
        sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
        refreshGraceSeconds: config.refreshGraceSeconds,
        ownOrigin,
        onRevoked,
        ...(options.sessionNow ? { sessionNow: options.sessionNow } : {}),
        maxDevices: config.maxDevices,
      });
      const app = createHttpApp({
        sessions,
        chat,
        admin,
        webhooks: chat.webhooks,
        store,
        log,
        adminToken: config.adminToken,
        trustProxy: config.trustProxy,
        fileRoutes: createFileRoutes({
          blobs,
          store,
          apiPrincipal: (token) => sessions.families.apiPrincipal(token),
          log,
          maxFileBytes: config.maxFileBytes,
          quotas,
          storage,
        }),
        widgetRoutes: createWidgetRoutes({ widgetDir: config.widgetDir, natsWsUrls: config.natsWsUrls, store, log }),
        isReady: () => natsUp && !stopping,
        admission,
        metrics,
        corsOrigins: async () => {
          if (corsCache && Date.now() - corsCache.at < 10_000) return corsCache.origins;
          corsCache = { at: Date.now(), origins: new Set(await store.listAllowedOrigins()) };
          if (ownOrigin) corsCache.origins.add(ownOrigin);
          return corsCache.origins;
        },
      });
      routesServed = servedRoutes(app);
      await new Promise<void>((resolve, reject) => {
        const s = app.listen(config.port, config.host, () => resolve());
        s.once("error", reject);
        server = s;
      });
      const address = server?.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      if (config.metrics) {
        metricsServer = await startMetricsServer({ metrics, ...config.metrics, log });
      }
      log.info({ url, store: store.kind }, "gateway started");
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      const closing = server ? new Promise<void>((resolve) => server?.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      await responder?.stop();
      chat.presence.stop();
      await guard?.stop();
      await storage.stop();
      outbox.flush();
      await webhookDelivery.stop();
      if (nc && !nc.isClosed()) await nc.drain().catch(() => undefined);
      await closing;
      await metricsServer?.close();
      await store.close();
      await blobs.close();
      log.info("gateway stopped");
    },
  };
  return gateway;
}

/** The connection limit in an account JWT (`nats.limits.conn`); undefined when absent or unlimited. */
function accountConnectionLimit(accountJwt: string): number | undefined {
  const conn = (decodeJwt(accountJwt) as { nats?: { limits?: { conn?: unknown } } }).nats?.limits?.conn;
  return typeof conn === "number" && conn > 0 ? conn : undefined;
}
