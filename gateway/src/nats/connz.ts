/**
 * Lists one account's open connections on every server of a cluster with the
 * system account's `$SYS.REQ.ACCOUNT.<account>.CONNZ` (each server answers for
 * its own connections), page by page. Used by the connection watcher
 * (connections.ts) on start, after a reconnect and now and then.
 */
import type { Msg, NatsConnection } from "@nats-io/nats-core";

/** One open connection as a server lists it (`auth: true`: the user's tags, even where a bearer JWT is hidden). */
export interface ListedConnection {
  /** The server's id (`N...`). */
  server: string;
  cid: number;
  account: string | undefined;
  /** The user's nkey (unique per minted JWT). */
  user: string | undefined;
  tags: string[] | undefined;
  /** RFC 3339 start time. */
  start: string | undefined;
}

interface ConnInfo {
  cid?: number;
  account?: string;
  authorized_user?: string;
  tags?: string[];
  start?: string;
}

interface ConnzReply {
  server?: { id?: string; name?: string };
  data?: { total?: number; offset?: number; connections?: ConnInfo[] };
}

const PAGE = 1024;
/** Answers are collected until none came for this long (servers answer independently). */
const STALL_MS = 500;
const MAX_WAIT_MS = 3_000;
const text = new TextDecoder();

/** Every open connection of `account` on every server that answers within a few seconds. */
export async function listConnections(nc: NatsConnection, account: string): Promise<ListedConnection[]> {
  const out: ListedConnection[] = [];
  const pages: { server: string; name: string; offset: number }[] = [];
  const take = (m: Msg, onlyServer?: string) => {
    const r = JSON.parse(text.decode(m.data)) as ConnzReply;
    const server = r.server?.id;
    if (!server || !r.data || (onlyServer && server !== onlyServer)) return;
    const conns = r.data.connections ?? [];
    for (const c of conns) {
      if (typeof c.cid !== "number") continue;
      out.push({ server, cid: c.cid, account: c.account, user: c.authorized_user, tags: c.tags, start: c.start });
    }
    const next = (r.data.offset ?? 0) + conns.length;
    if (conns.length > 0 && next < (r.data.total ?? 0))
      pages.push({ server, name: r.server?.name ?? "", offset: next });
  };
  const subject = `$SYS.REQ.ACCOUNT.${account}.CONNZ`;
  const ask = (body: object) =>
    nc.requestMany(subject, JSON.stringify({ auth: true, limit: PAGE, state: 0, ...body }), {
      strategy: "stall",
      stall: STALL_MS,
      maxWait: MAX_WAIT_MS,
    });
  for await (const m of await ask({})) take(m);
  for (let page = pages.shift(); page; page = pages.shift()) {
    // Later pages from one server: the others filter themselves out by name.
    const replies = await ask({ offset: page.offset, server_name: page.name, exact_match: true });
    for await (const m of replies) take(m, page.server);
  }
  return out;
}
