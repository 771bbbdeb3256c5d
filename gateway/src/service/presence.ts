/**
 * The shop team's presence kept by heartbeats, for a gateway without a NATS
 * system user (no connection watcher); with one, presence-connections.ts keeps
 * it from NATS connections instead (ADR 0053).
 *
 * Who of the team is connected, announced on the
 * shop's team subject and told to the shop's connected customers. It lives
 * only in memory and on NATS.
 *
 * Across several gateways: every gateway keeps the same table of live
 * connections, fed by a gateway-internal subject every gateway subscribes to
 * without a queue group (clients can neither publish nor subscribe there: their
 * JWTs allow only their own subjects). The gateway that handles a heartbeat or
 * a leave applies it, tells the others, and is the one that announces the
 * change; a connection that stops pinging is expired and announced by the
 * gateway that served its last heartbeat (its "origin"). Should that gateway be
 * gone (it says so when it stops; a crash is noticed a TTL later), the others
 * expire the connection themselves. Heartbeat replies carry the current
 * snapshot, so a client that missed an event is right again one beat later.
 * A change announced while handling a heartbeat or a leave carries that
 * request's id (`X-Request-Id`); an expiry found by the sweep carries none.
 * So do the notes to the other gateways: a heartbeat's or a leave's carries
 * its request's id as the `X-Request-Id` header, which each receiving gateway
 * logs (`presence note`, at debug) with what the note says.
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import {
  isTeamKind,
  REQUEST_ID_HEADER,
  randomId,
  subjects,
  type TeamPresence,
  type TeamPresenceMember,
} from "@parley/sdk/protocol";
import type { Logger } from "pino";
import { requestHeaders } from "../observability/request-ids.js";
import type { PrincipalRecord } from "../store/port.js";
import type { EventSink } from "./events.js";
import type { TeamPresenceSource } from "./presence-connections.js";

export interface PresenceOptions {
  /** A connection not heard from for this long is offline, ms. @default 30000 */
  ttlMs?: number;
  /** How often clients are told to ping, ms. @default ttlMs / 3 */
  intervalMs?: number;
  /** Where the notes of other gateways are logged (at debug). @default nowhere */
  log?: Logger | undefined;
}

/**
 * The gateway-internal subjects presence uses between gateways, under
 * `parley.internal.>`: only the gateway's JWT may subscribe there (minter.ts),
 * and a principal's JWT publishes only under `api.<principal>.>`.
 */
export const PRESENCE_SUBJECT = "parley.internal.presence";
export const PRESENCE_SYNC_SUBJECT = "parley.internal.presence-sync";

const DEFAULT_CONN = "default";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Conn {
  expiresAt: number;
  /** The gateway that served the connection's last heartbeat: it announces the expiry. */
  origin: string;
}

interface Entry {
  principalId: string;
  shopId: string;
  kind: PrincipalRecord["kind"];
  displayName: string;
  conns: Map<string, Conn>;
}

type Who = Pick<Entry, "principalId" | "shopId" | "kind" | "displayName">;

/** What gateways tell each other on {@link PRESENCE_SUBJECT}. */
type Note =
  | ({ t: "up"; gw: string; conn: string; ttlMs: number; ts: number } & Who)
  /** `leave`: the connection closed (always applied); `expire`: its origin expired it (applied only if it still is the origin). */
  | { t: "down"; gw: string; principalId: string; conn: string; ts: number; why: "leave" | "expire" }
  | { t: "bye"; gw: string };

/**
 * Who is connected, per shop: team members (announced) and customers (told).
 * One per gateway; see the file comment for how several gateways agree.
 */
export class PresenceTracker implements TeamPresenceSource {
  /** This gateway's id among its peers. */
  readonly id = randomId("gw_");
  readonly ttlMs: number;
  readonly intervalMs: number;
  readonly #sink: EventSink;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  /** Principal ids with an entry, by shop: team members and everyone else apart. */
  readonly #team = new Map<string, Set<string>>();
  readonly #watchers = new Map<string, Set<string>>();
  /** Time of the last change seen per shop: a snapshot's `updatedAt`. */
  readonly #changedAt = new Map<string, number>();
  /** Gateways that said they stopped: the rest expire the connections they served. */
  readonly #gone = new Set<string>();
  readonly #startedAt: number;
  readonly #log: Logger | undefined;
  #nc: NatsConnection | undefined;
  #subs: Subscription[] = [];
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(sink: EventSink, options: PresenceOptions = {}, now: () => number = Date.now) {
    const ttlMs = options.ttlMs ?? 30_000;
    if (!Number.isFinite(ttlMs) || ttlMs < 100) throw new TypeError("presence ttlMs must be at least 100");
    this.ttlMs = ttlMs;
    this.intervalMs = options.intervalMs ?? Math.floor(ttlMs / 3);
    if (!(this.intervalMs > 0 && this.intervalMs < ttlMs)) {
      throw new TypeError("presence intervalMs must be between 0 and ttlMs");
    }
    this.#sink = sink;
    this.#now = now;
    this.#startedAt = now();
    this.#log = options.log;
  }

