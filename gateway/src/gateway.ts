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
import type { Logger } from "pino";
import { SessionTokens } from "./auth/session-tokens.js";
import type { GatewayConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { JwtMinter } from "./nats/minter.js";
import { ChatService } from "./service/chat-service.js";
import type { PresenceOptions } from "./service/presence.js";
import { Quotas } from "./service/quotas.js";
import { SessionService } from "./service/sessions.js";
import { ShopAdmin } from "./service/shop-admin.js";
import { ShopStorage } from "./service/storage.js";
import { type BlobStore, openBlobStore } from "./store/blobs/index.js";
import { openStore } from "./store/index.js";
import type { Store } from "./store/port.js";
import { createFileRoutes } from "./transport/file-routes.js";
import { createHttpApp } from "./transport/http-app.js";
import { NatsResponder } from "./transport/nats-responder.js";
import { createWidgetRoutes } from "./transport/widget-routes.js";

export interface GatewayOptions {
  config: GatewayConfig;
  /** The app account's public key and signing seed: all the NATS authority the gateway holds. */
  natsAccount: { accountPub: string; signingSeed: string };
  /** The bots account's public key and signing seed; without it, bots cannot sign in (`unavailable`). */
  natsBotsAccount?: { accountPub: string; signingSeed: string };
  /** A store to use instead of opening one from the config (tests). */
  store?: Store;
  logger?: Logger;
  /**
   * Fault injection for tests (in the manner of etcd's failpoints): `dropPublish`
   * returning true makes the gateway skip that event publish, as if it had
   * crashed between persisting a message and publishing it. Never set in production.
   */
  failpoints?: { dropPublish?: (subject: string) => boolean };
  /** Presence heartbeats: how long a silent connection stays online (`ttlMs`, default 30 s) and the ping interval. */
  presence?: PresenceOptions;
  /** The clock of the chat service (ms since the epoch): tests move it to expire invites and cooldowns. @default Date.now */
  now?: () => number;
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
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  const store =
    options.store ??
    (await openStore({ mongodbUri: config.mongodbUri, mongoDbName: config.mongoDbName, dataDir: config.dataDir }));
  const blobs = await openBlobStore({
    mongodbUri: config.mongodbUri,
    mongoDbName: config.mongoDbName,
    blobDir: config.blobDir,
  });
  const minter = new JwtMinter(options.natsAccount);
  const botMinter = options.natsBotsAccount ? new JwtMinter(options.natsBotsAccount) : undefined;
  const tokens = new SessionTokens(config.sessionSecret);
  const admin = new ShopAdmin(store);
  if (config.shopsFile) {
    const count = await admin.loadFile(config.shopsFile);
    log.info({ count, file: config.shopsFile }, "shops loaded");
  }

  let nc: NatsConnection | undefined;
  let responder: NatsResponder | undefined;
  let server: Server | undefined;
  let url = "";
  let stopping = false;
  let natsUp = false;

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
    inviteTtlMs: config.inviteTtlMs,
    handleProbes: { perPrincipal: config.handleProbeRatePerMinute, perIp: config.handleProbeIpRatePerMinute },
    ice: config.ice,
    ...(options.presence ? { presence: options.presence } : {}),
    ...(options.now ? { now: options.now } : {}),
    sink: {
      publish(subject, payload) {
        if (!nc) throw new Error("NATS is not connected");
        if (options.failpoints?.dropPublish?.(subject)) return;
        nc.publish(subject, payload);
      },
    },
  });

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
          if (status.type === "disconnect" || status.type === "reconnect") log.warn({ status: status.type }, "nats");
        }
      })().catch(() => undefined);
      responder = new NatsResponder(nc, chat, store, log);
      responder.start();
      await chat.presence.start(nc);
      storage.start();

      const sessions = new SessionService({
        store,
        minter,
        botMinter,
        tokens,
        natsWsUrls: config.natsWsUrls,
        tokenAudience: config.tokenAudience,
        jwtTtlSeconds: config.jwtTtlSeconds,
        refreshTtlSeconds: config.refreshTtlSeconds,
        ownOrigin,
      });
      const app = createHttpApp({
        sessions,
        chat,
        admin,
        tokens,
        store,
        log,
        adminToken: config.adminToken,
        trustProxy: config.trustProxy,
        fileRoutes: createFileRoutes({
          blobs,
          store,
          tokens,
          log,
          maxFileBytes: config.maxFileBytes,
          quotas,
          storage,
        }),
        widgetRoutes: createWidgetRoutes({ widgetDir: config.widgetDir, natsWsUrls: config.natsWsUrls, store, log }),
        isReady: () => natsUp && !stopping,
        corsOrigins: async () => {
          if (corsCache && Date.now() - corsCache.at < 10_000) return corsCache.origins;
          corsCache = { at: Date.now(), origins: new Set(await store.listAllowedOrigins()) };
          if (ownOrigin) corsCache.origins.add(ownOrigin);
          return corsCache.origins;
        },
      });
      await new Promise<void>((resolve, reject) => {
        const s = app.listen(config.port, config.host, () => resolve());
        s.once("error", reject);
        server = s;
      });
      const address = server?.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      log.info({ url, store: store.kind }, "gateway started");
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      const closing = server ? new Promise<void>((resolve) => server?.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      await responder?.stop();
      chat.presence.stop();
      await storage.stop();
      if (nc && !nc.isClosed()) await nc.drain().catch(() => undefined);
      await closing;
      await store.close();
      await blobs.close();
      log.info("gateway stopped");
    },
  };
  return gateway;
}
