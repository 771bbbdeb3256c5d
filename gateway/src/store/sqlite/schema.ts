/**
 * The embedded store's tables and indexes, and the columns added since the
 * first release (an existing file is brought up to date by `migrate`, which
 * also rebuilds the principals table of a file whose handles were unique across
 * shops).
 */
import type Database from "better-sqlite3";
import { handleSkeleton } from "../rules/skeleton.js";
import { WEBHOOK_SCHEMA } from "./webhooks.js";

/**
 * Principals, with handles unique per shop (the indexes in {@link HANDLE_INDEXES}). Files made
 * before handles were scoped to a shop have `handle TEXT UNIQUE` (unique across shops): `migrate`
 * rebuilds that table as this one.
 */
const PRINCIPALS_TABLE = `CREATE TABLE principals (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, shop_id TEXT NOT NULL, external_id TEXT NOT NULL,
  display_name TEXT NOT NULL, handle TEXT, created_at INTEGER NOT NULL, handle_skeleton TEXT, last_ip TEXT,
  UNIQUE (shop_id, kind, external_id)
)`;

/** A handle and its skeleton are unique per shop (NULLs, principals without a handle, never collide). */
const HANDLE_INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS principals_by_handle ON principals (shop_id, handle);
CREATE UNIQUE INDEX IF NOT EXISTS principals_by_skeleton ON principals (shop_id, handle_skeleton);
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS shops (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, token_key TEXT NOT NULL, allowed_origins TEXT NOT NULL,
  allow_guests INTEGER NOT NULL, created_at INTEGER NOT NULL
);
${PRINCIPALS_TABLE.replace("principals (", "IF NOT EXISTS principals (")};
CREATE TABLE IF NOT EXISTS agents (
  shop_id TEXT NOT NULL, login TEXT NOT NULL, principal_id TEXT NOT NULL, password_hash TEXT NOT NULL,
  role TEXT NOT NULL, PRIMARY KEY (shop_id, login)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
  principal_id TEXT NOT NULL, device_id TEXT NOT NULL, sig_pk TEXT NOT NULL, box_pk TEXT NOT NULL,
  created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, sig TEXT, PRIMARY KEY (principal_id, device_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS devices_by_id ON devices (device_id);
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
CREATE TABLE IF NOT EXISTS blocks (
  blocker TEXT NOT NULL, blocked TEXT NOT NULL, blocked_at INTEGER NOT NULL, PRIMARY KEY (blocker, blocked)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (blocker, blocked_at DESC, blocked DESC);
CREATE TABLE IF NOT EXISTS membership_log (
  n INTEGER PRIMARY KEY, conv_id TEXT NOT NULL, principal_id TEXT NOT NULL, change TEXT NOT NULL, by_principal TEXT NOT NULL,
  ts INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS membership_log_by_conv ON membership_log (conv_id, ts, n);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, principal_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  generation INTEGER NOT NULL, rotated_at INTEGER NOT NULL, keep_until INTEGER NOT NULL,
  revoked_at INTEGER, revoked_reason TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_principal ON sessions (principal_id);
CREATE INDEX IF NOT EXISTS sessions_by_keep ON sessions (keep_until);
CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER);
CREATE TABLE IF NOT EXISTS probes (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shop_usage (shop_id TEXT PRIMARY KEY, bytes INTEGER NOT NULL) WITHOUT ROWID;
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
  { table: "invites", column: "history", definition: "TEXT NOT NULL DEFAULT 'none'" },
  { table: "invites", column: "expires_at", definition: "INTEGER" },
  { table: "invites", column: "dropped", definition: "INTEGER NOT NULL DEFAULT 0" },
  { table: "members", column: "history_from", definition: "INTEGER" },
  { table: "principals", column: "handle_skeleton", definition: "TEXT" },
  { table: "principals", column: "last_ip", definition: "TEXT" },
  // A rotated team key's vouch by the version before it (NULL on version 1).
  { table: "team_keys", column: "prev_sig", definition: "TEXT" },
  // A shop's optional features, JSON (NULL: not set).
  { table: "shops", column: "map_tiles", definition: "TEXT" },
  { table: "shops", column: "media", definition: "TEXT" },
  // The request that queued a webhook event (NULL: none did, or an older gateway queued it).
  { table: "webhook_outbox", column: "request_id", definition: "TEXT" },
];

/** Rebuilds a principals table whose handles are unique across shops (the inline `UNIQUE` cannot be dropped). */
function scopeHandles(db: Database.Database): void {
  const sql = db
    .prepare<[], string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'principals'")
    .pluck()
    .get();
  if (!sql || !/handle TEXT UNIQUE/i.test(sql)) return;
  db.exec(`${PRINCIPALS_TABLE.replace("principals (", "principals_scoped (")};
    INSERT INTO principals_scoped (id, kind, shop_id, external_id, display_name, handle, created_at)
      SELECT id, kind, shop_id, external_id, display_name, handle, created_at FROM principals;
    DROP TABLE principals;
    ALTER TABLE principals_scoped RENAME TO principals;`);
}

/**
 * Fills in the skeleton of every handle stored without one. A handle whose skeleton another
 * handle of its shop already has keeps none (it was allowed before; the next claim of a lookalike
 * is still refused by the first one's skeleton).
 */
function fillSkeletons(db: Database.Database): void {
  const missing = db
    .prepare<[], { id: string; shop_id: string; handle: string }>(
      "SELECT id, shop_id, handle FROM principals WHERE handle IS NOT NULL AND handle_skeleton IS NULL ORDER BY created_at, id",
    )
    .all();
  if (missing.length === 0) return;
  const held = db.prepare<[string, string], number>(
    "SELECT 1 FROM principals WHERE shop_id = ? AND handle_skeleton = ?",
  );
  const set = db.prepare("UPDATE principals SET handle_skeleton = ? WHERE id = ?");
  for (const p of missing) {
    const skeleton = handleSkeleton(p.handle);
    if (!held.get(p.shop_id, skeleton)) set.run(skeleton, p.id);
  }
}

/**
 * Creates what is missing: tables and indexes, then each added column an older
 * file lacks. Idempotent; safe with another process doing the same.
 */
export function migrate(db: Database.Database): void {
  db.exec(SCHEMA);
  db.exec(WEBHOOK_SCHEMA);
  // IMMEDIATE: two processes opening one old file cannot both see a column missing and both add it.
  db.transaction(() => {
    scopeHandles(db);
    for (const { table, column, definition } of ADDED_COLUMNS) {
      const columns = db.pragma(`table_info(${table})`) as { name: string }[];
      if (!columns.some((c) => c.name === column)) {
        db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      }
    }
    fillSkeletons(db);
    db.exec(HANDLE_INDEXES);
  }).immediate();
}