  /** Joins the other gateways: listens on the internal subject, asks a peer for its table, starts expiring. */
  async start(nc: NatsConnection): Promise<void> {
    this.#nc = nc;
    // Notes first, so none sent while the peers answer is missed.
    this.#subs.push(
      nc.subscribe(PRESENCE_SUBJECT, {
        callback: (err, msg) => {
          if (!err) this.#onNote(msg.data, msg.headers?.get(REQUEST_ID_HEADER) || undefined);
        },
      }),
    );
    // Every peer answers with its table; their union is taken (a peer may not have heard the newest beats yet).
    try {
      const replies = await nc.requestMany(PRESENCE_SYNC_SUBJECT, encoder.encode(this.id), {
        strategy: "stall",
        stall: 100,
        maxWait: 1000,
      });
      for await (const reply of replies) {
        for (const note of JSON.parse(decoder.decode(reply.data)) as Note[]) this.#apply(note);
      }
    } catch {
      // No other gateway answered: this one starts with an empty table (clients ping within one interval).
    }
    this.#subs.push(
      nc.subscribe(PRESENCE_SYNC_SUBJECT, {
        callback: (err, msg) => {
          if (!err && msg.reply) msg.respond(encoder.encode(JSON.stringify(this.#table())));
        },
      }),
    );
    const every = Math.min(5000, Math.max(50, Math.floor(this.ttlMs / 10)));
    this.#sweeper = setInterval(() => this.sweep(), every);
    this.#sweeper.unref?.();
  }

  /** Tells the other gateways this one is going (they expire what it served), and stops. */
  stop(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    this.#broadcast({ t: "bye", gw: this.id });
    for (const sub of this.#subs) sub.unsubscribe();
    this.#subs = [];
    this.#nc = undefined;
  }

  /**
   * A heartbeat from one connection of `actor`: online until `ttlMs` passes without another. A change it
   * makes is announced with `requestId` (the heartbeat's).
   */
  async ping(
    actor: PrincipalRecord,
    conn = DEFAULT_CONN,
    requestId?: string,
  ): Promise<{ intervalMs: number; ttlMs: number; heartbeat: boolean; presence: TeamPresence }> {
    const now = this.#now();
    const who: Who = {
      principalId: actor.id,
      shopId: actor.shopId,
      kind: actor.kind,
      displayName: actor.displayName,
    };
    const changed = this.#up(who, conn, now + this.ttlMs, this.id);
    this.#broadcast({ t: "up", gw: this.id, conn, ttlMs: this.ttlMs, ts: now, ...who }, requestId);
    if (changed) this.#announce(actor.shopId, now, requestId);
    return {
      intervalMs: this.intervalMs,
      ttlMs: this.ttlMs,
      heartbeat: true,
      presence: this.snapshotNow(actor.shopId),
    };
  }

  /** One connection of `actor` closes: offline now unless another of its connections is live. */
  leave(actor: PrincipalRecord, conn = DEFAULT_CONN, requestId?: string): void {
    const now = this.#now();
    this.#broadcast({ t: "down", gw: this.id, principalId: actor.id, conn, ts: now, why: "leave" }, requestId);
    if (this.#down(actor.id, conn)) this.#announce(actor.shopId, now, requestId);
  }

  /** One connection as this gateway knows it (diagnostics and tests). */
  connection(principalId: string, conn = DEFAULT_CONN): { origin: string; expiresAt: number } | undefined {
    const c = this.#entries.get(principalId)?.conns.get(conn);
    return c && { origin: c.origin, expiresAt: c.expiresAt };
  }

  /** Whether any connection of the principal (team member or customer) is live, as this gateway knows it. */
  isOnline(principalId: string): boolean {
    return (this.#entries.get(principalId)?.conns.size ?? 0) > 0;
  }

  /** Who of the shop's team is online, as this gateway knows it. */
  async snapshot(shopId: string): Promise<TeamPresence> {
    return this.snapshotNow(shopId);
  }

  /** A renamed member shows its new name with its next heartbeat. */
  renamed(): void {}

  /** {@link snapshot}, at once. */
  snapshotNow(shopId: string): TeamPresence {
    const online: TeamPresenceMember[] = [];
    for (const id of this.#team.get(shopId) ?? []) {
      const e = this.#entries.get(id);
      if (e && e.conns.size > 0) {
        online.push({ principalId: e.principalId, displayName: e.displayName, kind: e.kind as "agent" | "bot" });
      }
    }
    online.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.principalId.localeCompare(b.principalId));
    return { shopId, online, updatedAt: this.#changedAt.get(shopId) ?? this.#startedAt };
  }

  /**
   * Expires connections past their TTL: those this gateway served last (and
   * announces), those of a gateway that stopped, and any a whole TTL overdue
   * (their gateway crashed). Called on a timer; public for tests.
   */
  sweep(): void {
    const now = this.#now();
    const announce = new Set<string>();
    for (const entry of [...this.#entries.values()]) {
      for (const [conn, c] of entry.conns) {
        if (c.expiresAt > now) continue;
        const mine = c.origin === this.id;
        if (!mine && !this.#gone.has(c.origin) && now < c.expiresAt + this.ttlMs) continue;
        if (mine) {
          this.#broadcast({ t: "down", gw: this.id, principalId: entry.principalId, conn, ts: now, why: "expire" });
        }
        if (this.#down(entry.principalId, conn)) announce.add(entry.shopId);
      }
    }
    for (const shopId of announce) this.#announce(shopId, now);
  }

  // -- internals ------------------------------------------------------------------------

  /** Adds or refreshes a connection; true when a team member came online or was renamed. */
  #up(who: Who, conn: string, expiresAt: number, origin: string): boolean {
    let entry = this.#entries.get(who.principalId);
    const team = isTeamKind(who.kind);
    let changed = false;
    if (!entry) {
      entry = { ...who, conns: new Map() };
      this.#entries.set(who.principalId, entry);
      const index = team ? this.#team : this.#watchers;
      let set = index.get(who.shopId);
      if (!set) {
        set = new Set();
        index.set(who.shopId, set);
      }
      set.add(who.principalId);
    }
    if (team && (entry.conns.size === 0 || entry.displayName !== who.displayName)) changed = true;
    entry.displayName = who.displayName;
    entry.conns.set(conn, { expiresAt, origin });
    return changed;
  }

  /** Drops a connection; true when that took a team member offline. */
  #down(principalId: string, conn: string): boolean {
    const entry = this.#entries.get(principalId);
    if (!entry?.conns.delete(conn) || entry.conns.size > 0) return false;
    this.#entries.delete(principalId);
    const index = isTeamKind(entry.kind) ? this.#team : this.#watchers;
    const set = index.get(entry.shopId);
    set?.delete(principalId);
    if (set?.size === 0) index.delete(entry.shopId);
    return isTeamKind(entry.kind);
  }

  /**
   * Records a change and sends the shop's snapshot to its team and its connected customers; `requestId`:
   * the request that made the change (none for an expiry).
   */
  #announce(shopId: string, at: number, requestId?: string): void {
    this.#changed(shopId, at);
    const payload = encoder.encode(JSON.stringify({ type: "presence", presence: this.snapshotNow(shopId) }));
    this.#sink.publish(subjects.team(shopId), payload, requestId);
    for (const id of this.#watchers.get(shopId) ?? []) this.#sink.publish(subjects.user(id), payload, requestId);
  }

  #changed(shopId: string, at: number): void {
    this.#changedAt.set(shopId, Math.max(at, this.#changedAt.get(shopId) ?? 0));
  }

  /** Tells the other gateways; `requestId`: the request the note comes from, if one. */
  #broadcast(note: Note, requestId?: string): void {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    try {
      const headers = requestId === undefined ? undefined : { headers: requestHeaders(requestId) };
      nc.publish(PRESENCE_SUBJECT, encoder.encode(JSON.stringify(note)), headers);
    } catch {
      // Draining or closed: the peers expire what this gateway served.
    }
  }

  #onNote(data: Uint8Array, reqId: string | undefined): void {
    let note: Note;
    try {
      note = JSON.parse(decoder.decode(data)) as Note;
    } catch {
      return;
    }
    if (note.gw === this.id) return;
    this.#apply(note);
    const what = note.t === "bye" ? {} : { principalId: note.principalId, conn: note.conn };
    const why = note.t === "down" ? { why: note.why } : {};
    this.#log?.debug({ reqId, note: note.t, from: note.gw, ...what, ...why }, "presence note");
  }

  /** Applies another gateway's note: the state follows, the announcing was that gateway's. */
  #apply(note: Note): void {
    if (note.t === "bye") {
      this.#gone.add(note.gw);
      return;
    }
    if (note.t === "up") {
      this.#gone.delete(note.gw);
      const { principalId, shopId, kind, displayName } = note;
      const who = { principalId, shopId, kind, displayName };
      if (this.#up(who, note.conn, this.#now() + note.ttlMs, note.gw)) this.#changed(shopId, note.ts);
      return;
    }
    const entry = this.#entries.get(note.principalId);
    // A heartbeat served elsewhere since makes another gateway the origin: that expiry is stale.
    if (!entry || (note.why === "expire" && entry.conns.get(note.conn)?.origin !== note.gw)) return;
    if (this.#down(note.principalId, note.conn)) this.#changed(entry.shopId, note.ts);
  }

  /** This gateway's table as "up" notes (what a starting peer asks for). */
  #table(): Note[] {
    const now = this.#now();
    const notes: Note[] = [];
    for (const e of this.#entries.values()) {
      for (const [conn, c] of e.conns) {
        const ttlMs = c.expiresAt - now;
        if (ttlMs <= 0) continue;
        const { principalId, shopId, kind, displayName } = e;
        notes.push({
          t: "up",
          gw: c.origin,
          conn,
          ttlMs,
          ts: this.#changedAt.get(shopId) ?? now,
          ...{ principalId, shopId, kind, displayName },
        });
      }
    }
    return notes;
  }
}
