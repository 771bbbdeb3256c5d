/**
 * The connection watcher's table (connections.ts): the principals' NATS
 * connections it knows of, keyed `serverId:cid`, indexed by principal, with
 * the count of live principal connections of the app account (its budget).
 * Also reads a `$SYS.ACCOUNT.*.CONNECT|DISCONNECT` event into a table row.
 */
import { decodeJwt } from "jose";
import { PRINCIPAL_TAG } from "./minter.js";

/** One connection the watcher knows of. */
export interface Conn {
  key: string;
  server: string;
  cid: number;
  account: string;
  principal: string | undefined;
  /** The gateway's own connection: never counted, never kicked. */
  service: boolean;
  /** User nkey (unique per minted JWT). */
  user: string | undefined;
  /** The JWT's issue time (seconds), when the server showed the JWT. */
  iat: number | undefined;
  start: number;
  /** A KICK was sent: no longer counted. */
  doomed: boolean;
  /** When the watcher learnt of it (ms). */
  addedAt: number;
}

/** What an event or a connection list says of a connection. */
export interface ConnInput {
  key: string;
  server: string;
  cid: number;
  account: string;
  tags: string[] | undefined;
  /** The JWT's name: the principal when the user carries no principal tag. */
  name?: string | undefined;
  user: string | undefined;
  iat: number | undefined;
  /** RFC 3339 start time. */
  start: string | undefined;
  /** The connect or disconnect event's time (ms); absent when a connection list named the connection. */
  at?: number;
}

interface ClientInfo {
  id?: number;
  acc?: string;
  user?: string;
  jwt?: string;
  tags?: string[];
  start?: string;
}

const text = new TextDecoder();

/** The name and issue time of a user JWT the server already verified (the event comes from the system account). */
function jwtClaims(jwt: string | undefined): { name?: string; iat?: number } {
  if (!jwt) return {};
  try {
    const claims = decodeJwt(jwt);
    return {
      ...(typeof claims.name === "string" ? { name: claims.name } : {}),
      ...(claims.iat ? { iat: claims.iat } : {}),
    };
  } catch {
    return {};
  }
}

/** The principal a connection belongs to: its JWT's principal tag, else the JWT's name; none for a gateway's own. */
export function principalOf(tags: readonly string[], name: string | undefined): string | undefined {
  if (tags.includes("kind:service")) return undefined;
  return tags.find((t) => t.startsWith(PRINCIPAL_TAG))?.slice(PRINCIPAL_TAG.length) ?? name;
}

/** The connection a connect or disconnect event names, or undefined for anything else. */
export function readConnectEvent(data: Uint8Array): ConnInput | undefined {
  let ev: { timestamp?: string; server?: { id?: string }; client?: ClientInfo };
  try {
    ev = JSON.parse(text.decode(data));
  } catch {
    return undefined;
  }
  const server = ev.server?.id;
  const c = ev.client;
  if (!server || !c || typeof c.id !== "number") return undefined;
  const key = `${server}:${c.id}`;
  const claims = jwtClaims(c.jwt);
  return {
    key,
    server,
    cid: c.id,
    account: c.acc ?? "",
    tags: c.tags,
    name: claims.name,
    user: c.user,
    iat: claims.iat,
    start: c.start,
    at: (ev.timestamp && Date.parse(ev.timestamp)) || Date.now(),
  };
}

export class ConnectionTable {
  readonly #appAccount: string;
  readonly #conns = new Map<string, Conn>();
  readonly #byPrincipal = new Map<string, Set<string>>();
  /** Live principal connections of the app account (not doomed). */
  #appPrincipals = 0;

  constructor(appAccount: string) {
    this.#appAccount = appAccount;
  }

  /** Connections known, the gateways' own too. */
  get size(): number {
    return this.#conns.size;
  }

  /** Principals holding a connection. */
  get principals(): number {
    return this.#byPrincipal.size;
  }

  /** Live principal connections of the app account. */
  get appPrincipals(): number {
    return this.#appPrincipals;
  }

  /** Live principal connections of every watched account. */
  principalConnections(): number {
    let n = 0;
    for (const c of this.#conns.values()) if (!c.service && !c.doomed) n++;
    return n;
  }

  get(key: string): Conn | undefined {
    return this.#conns.get(key);
  }

  keys(): Set<string> {
    return new Set(this.#conns.keys());
  }

  all(): Conn[] {
    return [...this.#conns.values()];
  }

  /** The principal's connections not closed by a KICK. */
  live(principal: string): Conn[] {
    return [...(this.#byPrincipal.get(principal) ?? [])]
      .map((k) => this.#conns.get(k))
      .filter((c): c is Conn => c !== undefined && !c.doomed);
  }

  /** Adds a connection; undefined when it is known already. */
  add(i: ConnInput): Conn | undefined {
    if (this.#conns.has(i.key)) return undefined;
    const tags = i.tags ?? [];
    const service = tags.includes("kind:service");
    const conn: Conn = {
      key: i.key,
      server: i.server,
      cid: i.cid,
      account: i.account,
      principal: principalOf(tags, i.name),
      service,
      user: i.user,
      iat: i.iat,
      start: i.start ? Date.parse(i.start) || Date.now() : Date.now(),
      doomed: false,
      addedAt: Date.now(),
    };
    this.#conns.set(conn.key, conn);
    if (conn.principal) {
      const set = this.#byPrincipal.get(conn.principal) ?? new Set<string>();
      set.add(conn.key);
      this.#byPrincipal.set(conn.principal, set);
    }
    if (this.#countsInBudget(conn)) this.#appPrincipals++;
    return conn;
  }

  remove(key: string): void {
    const conn = this.#conns.get(key);
    if (!conn) return;
    if (this.#countsInBudget(conn)) this.#appPrincipals--;
    this.#conns.delete(key);
    if (conn.principal) {
      const set = this.#byPrincipal.get(conn.principal);
      set?.delete(key);
      if (set?.size === 0) this.#byPrincipal.delete(conn.principal);
    }
  }

  /** Marks a connection as being kicked: it no longer counts. */
  doom(conn: Conn): void {
    if (this.#countsInBudget(conn)) this.#appPrincipals--;
    conn.doomed = true;
  }

  clear(): void {
    this.#conns.clear();
    this.#byPrincipal.clear();
    this.#appPrincipals = 0;
  }

  #countsInBudget(c: Conn): boolean {
    return !c.service && !c.doomed && c.account === this.#appAccount;
  }
}
