/**
 * The embedded store's tables and indexes, and the columns added since the
 * first release (an existing file is brought up to date by `migrate`).
 */
import type Database from "better-sqlite3";

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
CREATE TABLE IF NOT EXISTS blocks (
  blocker TEXT NOT NULL, blocked TEXT NOT NULL, blocked_at INTEGER NOT NULL, PRIMARY KEY (blocker, blocked)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (blocker, blocked_at DESC, blocked DESC);
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
];

/**
 * Creates what is missing: tables and indexes, then each added column an older
 * file lacks. Idempotent; safe with another process doing the same.
 */
export function migrate(db: Database.Database): void {
  db.exec(SCHEMA);
  // IMMEDIATE: two processes opening one old file cannot both see a column missing and both add it.
  db.transaction(() => {
    for (const { table, column, definition } of ADDED_COLUMNS) {
      const columns = db.pragma(`table_info(${table})`) as { name: string }[];
      if (!columns.some((c) => c.name === column)) {
        db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      }
    }
  }).immediate();
}
