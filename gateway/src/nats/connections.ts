/**
 * The connection watcher: every gateway follows the connect and disconnect
 * events of the app and bots accounts (system-account user, accounts.ts) and
 * closes, with the server's KICK request, what no principal may hold:
 *
 * - more than `maxPerPrincipal` connections of one principal (the newest go);
 * - principal connections of the app account beyond its connection limit minus
 *   `reserved`, the room kept for the gateways' own connections (the newest go);
 * - connections of a principal that {@link ConnectionGuard.disconnect} revoked:
 *   its live ones at once, and for the longest JWT lifetime after, any
 *   reconnect with a JWT issued before the revocation.
 *
 * nats-server has no per-user connection limit, hence this. A connection is
 * known by `serverId:cid`, so the watcher works on a cluster; with several
 * gateways each one sees every event and kicks the same connections (a second
 * KICK of a closed connection is a no-op). On start and after a reconnect it
 * reads the accounts' connection lists (CONNZ), so connections older than the
 * gateway count too. Revocations are broadcast to the other gateways on
 * `parley.internal.conn-revoke`, with the id of the request that revoked as
 * the `X-Request-Id` header; each gateway (the sender too) logs the `reqId` with
 * what it closed (`connection revocation`, at debug). The table of connections is connection-table.ts,
 * what is remembered of revocations connection-revocations.ts.
 *
 * A {@link ConnectionListener} (the team's presence, presence-connections.ts)
 * is told of every principal connection that appears or goes, and one gateway
 * of all, chosen per event by a queue group, is asked to announce it.
 */
