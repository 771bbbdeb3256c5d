/**
 * The embedded store: SQLite through better-sqlite3, used when no MongoDB is
 * configured. One file, WAL journal with `synchronous = FULL` so a write is on
 * disk before the gateway acknowledges it, and every statement prepared once.
 *
 * Message appends, the hot write, are committed by a writer thread with its own
 * connection (sqlite-writer.ts), so their fsync does not block the event loop.
 * Everything else runs on this thread's connection: better-sqlite3 is
 * synchronous, and the methods are `async` only to fit the port (and so every
 * failure surfaces as a rejection).
 */

import { resolve } from "node:path";
import type {
  EpochCommit,
  InviteInfo,
  InviteStatus,
  KeyBackupEntry,
  StoredMessage,
  StoredNote,
  TeamKeyRecord,
  TeamKeyWrap,
} from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import {
  type AgentRecord,
  type AppendCommitResult,
  type AppendResult,
  type ConversationPatch,
  type ConversationRecord,
  type DeviceRecord,
  type MemberRecord,
  type NewMessage,
  type PrincipalRecord,
  type ReadMarker,
  type ShopRecord,
  type Store,
  StoreNotFoundError,
  type UnreadCount,
} from "./port.js";
import { type MessageRow, toMessage } from "./sqlite-message-row.js";
import { SqliteWriter, type SqliteWriterFailpoints } from "./sqlite-writer.js";

export interface SqliteStoreOptions {
  /**
   * Path of the database file. Not `":memory:"`: the writer thread opens the
   * file with a connection of its own, and an in-memory database is private to
   * one connection.
   */
  path: string;
  /**
   * How long a write waits for the write lock held by another connection, in
   * ms: another process's, or this store's own writer thread, which holds it
   * while a batch of appends commits (a few ms, the fsync included), so writes
   * on this thread and the writer's take turns. The writer thread waits in
   * SQLite's busy handler; this thread waits on timers (`#write`), so the event
   * loop keeps serving. 5 s is far above any batch's commit and still ends a
   * lock held by a stuck process with SQLITE_BUSY instead of waiting forever.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Fault injection for tests only (see SqliteWriterFailpoints).
   * @default undefined
   */
  failpoints?: SqliteWriterFailpoints;
}

const defaults = { busyTimeoutMs: 5000 } satisfies Partial<SqliteStoreOptions>;

type ParsedOptions = Required<Omit<SqliteStoreOptions, "failpoints">> & Pick<SqliteStoreOptions, "failpoints">;

