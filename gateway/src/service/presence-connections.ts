/**
 * The shop team's presence read from NATS connections (ADR 0053): a team
 * member is online while it holds a connection on any server of the cluster,
 * as the connection watcher (nats/connections.ts, ADR 0038) sees it. Nobody
 * pings: a connection that closes, or that the server drops after its missed
 * pings (nats/limits.ts), takes its holder offline.
 *
 * Every gateway's watcher sees every connect and disconnect event and keeps
 * the same table; a queue group hands each event to one gateway as well, which
 * announces the shop's snapshot to the team and to the shop's connected
 * customers. A gateway (re)starting reads the servers' connection lists, so it
 * neither loses nor keeps anyone; changes found by a list (a server that died)
 * are announced by each gateway that finds them. Snapshots carry the newest
 * event time seen as `updatedAt`, the same on every gateway.
 *
 * Clients ask for the snapshot once per connection (`presence.ping`, whose
 * reply says `heartbeat: false`); older SDKs that keep pinging are answered,
 * and told to ping only every {@link LEGACY_INTERVAL_MS}.
 *
 * Snapshots announced for a connect or a disconnect carry no request id (no
 * request caused them); one announced for a rename carries the id of the
 * `profile.update` that renamed (`X-Request-Id`), and so does the rename's
 * notice to the other gateways, which each logs (`presence rename`, at debug).
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import {
  isTeamKind,
  type PrincipalKind,
  PrincipalKinds,
  REQUEST_ID_HEADER,
  subjects,
  type TeamPresence,
  type TeamPresenceMember,
} from "@parley/sdk/protocol";
import type { Logger } from "pino";
import type { ConnectionListener, WatchedConnection } from "../nats/connections.js";
import { SERVER_LIMITS } from "../nats/limits.js";
import { requestHeaders } from "../observability/request-ids.js";
import type { PrincipalRecord } from "../store/port.js";
import type { EventSink } from "./events.js";

/** What the chat service asks of presence, whichever way it is kept (heartbeats in presence.ts, or connections). */
export interface TeamPresenceSource {
  start(nc: NatsConnection): Promise<void>;
  stop(): void;
  /**
   * A client asks for the snapshot (and, with heartbeats, keeps this connection online); a change it makes
   * is announced with `requestId`, the id of the request.
   */
  ping(
    actor: PrincipalRecord,
    conn?: string,
    requestId?: string,
  ): Promise<{ intervalMs: number; ttlMs: number; heartbeat: boolean; presence: TeamPresence }>;
  /** With heartbeats, one connection closes (announced with `requestId`); from connections, nothing to do. */
  leave(actor: PrincipalRecord, conn?: string, requestId?: string): void;
  snapshot(shopId: string): Promise<TeamPresence>;
  /** Whether any connection of the principal (team member or customer) is live, as this gateway knows it. */
  isOnline(principalId: string): boolean;
  /** A team member's display name changed (profile.update, whose id is `requestId`). */
  renamed(actor: PrincipalRecord, displayName: string, requestId?: string): void;
}

/** Gateways tell each other a team member's new display name here (`parley.internal.>`: gateways only). */
export const PRESENCE_NAME_SUBJECT = "parley.internal.presence-name";
/** How often an SDK that still pings is told to, ms: the answer only repeats what events already said. */
export const LEGACY_INTERVAL_MS = 300_000;
/** How long a connection that went silent stays online: the server's ping interval times its allowed misses. */
export const SILENT_CONNECTION_MS = Number.parseInt(SERVER_LIMITS.pingInterval, 10) * 1000 * SERVER_LIMITS.pingMax;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Holder {
  shopId: string;
  kind: PrincipalKind;
  conns: Set<string>;
  /** Team members: the display name, once read from the store. */
  displayName?: string;
  naming?: Promise<void>;
}