import { jwtAuthenticator, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { REQUEST_ID_HEADER } from "@parley/sdk/protocol";
import type { Logger } from "pino";
import { requestHeaders } from "../observability/request-ids.js";
import { GATEWAY_SYSTEM_INBOX } from "./accounts.js";
import { Revocations } from "./connection-revocations.js";
import { type Conn, ConnectionTable, type ConnInput, principalOf, readConnectEvent } from "./connection-table.js";
import { type ListedConnection, listConnections } from "./connz.js";

/** Gateways tell each other about revocations here (`parley.internal.>`: gateways only). */
export const REVOKE_SUBJECT = "parley.internal.conn-revoke";
/** The queue group of the gateways' watchers that hands each connect or disconnect event to one of them. */
export const ANNOUNCE_QUEUE = "parley-presence";

/** A principal's connection as the listener hears of it: its key (`serverId:cid`), principal and JWT tags. */
export interface WatchedConnection {
  key: string;
  principal: string;
  tags: readonly string[];
}

/**
 * Told of principal connections as the watcher learns of them. `event` is true when a connect or
 * disconnect event told it (the announcing gateway is then asked with `announce`), false when a
 * connection list or a server's shutdown notice did (every gateway learns that alone: `settled`
 * follows). `at` is the server's event time (ms), or the watcher's clock.
 */
export interface ConnectionListener {
  up(conn: WatchedConnection, at: number, event: boolean): void;
  down(key: string, at: number, event: boolean): void;
  /** After a complete re-read of the lists (`live`: every key the watcher holds) or a server's shutdown. */
  settled(live: ReadonlySet<string> | undefined): void;
  /** This gateway, alone among its peers, got the event (queue group {@link ANNOUNCE_QUEUE}); it was applied first. */
  announce(conn: WatchedConnection, connected: boolean, at: number): void;
}

/** The gateway's handle on principals' live NATS connections (`gateway.connections`). */
export interface PrincipalConnections {
  /**
   * Closes every live NATS connection of `principalId` (on every server) and, for the longest JWT
   * lifetime, any reconnect with a JWT issued before now. Other gateways are told to do the same.
   * Answers how many live connections were asked to close (0 without a connection watcher). The notice
   * to the other gateways names `requestId`, the request that revoked, when one did.
   */
  disconnect(principalId: string, requestId?: string): Promise<number>;
  /** How many live connections of `principalId` the watcher knows of. */
  count(principalId: string): number;
}

export interface ConnectionGuardOptions {
  /** NATS URLs (TCP), as the gateway's own connection. */
  servers: string[];
  /** The system-account user (`gatewaySystemJwt`, `gatewaySystemSeed`). */
  user: { jwt: string; seed: string };
  appAccountPub: string;
  botsAccountPub?: string;
  /** Connections one principal may hold. */
  maxPerPrincipal: number;
  /**
   * How often to re-read the connection lists, ms: heals what no event tells (a server that died takes its
   * connections' disconnect events with it). @default 60_000
   */
  resyncMs?: number;
  /** The app account's connection limit (its JWT's `limits.conn`); omitted = no total budget. */
  appConnectionLimit?: number;
  /** App-account connections kept free of principals, for gateways. */
  reserved: number;
  log: Logger;
  /** Told of each disconnect and reconnect of the watcher's own connection (metrics). */
  onStatus?: (event: "disconnect" | "reconnect") => void;
}

const json = new TextEncoder();
const text = new TextDecoder();
/** When to re-read the connection lists after the watcher reconnected. */
const AFTER_RECONNECT_MS = [0, 2_000, 10_000];

export class ConnectionGuard implements PrincipalConnections {
  readonly #opts: ConnectionGuardOptions;
  #nc: NatsConnection | undefined;
  #service: NatsConnection | undefined;
  readonly #subs: Subscription[] = [];
  readonly #table: ConnectionTable;
  readonly #revocations = new Revocations();
  #kicks = 0;
  #lastWarn = 0;
  #syncing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #listener: ConnectionListener | undefined;

  constructor(opts: ConnectionGuardOptions) {
    this.#opts = opts;
    this.#table = new ConnectionTable(opts.appAccountPub);
  }

  /** Tells `listener` of principal connections from {@link start} on (one listener). */
  listen(listener: ConnectionListener): void {
    this.#listener = listener;
  }

  /** Connects as the system user, follows the events, reads the current connections; `service` carries revocations. */
  async start(service: NatsConnection): Promise<void> {
    this.#service = service;
    const { user, servers } = this.#opts;
    const nc = await connect({
      servers,
      name: "parley-gateway-watch",
      inboxPrefix: GATEWAY_SYSTEM_INBOX,
      authenticator: jwtAuthenticator(user.jwt, json.encode(user.seed)),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    this.#nc = nc;
    for (const acc of this.#accounts()) {
      this.#subs.push(
        nc.subscribe(`$SYS.ACCOUNT.${acc}.CONNECT`, { callback: (_e, m) => void this.#onEvent(m, true) }),
      );
      this.#subs.push(
        nc.subscribe(`$SYS.ACCOUNT.${acc}.DISCONNECT`, { callback: (_e, m) => void this.#onEvent(m, false) }),
      );
      if (!this.#listener) continue;
      // The same events once more, one gateway each: it applies the event (a no-op if done) and announces it.
      for (const connected of [true, false]) {
        const subject = `$SYS.ACCOUNT.${acc}.${connected ? "CONNECT" : "DISCONNECT"}`;
        this.#subs.push(
          nc.subscribe(subject, {
            queue: ANNOUNCE_QUEUE,
            callback: (_e, m) => {
              const seen = this.#onEvent(m, connected);
              if (seen) this.#listener?.announce(seen.conn, connected, seen.at);
            },
          }),
        );
      }
    }
    // A server shutting down sends no disconnect events for its clients, which reconnect elsewhere.
    this.#subs.push(
      nc.subscribe("$SYS.SERVER.*.SHUTDOWN", {
        callback: (_e, m) => {
          const server = m.subject.split(".")[2];
          for (const conn of this.#table.all()) if (conn.server === server) this.#remove(conn.key, false);
          this.#listener?.settled(undefined);
        },
      }),
    );
    this.#subs.push(
      service.subscribe(REVOKE_SUBJECT, {
        callback: (_e, m) => {
          let notice: { principal?: unknown; at?: unknown };
          try {
            notice = JSON.parse(text.decode(m.data)) as typeof notice;
          } catch {
            return; // not ours
          }
          const { principal, at } = notice;
          if (typeof principal !== "string" || typeof at !== "number") return;
          const reqId = m.headers?.get(REQUEST_ID_HEADER) || undefined;
          void this.#revoke(principal, at).then((closed) =>
            this.#opts.log.debug({ reqId, principal, closed }, "connection revocation"),
          );
        },
      }),
    );
    await nc.flush();
    (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect" || s.type === "reconnect") this.#opts.onStatus?.(s.type);
        if (s.type === "disconnect") {
          // Events are lost from now on, and with a single server every connection is gone: start over.
          this.#table.clear();
        }
        if (s.type !== "reconnect") continue;
        // Clients reconnect alongside the watcher, some before its subscriptions are back: look again later.
        for (const ms of AFTER_RECONNECT_MS) setTimeout(() => void this.#sync(), ms).unref();
      }
    })().catch(() => undefined);
    await this.#sync();
    this.#timer = setInterval(() => void this.#sync(), this.#opts.resyncMs ?? 60_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const sub of this.#subs) sub.unsubscribe();
    this.#subs.length = 0;
    const nc = this.#nc;
    this.#nc = undefined;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
  }

  count(principalId: string): number {
    return this.#table.live(principalId).length;
  }

  /**
   * Figures for logs, metrics and tests: connections known (the gateways' own too), principals holding
   * one, principals' live connections (app and bots accounts, none closed by a KICK), those of the app
   * account, and KICKs sent.
   */
  stats(): {
    tracked: number;
    principals: number;
    principalConnections: number;
    appPrincipalConnections: number;
    kicks: number;
  } {
    return {
      tracked: this.#table.size,
      principals: this.#table.principals,
      principalConnections: this.#table.principalConnections(),
      appPrincipalConnections: this.#table.appPrincipals,
      kicks: this.#kicks,
    };
  }

  async disconnect(principalId: string, requestId?: string): Promise<number> {
    const at = Date.now();
    const headers = requestId === undefined ? undefined : { headers: requestHeaders(requestId) };
    this.#service?.publish(REVOKE_SUBJECT, JSON.stringify({ principal: principalId, at }), headers);
    return this.#revoke(principalId, at);
  }

  #accounts(): string[] {
    return [this.#opts.appAccountPub, ...(this.#opts.botsAccountPub ? [this.#opts.botsAccountPub] : [])];
  }

  async #revoke(principal: string, at: number): Promise<number> {
    this.#revocations.prune(at);
    this.#revocations.revokePrincipal(principal, at);
    const live = this.#table.live(principal);
    await Promise.all(live.map((c) => this.#kick(c, "revoked")));
    return live.length;
  }

  /** Applies a connect or disconnect event (again: a no-op); answers the principal connection it named. */
  #onEvent(m: Msg, connected: boolean): { conn: WatchedConnection; at: number } | undefined {
    const ev = readConnectEvent(m.data);
    if (!ev) return undefined;
    const at = ev.at ?? Date.now();
    const tags = ev.tags ?? [];
    const principal = principalOf(tags, ev.name);
    const seen = principal === undefined ? undefined : { conn: { key: ev.key, principal, tags }, at };
    if (!connected) {
      this.#remove(ev.key, true, at);
      this.#revocations.markGone(ev.key, Date.now());
      return seen;
    }
    const conn = this.#add(ev);
    if (conn) void this.#enforce(conn);
    return seen;
  }

  /** Adds a connection to the table and tells the listener of a new principal connection. */
  #add(input: ConnInput): Conn | undefined {
    const conn = this.#table.add(input);
    if (conn?.principal) {
      const watched = { key: conn.key, principal: conn.principal, tags: input.tags ?? [] };
      this.#listener?.up(watched, input.at ?? Date.now(), input.at !== undefined);
    }
    return conn;
  }

  #remove(key: string, event: boolean, at = Date.now()): void {
    const conn = this.#table.get(key);
    if (!conn) return;
    if (conn.principal) this.#listener?.down(key, at, event);
    this.#table.remove(key);
  }

  /** Applies revocation, the per-principal cap and the app account's budget after `conn` appeared. */
  async #enforce(conn: Conn): Promise<void> {
    if (conn.service || conn.doomed) return;
    const p = conn.principal;
    if (conn.user && this.#revocations.isKeyRevoked(conn.user)) return this.#kick(conn, "revoked");
    const revokedAt = p === undefined ? undefined : this.#revocations.principalRevokedAt(p);
    if (revokedAt !== undefined && conn.iat !== undefined && conn.iat < Math.floor(revokedAt / 1000)) {
      return this.#kick(conn, "revoked");
    }
    if (p !== undefined) {
      const live = this.#table.live(p);
      if (live.length > this.#opts.maxPerPrincipal) {
        // Keep the oldest: every gateway orders by the server's start time and picks the same ones.
        live.sort((a, b) => a.start - b.start || a.key.localeCompare(b.key));
        await Promise.all(live.slice(this.#opts.maxPerPrincipal).map((c) => this.#kick(c, "principal cap")));
        if (conn.doomed) return;
      }
    }
    const limit = this.#opts.appConnectionLimit;
    if (limit !== undefined && conn.account === this.#opts.appAccountPub) {
      const budget = Math.max(0, limit - this.#opts.reserved);
      if (this.#table.appPrincipals > budget) await this.#kick(conn, "account budget");
    }
  }

  async #kick(conn: Conn, reason: string): Promise<void> {
    if (conn.doomed) return;
    this.#table.doom(conn);
    // A revoked JWT may not come back; one over a cap may, once there is room.
    if (reason === "revoked" && conn.user) this.#revocations.revokeKey(conn.user, Date.now());
    this.#kicks++;
    const now = Date.now();
    if (now - this.#lastWarn > 10_000) {
      this.#lastWarn = now;
      this.#opts.log.warn({ reason, principal: conn.principal, kicks: this.#kicks }, "closing NATS connection");
    } else {
      this.#opts.log.debug({ reason, principal: conn.principal, server: conn.server, cid: conn.cid }, "nats kick");
    }
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    try {
      await nc.request(`$SYS.REQ.SERVER.${conn.server}.KICK`, JSON.stringify({ cid: conn.cid }), { timeout: 2_000 });
    } catch (err) {
      // Already gone, or another gateway was first: nothing to do.
      this.#opts.log.debug({ err, cid: conn.cid }, "nats kick unanswered");
    }
  }

  /** Runs one {@link #resync} at a time. */
  #sync(): Promise<void> {
    this.#syncing ??= this.#resync().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  /**
   * Reads every server's list of the watched accounts' connections: adds what the events missed, drops what
   * is no longer listed (a disconnect event missed while the watcher was away, a server that died), and
   * enforces on what it found.
   */
  async #resync(): Promise<void> {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    const began = Date.now();
    const found: Conn[] = [];
    let complete = true;
    for (const acc of this.#accounts()) {
      let listed: ListedConnection[];
      try {
        listed = await listConnections(nc, acc);
      } catch (err) {
        this.#opts.log.warn({ err, account: acc }, "cannot list NATS connections");
        complete = false;
        continue;
      }
      const seen = new Set<string>();
      for (const c of listed) {
        const key = `${c.server}:${c.cid}`;
        if (this.#revocations.isGone(key)) continue;
        seen.add(key);
        const conn = this.#add({ ...c, key, account: c.account ?? acc, iat: undefined });
        if (conn) found.push(conn);
      }
      for (const conn of this.#table.all()) {
        if (conn.account === acc && conn.addedAt < began && !seen.has(conn.key)) this.#remove(conn.key, false);
      }
    }
    if (complete) this.#listener?.settled(this.#table.keys());
    // Newest first: over the account budget, the newest connections go.
    found.sort((a, b) => b.start - a.start);
    for (const conn of found) await this.#enforce(conn);
  }
}