function parseOptions(options: SqliteStoreOptions): ParsedOptions {
  if (typeof options.path !== "string" || options.path === "") throw new TypeError("SqliteStore: `path` is required");
  if (options.path === ":memory:") {
    throw new TypeError("SqliteStore: `:memory:` cannot be shared with the writer thread; use a file (a temp dir)");
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? defaults.busyTimeoutMs;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new TypeError("SqliteStore: bad `busyTimeoutMs`");
  // Absolute, so both connections open the same file whatever the working directory is later.
  return { path: resolve(options.path), busyTimeoutMs, failpoints: options.failpoints };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS shops (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, token_key TEXT NOT NULL, allowed_origins TEXT NOT NULL,
  allow_guests INTEGER NOT NULL, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS principals (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, shop_id TEXT NOT NULL, external_id TEXT NOT NULL,
  display_name TEXT NOT NULL, handle TEXT UNIQUE, created_at INTEGER NOT NULL,
  UNIQUE (shop_id, kind, external_id)
);
CREATE TABLE IF NOT EXISTS agents (
  shop_id TEXT NOT NULL, login TEXT NOT NULL, principal_id TEXT NOT NULL, password_hash TEXT NOT NULL,
  role TEXT NOT NULL, PRIMARY KEY (shop_id, login)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
  principal_id TEXT NOT NULL, device_id TEXT NOT NULL, sig_pk TEXT NOT NULL, box_pk TEXT NOT NULL,
  created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, sig TEXT, PRIMARY KEY (principal_id, device_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, status TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS conversations_by_shop ON conversations (shop_id, updated_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS members (
  conv_id TEXT NOT NULL, principal_id TEXT NOT NULL, role TEXT NOT NULL, joined_at INTEGER NOT NULL,
  invited_by TEXT, PRIMARY KEY (conv_id, principal_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_principal ON members (principal_id);
CREATE TABLE IF NOT EXISTS invites (
  id TEXT PRIMARY KEY, conv_id TEXT NOT NULL, shop_id TEXT NOT NULL, inviter TEXT NOT NULL,
  inviter_name TEXT NOT NULL, invitee TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS invites_by_invitee ON invites (invitee, status, created_at);
CREATE INDEX IF NOT EXISTS invites_by_conv ON invites (conv_id, invitee, status);
CREATE TABLE IF NOT EXISTS messages (
  conv_id TEXT NOT NULL, seq INTEGER NOT NULL, msg_id TEXT NOT NULL, sender TEXT NOT NULL,
  ts INTEGER NOT NULL, envelope TEXT NOT NULL,
  PRIMARY KEY (conv_id, seq), UNIQUE (conv_id, msg_id)
) WITHOUT ROWID;
-- Unread counts: a principal's own messages above its read marker, counted from the index alone.
CREATE INDEX IF NOT EXISTS messages_by_sender ON messages (conv_id, sender, seq);
CREATE TABLE IF NOT EXISTS notes (
  conv_id TEXT NOT NULL, id TEXT NOT NULL, author TEXT NOT NULL, ts INTEGER NOT NULL, envelope TEXT NOT NULL,
  PRIMARY KEY (conv_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS notes_by_ts ON notes (conv_id, ts DESC, id DESC);
CREATE TABLE IF NOT EXISTS read_markers (
  conv_id TEXT NOT NULL, principal_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (conv_id, principal_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS token_ids (
  issuer TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, jti)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS token_ids_by_expiry ON token_ids (expires_at);
CREATE TABLE IF NOT EXISTS commits (
  conv_id TEXT NOT NULL, epoch INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (conv_id, epoch)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS team_keys (
  shop_id TEXT NOT NULL, version INTEGER NOT NULL, box_pk TEXT NOT NULL, sig_pk TEXT NOT NULL,
  created_by_principal TEXT NOT NULL, created_by_device TEXT NOT NULL, ts INTEGER NOT NULL, sig TEXT NOT NULL,
  PRIMARY KEY (shop_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS team_wraps (
  shop_id TEXT NOT NULL, version INTEGER NOT NULL, device_id TEXT NOT NULL, principal_id TEXT NOT NULL,
  sealed TEXT NOT NULL, wrapped_by_principal TEXT NOT NULL, wrapped_by_device TEXT NOT NULL, ts INTEGER NOT NULL,
  sig TEXT NOT NULL, PRIMARY KEY (shop_id, version, device_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_backups (
  principal_id TEXT NOT NULL, conv_id TEXT NOT NULL, epoch INTEGER NOT NULL, v INTEGER NOT NULL, ct TEXT NOT NULL,
  PRIMARY KEY (principal_id, conv_id, epoch)
) WITHOUT ROWID;
`;

/**
 * Columns added after the first release: `CREATE TABLE IF NOT EXISTS` leaves an
 * existing file's tables as they were, so `init()` adds each one that is missing.
 */
const ADDED_COLUMNS: { table: string; column: string; definition: string }[] = [
  { table: "conversations", column: "epoch", definition: "INTEGER NOT NULL DEFAULT 0" },
  { table: "devices", column: "sig", definition: "TEXT" },
  { table: "conversations", column: "assignee", definition: "TEXT" },
  { table: "conversations", column: "handover", definition: "INTEGER NOT NULL DEFAULT 0" },
  { table: "invites", column: "settled_at", definition: "INTEGER" },
];

type ShopRow = {
  id: string;
  name: string;
  token_key: string;
  allowed_origins: string;
  allow_guests: number;
  created_at: number;
};
type PrincipalRow = {
  id: string;
  kind: PrincipalRecord["kind"];
  shop_id: string;
  external_id: string;
  display_name: string;
  handle: string | null;
  created_at: number;
};
type AgentRow = {
  shop_id: string;
  login: string;
  principal_id: string;
  password_hash: string;
  role: "admin" | "agent";
};
type DeviceRow = {
  principal_id: string;
  device_id: string;
  sig_pk: string;
  box_pk: string;
  created_at: number;
  last_seen_at: number;
  sig: string | null;
};
type ConversationRow = {
  id: string;
  shop_id: string;
  status: ConversationRecord["status"];
  created_by: string;
  created_at: number;
  updated_at: number;
  last_seq: number;
  epoch: number;
  assignee: string | null;
  handover: number;
};
type NoteRow = { conv_id: string; id: string; author: string; ts: number; envelope: string };
const toNote = (r: NoteRow): StoredNote => ({
  convId: r.conv_id,
  id: r.id,
  author: r.author,
  ts: r.ts,
  envelope: JSON.parse(r.envelope) as StoredNote["envelope"],
});
type MemberRow = {
  conv_id: string;
  principal_id: string;
  role: MemberRecord["role"];
  joined_at: number;
  invited_by: string | null;
};
type InviteRow = {
  id: string;
  conv_id: string;
  shop_id: string;
  inviter: string;
  inviter_name: string;
  invitee: string;
  status: InviteStatus;
  created_at: number;
  settled_at: number | null;
};
type TeamKeyRow = {
  shop_id: string;
  version: number;
  box_pk: string;
  sig_pk: string;
  created_by_principal: string;
  created_by_device: string;
  ts: number;
  sig: string;
};
type TeamWrapRow = {
  shop_id: string;
  version: number;
  device_id: string;
  principal_id: string;
  sealed: string;
  wrapped_by_principal: string;
  wrapped_by_device: string;
  ts: number;
  sig: string;
};

const toShop = (r: ShopRow): ShopRecord => ({
  id: r.id,
  name: r.name,
  tokenKey: JSON.parse(r.token_key) as ShopRecord["tokenKey"],
  allowedOrigins: JSON.parse(r.allowed_origins) as string[],
  allowGuests: r.allow_guests === 1,
  createdAt: r.created_at,
});
const toPrincipal = (r: PrincipalRow): PrincipalRecord => ({
  id: r.id,
  kind: r.kind,
  shopId: r.shop_id,
  externalId: r.external_id,
  displayName: r.display_name,
  ...(r.handle === null ? {} : { handle: r.handle }),
  createdAt: r.created_at,
});
const toAgent = (r: AgentRow): AgentRecord => ({
  shopId: r.shop_id,
  login: r.login,
  principalId: r.principal_id,
  passwordHash: r.password_hash,
  role: r.role,
});
const toDevice = (r: DeviceRow): DeviceRecord => ({
  principalId: r.principal_id,
  deviceId: r.device_id,
  sigPk: r.sig_pk,
  boxPk: r.box_pk,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  ...(r.sig === null ? {} : { sig: r.sig }),
});
const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id,
  shopId: r.shop_id,
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastSeq: r.last_seq,
  epoch: r.epoch,
  ...(r.assignee !== null ? { assignee: r.assignee } : {}),
  ...(r.handover ? { handover: true } : {}),
});
const toMember = (r: MemberRow): MemberRecord => ({
  convId: r.conv_id,
  principalId: r.principal_id,
  role: r.role,
  joinedAt: r.joined_at,
  ...(r.invited_by === null ? {} : { invitedBy: r.invited_by }),
});
const toInvite = (r: InviteRow): InviteInfo => ({
  id: r.id,
  convId: r.conv_id,
  shopId: r.shop_id,
  inviter: r.inviter,
  inviterName: r.inviter_name,
  invitee: r.invitee,
  status: r.status,
  createdAt: r.created_at,
  ...(r.settled_at === null ? {} : { settledAt: r.settled_at }),
});
const toTeamKey = (r: TeamKeyRow): TeamKeyRecord => ({
  shopId: r.shop_id,
  version: r.version,
  boxPk: r.box_pk,
  sigPk: r.sig_pk,
  createdBy: { principalId: r.created_by_principal, deviceId: r.created_by_device },
  ts: r.ts,
  sig: r.sig,
});
const toTeamWrap = (r: TeamWrapRow): TeamKeyWrap => ({
  shopId: r.shop_id,
  version: r.version,
  deviceId: r.device_id,
  principalId: r.principal_id,
  sealed: r.sealed,
  wrappedBy: { principalId: r.wrapped_by_principal, deviceId: r.wrapped_by_device },
  ts: r.ts,
  sig: r.sig,
});

/** Copies a commit field by field: the stored JSON holds exactly the wire shape, nothing the caller added. */
const commitDoc = (c: EpochCommit): EpochCommit => ({
  v: c.v,
  convId: c.convId,
  epoch: c.epoch,
  prevHash: c.prevHash,
  committer: { principalId: c.committer.principalId, deviceId: c.committer.deviceId },
  members: c.members.map((m) => ({ principalId: m.principalId, deviceIds: [...m.deviceIds] })),
  wraps: c.wraps.map((w) => ({ deviceId: w.deviceId, sealed: w.sealed })),
  teamWrap: c.teamWrap,
  historyPolicy: c.historyPolicy,
  reason: c.reason,
  ts: c.ts,
  teamVersion: c.teamVersion,
  sig: c.sig,
  teamSig: c.teamSig,
});

/** Every statement, prepared once in `init()`. */
function prepare(db: Database.Database) {
  const q = <R>(sql: string) => db.prepare<unknown[], R>(sql);
  return {
    ping: q<number>("SELECT 1").pluck(),
    putShop: q(`INSERT INTO shops VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,
      token_key = excluded.token_key, allowed_origins = excluded.allowed_origins,
      allow_guests = excluded.allow_guests, created_at = excluded.created_at`),
    getShop: q<ShopRow>("SELECT * FROM shops WHERE id = ?"),
    allowedOrigins: q<string>(
      "SELECT DISTINCT o.value FROM shops, json_each(shops.allowed_origins) AS o ORDER BY o.value",
    ).pluck(),
    insertPrincipal: q(
      "INSERT INTO principals VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, kind, external_id) DO NOTHING",
    ),
    principalByExternal: q<PrincipalRow>("SELECT * FROM principals WHERE shop_id = ? AND kind = ? AND external_id = ?"),
    getPrincipal: q<PrincipalRow>("SELECT * FROM principals WHERE id = ?"),
    getPrincipals: q<PrincipalRow>("SELECT * FROM principals WHERE id IN (SELECT value FROM json_each(?))"),
    principalByHandle: q<PrincipalRow>("SELECT * FROM principals WHERE handle = ?"),
    setHandle: q("UPDATE principals SET handle = ? WHERE id = ?"),
    setDisplayName: q("UPDATE principals SET display_name = ? WHERE id = ?"),
    putAgent: q(`INSERT INTO agents VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id, login) DO UPDATE SET
      principal_id = excluded.principal_id, password_hash = excluded.password_hash, role = excluded.role`),
    getAgent: q<AgentRow>("SELECT * FROM agents WHERE shop_id = ? AND login = ?"),
    // Columns named: a migrated file has the added columns last, a new one in schema order.
    putDevice: q(`INSERT INTO devices (principal_id, device_id, sig_pk, box_pk, created_at, last_seen_at, sig)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (principal_id, device_id) DO UPDATE SET
      sig_pk = excluded.sig_pk, box_pk = excluded.box_pk, created_at = excluded.created_at,
      last_seen_at = excluded.last_seen_at, sig = excluded.sig`),
    listDevices: q<DeviceRow>("SELECT * FROM devices WHERE principal_id = ? ORDER BY created_at, device_id"),
    createConversation:
      q(`INSERT INTO conversations (id, shop_id, status, created_by, created_at, updated_at, last_seq, epoch)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    getConversation: q<ConversationRow>("SELECT * FROM conversations WHERE id = ?"),
    updateConversation: q(`UPDATE conversations SET status = COALESCE(?, status),
      assignee = CASE WHEN ? THEN ? ELSE assignee END, handover = COALESCE(?, handover),
      updated_at = MAX(updated_at, ?) WHERE id = ?`),
    conversationsOf: q<ConversationRow>(`SELECT c.* FROM members m JOIN conversations c ON c.id = m.conv_id
      WHERE m.principal_id = ? ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`),
    conversationsOfShop: q<ConversationRow>(
      "SELECT * FROM conversations WHERE shop_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?",
    ),
    addMember: q(`INSERT INTO members VALUES (?, ?, ?, ?, ?) ON CONFLICT (conv_id, principal_id) DO UPDATE SET
      role = excluded.role, joined_at = excluded.joined_at, invited_by = excluded.invited_by`),
    removeMember: q("DELETE FROM members WHERE conv_id = ? AND principal_id = ?"),
    getMember: q<MemberRow>("SELECT * FROM members WHERE conv_id = ? AND principal_id = ?"),
    listMembers: q<MemberRow>("SELECT * FROM members WHERE conv_id = ? ORDER BY joined_at, principal_id"),
    createInvite: q(`INSERT INTO invites (id, conv_id, shop_id, inviter, inviter_name, invitee, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    getInvite: q<InviteRow>("SELECT * FROM invites WHERE id = ?"),
    settleInvite: q("UPDATE invites SET status = ?, settled_at = ? WHERE id = ? AND status = 'pending'"),
    invitesOf: q<InviteRow>("SELECT * FROM invites WHERE conv_id = ? ORDER BY created_at, id LIMIT ?"),
    pendingInvites: q<InviteRow>(
      "SELECT * FROM invites WHERE invitee = ? AND status = 'pending' ORDER BY created_at DESC, id DESC",
    ),
    pendingInvite: q<InviteRow>(
      "SELECT * FROM invites WHERE conv_id = ? AND invitee = ? AND status = 'pending' ORDER BY created_at DESC LIMIT 1",
    ),
    // Appends: the writer thread (sqlite-writer-thread.js) prepares and runs those statements.
    history: q<MessageRow>("SELECT * FROM messages WHERE conv_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?"),
    since: q<MessageRow>("SELECT * FROM messages WHERE conv_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
    convEpoch: q<number>("SELECT epoch FROM conversations WHERE id = ?").pluck(),
    maxCommitEpoch: q<number | null>("SELECT MAX(epoch) FROM commits WHERE conv_id = ?").pluck(),
    raiseEpoch: q("UPDATE conversations SET epoch = MAX(epoch, ?) WHERE id = ?"),
    insertCommit: q("INSERT INTO commits (conv_id, epoch, body) VALUES (?, ?, ?)"),
    listCommits: q<string>("SELECT body FROM commits WHERE conv_id = ? AND epoch > ? ORDER BY epoch LIMIT ?").pluck(),
    teamKey: q<TeamKeyRow>("SELECT * FROM team_keys WHERE shop_id = ? ORDER BY version DESC LIMIT 1"),
    teamKeyVersion: q<TeamKeyRow>("SELECT * FROM team_keys WHERE shop_id = ? AND version = ?"),
    teamVersion: q<number | null>("SELECT MAX(version) FROM team_keys WHERE shop_id = ?").pluck(),
    insertTeamKey: q(`INSERT INTO team_keys (shop_id, version, box_pk, sig_pk, created_by_principal,
      created_by_device, ts, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    putTeamWrap: q(`INSERT INTO team_wraps (shop_id, version, device_id, principal_id, sealed, wrapped_by_principal,
      wrapped_by_device, ts, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, version, device_id)
      DO UPDATE SET principal_id = excluded.principal_id, sealed = excluded.sealed,
      wrapped_by_principal = excluded.wrapped_by_principal, wrapped_by_device = excluded.wrapped_by_device,
      ts = excluded.ts, sig = excluded.sig`),
    teamWraps: q<TeamWrapRow>(
      "SELECT * FROM team_wraps WHERE shop_id = ? AND version = ? ORDER BY principal_id, device_id",
    ),
    teamWrapsOf: q<TeamWrapRow>(
      "SELECT * FROM team_wraps WHERE shop_id = ? AND version = ? AND principal_id = ? ORDER BY device_id",
    ),
    // Served by the (shop_id, kind, external_id) unique index: its (shop_id, kind) prefix answers the IN list.
    listTeam: q<PrincipalRow>(
      "SELECT * FROM principals WHERE shop_id = ? AND kind IN ('agent', 'bot') ORDER BY created_at, id",
    ),
    // An entry sealed under a lower secret version never replaces one of a higher.
    putKeyBackup: q(`INSERT INTO key_backups (principal_id, conv_id, epoch, v, ct) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (principal_id, conv_id, epoch) DO UPDATE SET v = excluded.v, ct = excluded.ct
      WHERE excluded.v >= key_backups.v`),
    listKeyBackups: q<{ conv_id: string; epoch: number; v: number; ct: string }>(
      "SELECT conv_id, epoch, v, ct FROM key_backups WHERE principal_id = ? AND conv_id = ? AND epoch > ? ORDER BY epoch LIMIT ?",
    ),
    readMarker: q<number>("SELECT seq FROM read_markers WHERE conv_id = ? AND principal_id = ?").pluck(),
    // The WHERE keeps the marker monotonic: a lower or equal seq changes nothing.
    raiseReadMarker: q(`INSERT INTO read_markers VALUES (?, ?, ?, ?) ON CONFLICT (conv_id, principal_id)
      DO UPDATE SET seq = excluded.seq, at = excluded.at WHERE excluded.seq > read_markers.seq`),
    insertNote: q(
      "INSERT INTO notes (conv_id, id, author, ts, envelope) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    getNote: q<NoteRow>("SELECT * FROM notes WHERE conv_id = ? AND id = ?"),
    listNotes: q<NoteRow>("SELECT * FROM notes WHERE conv_id = ? ORDER BY ts DESC, id DESC LIMIT ?"),
    readMarkers: q<{ conv_id: string; principal_id: string; seq: number; at: number }>(
      "SELECT * FROM read_markers WHERE conv_id = ? ORDER BY principal_id",
    ),
    ownMessagesBetween: q<number>(
      "SELECT COUNT(*) FROM messages WHERE conv_id = ? AND sender = ? AND seq > ? AND seq <= ?",
    ).pluck(),
    deleteExpiredTokens: q("DELETE FROM token_ids WHERE expires_at <= ?"),
    insertToken: q("INSERT INTO token_ids VALUES (?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING"),
  };
}

/** A positive whole limit, or 0 for "nothing" (SQLite reads a negative LIMIT as "no limit"). */
const clampLimit = (limit: number) => (Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 0);

export class SqliteStore implements Store {
  readonly kind = "embedded";
  readonly #db: Database.Database;
  readonly #options: ParsedOptions;
  #stmts: ReturnType<typeof prepare> | undefined;
  #initializing: Promise<void> | undefined;
  /** Commits the appends (see `append`); started by `init()`. */
  #writer: SqliteWriter | undefined;
  #closing: Promise<void> | undefined;
  #appendCommit: ((commit: EpochCommit) => AppendCommitResult) | undefined;
  #putTeamKey: ((record: TeamKeyRecord) => { accepted: boolean; version: number }) | undefined;
  #putKeyBackups: ((principalId: string, entries: readonly KeyBackupEntry[]) => void) | undefined;

  constructor(options: SqliteStoreOptions) {
    this.#options = parseOptions(options);
    const { path, busyTimeoutMs } = this.#options;
    this.#db = new Database(path, { timeout: busyTimeoutMs });
    this.#db.pragma("journal_mode = WAL");
    // FULL, here and on the writer thread's connection: each commit is fsynced before the write is
    // acknowledged (NORMAL may lose the last commits on power loss).
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = OFF");
  }

  /**
   * Runs one write statement or transaction on this connection without
   * blocking the event loop while another connection (the writer thread,
   * another process) holds the write lock. After `init()` this connection's
   * busy timeout is 0: SQLite answers SQLITE_BUSY at once, before the statement
   * changed anything (a transaction is rolled back whole), and the write is
   * tried again after a short pause on a timer, up to `busyTimeoutMs`. With
   * SQLite's own busy handler the thread would sleep instead: 1, 2, 5, 10 ms
   * and more, with every request waiting behind it.
   */
  async #write<T>(run: () => T): Promise<T> {
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 16)) {
      try {
        return run();
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  get #s(): ReturnType<typeof prepare> {
    if (!this.#stmts) throw new Error("SqliteStore: call init() first");
    return this.#stmts;
  }

  init(): Promise<void> {
    this.#initializing ??= this.#init().catch((error: unknown) => {
      this.#initializing = undefined;
      throw error;
    });
    return this.#initializing;
  }

  async #init(): Promise<void> {
    this.#db.exec(SCHEMA);
    // IMMEDIATE: two processes opening one old file cannot both see a column missing and both add it.
    this.#db
      .transaction(() => {
        for (const { table, column, definition } of ADDED_COLUMNS) {
          const columns = this.#db.pragma(`table_info(${table})`) as { name: string }[];
          if (!columns.some((c) => c.name === column)) {
            this.#db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
          }
        }
      })
      .immediate();
    const s = prepare(this.#db);
    // The write lock taken up front makes the compare-and-set plain: nobody moves the head in between.
    this.#appendCommit = this.#db.transaction((commit: EpochCommit): AppendCommitResult => {
      const doc = commitDoc(commit);
      const cached = s.convEpoch.get(doc.convId);
      if (cached === undefined) throw new StoreNotFoundError(`conversation ${doc.convId} does not exist`);
      // The commits are the truth: a head left behind (a commit stored by hand, an old file) is moved up here.
      const head = Math.max(cached, s.maxCommitEpoch.get(doc.convId) ?? 0);
      if (head !== cached) s.raiseEpoch.run(head, doc.convId);
      if (doc.epoch !== head + 1) return { accepted: false, head };
      s.insertCommit.run(doc.convId, doc.epoch, JSON.stringify(doc));
      s.raiseEpoch.run(doc.epoch, doc.convId);
      return { accepted: true, head: doc.epoch };
    }).immediate;
    // One transaction: a put stores all of its entries or none.
    this.#putKeyBackups = this.#db.transaction((principalId: string, entries: readonly KeyBackupEntry[]) => {
      for (const e of entries) s.putKeyBackup.run(principalId, e.convId, e.epoch, e.v, e.ct);
    }).immediate;
    // Same ground as `appendCommit`: under the write lock the highest stored version is the current one.
    this.#putTeamKey = this.#db.transaction((r: TeamKeyRecord): { accepted: boolean; version: number } => {
      const current = s.teamVersion.get(r.shopId) ?? 0;
      if (r.version !== current + 1) return { accepted: false, version: current };
      s.insertTeamKey.run(
        r.shopId,
        r.version,
        r.boxPk,
        r.sigPk,
        r.createdBy.principalId,
        r.createdBy.deviceId,
        r.ts,
        r.sig,
      );
      return { accepted: true, version: r.version };
    }).immediate;
    const { path, busyTimeoutMs, failpoints } = this.#options;
    this.#writer = await SqliteWriter.start({ path, busyTimeoutMs, failpoints });
    // From here on this connection never sleeps on a lock: writes wait on timers instead (#write).
    this.#db.pragma("busy_timeout = 0");
    this.#stmts = s;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Appends already queued or committing finish (or fail) first; then the writer thread ends.
    await this.#initializing?.catch(() => undefined);
    await this.#writer?.close();
    if (this.#db.open) this.#db.close();
  }

  async ping(): Promise<void> {
    // A store whose writer thread is gone cannot append: report it (readyz) rather than look healthy.
    const failure = this.#writer?.failure;
    if (failure) throw failure;
    this.#s.ping.get();
  }

  async putShop(shop: ShopRecord): Promise<void> {
    const { id, name, tokenKey, allowedOrigins, allowGuests, createdAt } = shop;
    await this.#write(() =>
      this.#s.putShop.run(
        id,
        name,
        JSON.stringify(tokenKey),
        JSON.stringify(allowedOrigins),
        allowGuests ? 1 : 0,
        createdAt,
      ),
    );
  }

  async getShop(id: string): Promise<ShopRecord | undefined> {
    const row = this.#s.getShop.get(id);
    return row && toShop(row);
  }

  /** Every origin any shop allows, deduplicated (for CORS preflights). */
  async listAllowedOrigins(): Promise<string[]> {
    return this.#s.allowedOrigins.all();
  }

  async ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord> {
    const { id, kind, shopId, externalId, displayName, handle, createdAt } = init;
    await this.#write(() =>
      this.#s.insertPrincipal.run(id, kind, shopId, externalId, displayName, handle ?? null, createdAt),
    );
    const row = this.#s.principalByExternal.get(shopId, kind, externalId);
    if (!row) throw new Error(`principal (${shopId}, ${kind}, ${externalId}) vanished after insert`);
    return toPrincipal(row);
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const row = this.#s.getPrincipal.get(id);
    return row && toPrincipal(row);
  }

  async getPrincipals(ids: string[]): Promise<PrincipalRecord[]> {
    if (ids.length === 0) return [];
    return this.#s.getPrincipals.all(JSON.stringify(ids)).map(toPrincipal);
  }

  async findPrincipalByHandle(handle: string): Promise<PrincipalRecord | undefined> {
    const row = this.#s.principalByHandle.get(handle);
    return row && toPrincipal(row);
  }

  async setHandle(principalId: string, handle: string): Promise<boolean> {
    try {
      return (await this.#write(() => this.#s.setHandle.run(handle, principalId))).changes === 1;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async setDisplayName(principalId: string, displayName: string): Promise<void> {
    await this.#write(() => this.#s.setDisplayName.run(displayName, principalId));
  }

  async putAgent(agent: AgentRecord): Promise<void> {
    const { shopId, login, principalId, passwordHash, role } = agent;
    await this.#write(() => this.#s.putAgent.run(shopId, login, principalId, passwordHash, role));
  }

  async getAgent(shopId: string, login: string): Promise<AgentRecord | undefined> {
    const row = this.#s.getAgent.get(shopId, login);
    return row && toAgent(row);
  }

  async putDevice(device: DeviceRecord): Promise<void> {
    const { principalId, deviceId, sigPk, boxPk, createdAt, lastSeenAt, sig } = device;
    await this.#write(() =>
      this.#s.putDevice.run(principalId, deviceId, sigPk, boxPk, createdAt, lastSeenAt, sig ?? null),
    );
  }

  async listDevices(principalId: string): Promise<DeviceRecord[]> {
    return this.#s.listDevices.all(principalId).map(toDevice);
  }

  async createConversation(conv: ConversationRecord): Promise<void> {
    const { id, shopId, status, createdBy, createdAt, updatedAt, lastSeq, epoch } = conv;
    await this.#write(() =>
      this.#s.createConversation.run(id, shopId, status, createdBy, createdAt, updatedAt, lastSeq, epoch),
    );
    if (conv.assignee !== undefined || conv.handover) {
      await this.updateConversation(
        id,
        { assignee: conv.assignee ?? null, handover: conv.handover ?? false },
        updatedAt,
      );
    }
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = this.#s.getConversation.get(id);
    return row && toConversation(row);
  }

  async updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord> {
    const assign = patch.assignee !== undefined;
    const handover = patch.handover === undefined ? null : patch.handover ? 1 : 0;
    const run = await this.#write(() =>
      this.#s.updateConversation.run(patch.status ?? null, assign ? 1 : 0, patch.assignee ?? null, handover, at, id),
    );
    const row = run.changes === 0 ? undefined : this.#s.getConversation.get(id);
    if (!row) throw new StoreNotFoundError(`conversation ${id} does not exist`);
    return toConversation(row);
  }

  async listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#s.conversationsOf.all(principalId, clampLimit(limit)).map(toConversation);
  }

  async listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#s.conversationsOfShop.all(shopId, clampLimit(limit)).map(toConversation);
  }

  async addMember(member: MemberRecord): Promise<void> {
    const { convId, principalId, role, joinedAt, invitedBy } = member;
    await this.#write(() => this.#s.addMember.run(convId, principalId, role, joinedAt, invitedBy ?? null));
  }

  async removeMember(convId: string, principalId: string): Promise<boolean> {
    return (await this.#write(() => this.#s.removeMember.run(convId, principalId))).changes === 1;
  }

  async getMember(convId: string, principalId: string): Promise<MemberRecord | undefined> {
    const row = this.#s.getMember.get(convId, principalId);
    return row && toMember(row);
  }

  async listMembers(convId: string): Promise<MemberRecord[]> {
    return this.#s.listMembers.all(convId).map(toMember);
  }

  async createInvite(invite: InviteInfo): Promise<void> {
    const { id, convId, shopId, inviter, inviterName, invitee, status, createdAt } = invite;
    await this.#write(() =>
      this.#s.createInvite.run(id, convId, shopId, inviter, inviterName, invitee, status, createdAt),
    );
  }

  async getInvite(id: string): Promise<InviteInfo | undefined> {
    const row = this.#s.getInvite.get(id);
    return row && toInvite(row);
  }

  async settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean> {
    return (await this.#write(() => this.#s.settleInvite.run(status, at ?? null, id))).changes === 1;
  }

  async listInvitesOf(convId: string, limit: number): Promise<InviteInfo[]> {
    return this.#s.invitesOf.all(convId, limit).map(toInvite);
  }

  async listPendingInvites(invitee: string): Promise<InviteInfo[]> {
    return this.#s.pendingInvites.all(invitee).map(toInvite);
  }

  async findPendingInvite(convId: string, invitee: string): Promise<InviteInfo | undefined> {
    const row = this.#s.pendingInvite.get(convId, invitee);
    return row && toInvite(row);
  }

  /**
   * Group commit on the writer thread: appends that arrive while it is idle
   * (within one event-loop turn) or busy share one transaction and so one
   * fsync. Each caller's promise settles only after that transaction
   * committed, so persist-before-acknowledge holds per message, and once it
   * resolved, reads on this connection see the message and the conversation's
   * new lastSeq.
   */
  append(message: NewMessage): Promise<AppendResult> {
    if (this.#closing) return Promise.reject(new Error("SqliteStore is closed"));
    if (!this.#writer) return Promise.reject(new Error("SqliteStore: call init() first"));
    return this.#writer.append(message);
  }

  async history(convId: string, before: number | undefined, limit: number): Promise<StoredMessage[]> {
    return this.#s.history.all(convId, before ?? Number.MAX_SAFE_INTEGER, clampLimit(limit)).map(toMessage);
  }

  async since(convId: string, after: number, limit: number): Promise<StoredMessage[]> {
    return this.#s.since.all(convId, after, clampLimit(limit)).map(toMessage);
  }

  async appendCommit(commit: EpochCommit): Promise<AppendCommitResult> {
    const appendCommit = this.#appendCommit;
    if (!appendCommit) throw new Error("SqliteStore: call init() first");
    return this.#write(() => appendCommit(commit));
  }

  async listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]> {
    return this.#s.listCommits
      .all(convId, after, clampLimit(limit))
      .map((body) => ({ teamVersion: 0, teamSig: "", ...(JSON.parse(body) as Partial<EpochCommit>) }) as EpochCommit);
  }

  async getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined> {
    const row = version === undefined ? this.#s.teamKey.get(shopId) : this.#s.teamKeyVersion.get(shopId, version);
    return row && toTeamKey(row);
  }

  async putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }> {
    const putTeamKey = this.#putTeamKey;
    if (!putTeamKey) throw new Error("SqliteStore: call init() first");
    return this.#write(() => putTeamKey(record));
  }

  async putTeamWrap(wrap: TeamKeyWrap): Promise<void> {
    const { shopId, version, deviceId, principalId, sealed, wrappedBy, ts, sig } = wrap;
    await this.#write(() =>
      this.#s.putTeamWrap.run(
        shopId,
        version,
        deviceId,
        principalId,
        sealed,
        wrappedBy.principalId,
        wrappedBy.deviceId,
        ts,
        sig,
      ),
    );
  }

  async listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]> {
    const rows =
      principalId === undefined
        ? this.#s.teamWraps.all(shopId, version)
        : this.#s.teamWrapsOf.all(shopId, version, principalId);
    return rows.map(toTeamWrap);
  }

  async putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void> {
    const put = this.#putKeyBackups;
    if (!put) throw new Error("SqliteStore: call init() first");
    await this.#write(() => put(principalId, entries));
  }

  async listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]> {
    return this.#s.listKeyBackups
      .all(principalId, convId, after, clampLimit(limit))
      .map((r) => ({ convId: r.conv_id, epoch: r.epoch, v: r.v, ct: r.ct }));
  }

  async listTeam(shopId: string): Promise<PrincipalRecord[]> {
    return this.#s.listTeam.all(shopId).map(toPrincipal);
  }

  async setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }> {
    const { convId, principalId, seq, at } = marker;
    if (!(seq > 0)) return { seq: this.#s.readMarker.get(convId, principalId) ?? 0, moved: false };
    const moved = (await this.#write(() => this.#s.raiseReadMarker.run(convId, principalId, seq, at))).changes === 1;
    return { seq: moved ? seq : (this.#s.readMarker.get(convId, principalId) ?? 0), moved };
  }

  async addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }> {
    const { changes } = await this.#write(() =>
      this.#s.insertNote.run(note.convId, note.id, note.author, note.ts, JSON.stringify(note.envelope)),
    );
    const row = this.#s.getNote.get(note.convId, note.id);
    if (!row) throw new Error(`note ${note.id} was not stored`);
    return { note: toNote(row), duplicate: changes === 0 };
  }

  async listNotes(convId: string, limit: number): Promise<StoredNote[]> {
    return this.#s.listNotes.all(convId, clampLimit(limit)).map(toNote).reverse();
  }

  async readMarkers(convId: string): Promise<ReadMarker[]> {
    return this.#s.readMarkers
      .all(convId)
      .map((r) => ({ convId: r.conv_id, principalId: r.principal_id, seq: r.seq, at: r.at }));
  }

  async unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>> {
    const counts = new Map<string, UnreadCount>();
    for (const { id, lastSeq } of conversations) {
      const readUpTo = this.#s.readMarker.get(id, principalId) ?? 0;
      const above = lastSeq - readUpTo;
      const own = above > 0 ? this.#s.ownMessagesBetween.get(id, principalId, readUpTo, lastSeq) : 0;
      counts.set(id, { readUpTo, unread: Math.max(0, above - (own ?? 0)) });
    }
    return counts;
  }

  async consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    // Expired ids can go: a token past its expiry is refused before it gets here.
    await this.#write(() => this.#s.deleteExpiredTokens.run(Date.now()));
    return (await this.#write(() => this.#s.insertToken.run(issuer, jti, expiresAt))).changes === 1;
  }
}

/** SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY, BUSY_TIMEOUT). */
function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith("SQLITE_BUSY");
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY")
  );
}