/** The principal's kind and shop from its JWT tags (minter.ts); undefined for a connection not placed in a shop. */
function placeOf(tags: readonly string[]): { kind: PrincipalKind; shopId: string } | undefined {
  const kind = tags.find((t) => t.startsWith("kind:"))?.slice(5);
  const shopId = tags.find((t) => t.startsWith("shop:"))?.slice(5);
  if (!kind || !shopId || !(PrincipalKinds as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as PrincipalKind, shopId };
}

export interface ConnectionPresenceOptions {
  sink: EventSink;
  /** A team member's display name, read when it comes online. */
  principal: (id: string) => Promise<PrincipalRecord | undefined>;
  now?: () => number;
  /** Where the other gateways' rename notices are logged (at debug). @default nowhere */
  log?: Logger | undefined;
}

export class ConnectionPresence implements TeamPresenceSource, ConnectionListener {
  readonly #o: ConnectionPresenceOptions;
  readonly #now: () => number;
  /** Connection key → its principal. */
  readonly #conns = new Map<string, string>();
  readonly #holders = new Map<string, Holder>();
  /** Principal ids holding a connection, by shop: team members and everyone else apart. */
  readonly #team = new Map<string, Set<string>>();
  readonly #watchers = new Map<string, Set<string>>();
  readonly #changedAt = new Map<string, number>();
  /** Shops whose team changed without an event (a list, a shutdown notice): announced at `settled`. */
  readonly #dirty = new Set<string>();
  /** The first complete list was read: before it, a gateway learns, it does not announce. */
  #ready = false;
  readonly #startedAt: number;
  #nc: NatsConnection | undefined;
  #sub: Subscription | undefined;

  constructor(options: ConnectionPresenceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  async start(nc: NatsConnection): Promise<void> {
    this.#nc = nc;
    this.#sub = nc.subscribe(PRESENCE_NAME_SUBJECT, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const { principalId, displayName } = JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>;
          if (typeof principalId !== "string" || typeof displayName !== "string") return;
          const holder = this.#holders.get(principalId);
          if (holder) holder.displayName = displayName;
          const reqId = msg.headers?.get(REQUEST_ID_HEADER) || undefined;
          this.#o.log?.debug({ reqId, principalId, online: holder !== undefined }, "presence rename");
        } catch {
          // not ours
        }
      },
    });
  }

  stop(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    this.#nc = undefined;
  }

  async ping(actor: PrincipalRecord): Promise<{
    intervalMs: number;
    ttlMs: number;
    heartbeat: boolean;
    presence: TeamPresence;
  }> {
    return {
      intervalMs: LEGACY_INTERVAL_MS,
      ttlMs: SILENT_CONNECTION_MS,
      heartbeat: false,
      presence: await this.snapshot(actor.shopId),
    };
  }

  /** Nothing to do: the connection's close takes it offline. */
  leave(): void {}

  isOnline(principalId: string): boolean {
    return this.#holders.has(principalId);
  }

  async snapshot(shopId: string): Promise<TeamPresence> {
    const ids = [...(this.#team.get(shopId) ?? [])];
    await Promise.all(ids.map((id) => this.#holders.get(id)?.naming));
    const online: TeamPresenceMember[] = [];
    for (const id of ids) {
      const h = this.#holders.get(id);
      if (h) online.push({ principalId: id, displayName: h.displayName ?? id, kind: h.kind as "agent" | "bot" });
    }
    online.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.principalId.localeCompare(b.principalId));
    return { shopId, online, updatedAt: this.#changedAt.get(shopId) ?? this.#startedAt };
  }

  renamed(actor: PrincipalRecord, displayName: string, requestId?: string): void {
    const holder = this.#holders.get(actor.id);
    if (!holder || !isTeamKind(holder.kind)) return;
    holder.displayName = displayName;
    const nc = this.#nc;
    if (nc && !nc.isClosed()) {
      const headers = requestId === undefined ? undefined : { headers: requestHeaders(requestId) };
      nc.publish(
        PRESENCE_NAME_SUBJECT,
        encoder.encode(JSON.stringify({ principalId: actor.id, displayName })),
        headers,
      );
    }
    this.#changed(holder.shopId, this.#now());
    void this.#announce(holder.shopId, requestId);
  }

  // -- ConnectionListener ---------------------------------------------------------------

  up(conn: WatchedConnection, at: number, event: boolean): void {
    if (this.#conns.has(conn.key)) return;
    const place = placeOf(conn.tags);
    if (!place) return;
    const team = isTeamKind(place.kind);
    let holder = this.#holders.get(conn.principal);
    if (!holder) {
      holder = { ...place, conns: new Set() };
      this.#holders.set(conn.principal, holder);
      addTo(team ? this.#team : this.#watchers, place.shopId, conn.principal);
      if (team) {
        // Read when it comes online, so a name changed while offline shows.
        const h = holder;
        h.naming = this.#o
          .principal(conn.principal)
          .then((p) => {
            if (p && h.displayName === undefined) h.displayName = p.displayName;
          })
          .catch(() => undefined);
      }
    }
    holder.conns.add(conn.key);
    this.#conns.set(conn.key, conn.principal);
    if (team) this.#teamChanged(place.shopId, at, event);
  }

  down(key: string, at: number, event: boolean): void {
    const principal = this.#conns.get(key);
    if (principal === undefined) return;
    this.#conns.delete(key);
    const holder = this.#holders.get(principal);
    if (!holder) return;
    holder.conns.delete(key);
    const team = isTeamKind(holder.kind);
    if (holder.conns.size === 0) {
      this.#holders.delete(principal);
      removeFrom(team ? this.#team : this.#watchers, holder.shopId, principal);
    }
    if (team) this.#teamChanged(holder.shopId, at, event);
  }

  settled(live: ReadonlySet<string> | undefined): void {
    if (live) {
      const at = this.#now();
      for (const key of [...this.#conns.keys()]) if (!live.has(key)) this.down(key, at, false);
      this.#ready = true;
    }
    for (const shopId of this.#dirty) void this.#announce(shopId);
    this.#dirty.clear();
  }

  announce(conn: WatchedConnection, _connected: boolean, _at: number): void {
    const place = placeOf(conn.tags);
    if (place && isTeamKind(place.kind)) void this.#announce(place.shopId);
  }

  // -- internals ------------------------------------------------------------------------

  #teamChanged(shopId: string, at: number, event: boolean): void {
    // A gateway reading its first list learns what was already so: that is no change to tell.
    this.#changed(shopId, event || this.#ready ? at : this.#startedAt);
    if (!event && this.#ready) this.#dirty.add(shopId);
  }

  #changed(shopId: string, at: number): void {
    this.#changedAt.set(shopId, Math.max(at, this.#changedAt.get(shopId) ?? 0));
  }

  /** Sends the shop's snapshot to its team and its connected customers; `requestId`: the request that caused it, if one did. */
  async #announce(shopId: string, requestId?: string): Promise<void> {
    const presence = await this.snapshot(shopId);
    const payload = encoder.encode(JSON.stringify({ type: "presence", presence }));
    try {
      this.#o.sink.publish(subjects.team(shopId), payload, requestId);
      for (const id of this.#watchers.get(shopId) ?? []) this.#o.sink.publish(subjects.user(id), payload, requestId);
    } catch {
      // NATS is gone: clients ask again when they reconnect.
    }
  }
}

function addTo(index: Map<string, Set<string>>, shopId: string, id: string): void {
  let set = index.get(shopId);
  if (!set) {
    set = new Set();
    index.set(shopId, set);
  }
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, shopId: string, id: string): void {
  const set = index.get(shopId);
  set?.delete(id);
  if (set?.size === 0) index.delete(shopId);
}
