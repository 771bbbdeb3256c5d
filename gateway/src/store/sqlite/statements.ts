/** Every statement of the embedded store's main-thread connection, prepared once in `init()`. */
import type Database from "better-sqlite3";
import type {
  AgentRow,
  BlockRow,
  ConversationRow,
  DeviceRow,
  InviteRow,
  MemberRow,
  MembershipRow,
  MessageRow,
  NoteRow,
  PrincipalRow,
  SessionRow,
  ShopRow,
  TeamKeyRow,
  TeamWrapRow,
} from "./rows.js";
import type { SendContextCache } from "./send-context.js";

/** The prepared statements, by name. */
export type Statements = ReturnType<typeof prepare>;

/**
 * A prepared statement of this connection whose rows are `R`: a name of its
 * own, so the declaration build can spell the statements' types.
 */
export interface Statement<R = unknown> extends Database.Statement<unknown[], R> {}

/** Every statement, prepared once in `init()`. */
export function prepare(db: Database.Database) {
  const q = <R>(sql: string): Statement<R> => db.prepare<unknown[], R>(sql);
  return {
    ping: q<number>("SELECT 1").pluck(),
    putShop: q(`INSERT INTO shops (id, name, token_key, allowed_origins, allow_guests, created_at, map_tiles, media)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,
      token_key = excluded.token_key, allowed_origins = excluded.allowed_origins,
      allow_guests = excluded.allow_guests, created_at = excluded.created_at,
      map_tiles = excluded.map_tiles, media = excluded.media`),
    getShop: q<ShopRow>("SELECT * FROM shops WHERE id = ?"),
    listShops: q<ShopRow>("SELECT * FROM shops ORDER BY id"),
    insertProbe: q("INSERT INTO probes (id, at) VALUES (?, ?)"),
    getProbe: q<number>("SELECT at FROM probes WHERE id = ?").pluck(),
    deleteProbe: q("DELETE FROM probes WHERE id = ?"),
    allowedOrigins: q<string>(
      "SELECT DISTINCT o.value FROM shops, json_each(shops.allowed_origins) AS o ORDER BY o.value",
    ).pluck(),
    insertPrincipal: q(`INSERT INTO principals (id, kind, shop_id, external_id, display_name, handle, created_at,
      handle_skeleton, last_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, kind, external_id) DO NOTHING`),
    principalByExternal: q<PrincipalRow>("SELECT * FROM principals WHERE shop_id = ? AND kind = ? AND external_id = ?"),
    getPrincipal: q<PrincipalRow>("SELECT * FROM principals WHERE id = ?"),
    getPrincipals: q<PrincipalRow>("SELECT * FROM principals WHERE id IN (SELECT value FROM json_each(?))"),
    principalByHandle: q<PrincipalRow>("SELECT * FROM principals WHERE shop_id = ? AND handle = ?"),
    principalBySkeleton: q<PrincipalRow>("SELECT * FROM principals WHERE shop_id = ? AND handle_skeleton = ?"),
    setHandle: q("UPDATE principals SET handle = ?, handle_skeleton = ? WHERE id = ?"),
    setLastIp: q("UPDATE principals SET last_ip = ? WHERE id = ?"),
    setDisplayName: q("UPDATE principals SET display_name = ? WHERE id = ?"),
    putAgent: q(`INSERT INTO agents VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id, login) DO UPDATE SET
      principal_id = excluded.principal_id, password_hash = excluded.password_hash, role = excluded.role`),
    getAgent: q<AgentRow>("SELECT * FROM agents WHERE shop_id = ? AND login = ?"),
    removeAgent: q("DELETE FROM agents WHERE shop_id = ? AND login = ?"),
    // Columns named: a migrated file has the added columns last, a new one in schema order.
    putDevice: q(`INSERT INTO devices (principal_id, device_id, sig_pk, box_pk, created_at, last_seen_at, sig)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (principal_id, device_id) DO UPDATE SET
      sig_pk = excluded.sig_pk, box_pk = excluded.box_pk, created_at = excluded.created_at,
      last_seen_at = excluded.last_seen_at, sig = excluded.sig`),
    listDevices: q<DeviceRow>("SELECT * FROM devices WHERE principal_id = ? ORDER BY created_at, device_id"),
    deviceOwners: q<{ principal_id: string }>("SELECT principal_id FROM devices WHERE device_id = ?"),
    deleteDevice: q("DELETE FROM devices WHERE principal_id = ? AND device_id = ?"),
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
    addMember: q(`INSERT INTO members (conv_id, principal_id, role, joined_at, invited_by, history_from)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conv_id, principal_id) DO UPDATE SET role = excluded.role,
      joined_at = excluded.joined_at, invited_by = excluded.invited_by, history_from = excluded.history_from`),
    removeMember: q("DELETE FROM members WHERE conv_id = ? AND principal_id = ?"),
    getMember: q<MemberRow>("SELECT * FROM members WHERE conv_id = ? AND principal_id = ?"),
    listMembers: q<MemberRow>("SELECT * FROM members WHERE conv_id = ? ORDER BY joined_at, principal_id"),
    createInvite: q(`INSERT INTO invites
      (id, conv_id, shop_id, inviter, inviter_name, invitee, status, history, created_at, expires_at, dropped)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    lastDeclined: q<InviteRow>(`SELECT * FROM invites WHERE conv_id = ? AND inviter = ? AND invitee = ?
      AND status = 'declined' ORDER BY settled_at DESC, created_at DESC LIMIT 1`),
    putBlock: q(`INSERT INTO blocks (blocker, blocked, blocked_at) VALUES (?, ?, ?)
      ON CONFLICT (blocker, blocked) DO UPDATE SET blocked_at = excluded.blocked_at`),
    removeBlock: q("DELETE FROM blocks WHERE blocker = ? AND blocked = ?"),
    isBlocked: q<number>("SELECT 1 FROM blocks WHERE blocker = ? AND blocked = ?").pluck(),
    listBlocks: q<BlockRow>("SELECT * FROM blocks WHERE blocker = ? ORDER BY blocked_at DESC, blocked DESC LIMIT ?"),
    appendMembership: q(
      "INSERT INTO membership_log (conv_id, principal_id, change, by_principal, ts) VALUES (?, ?, ?, ?, ?)",
    ),
    // The newest `limit` (by time, then append order), read back oldest first.
    // Both sides bound by the caller; each list is one JSON array parameter (json_each), used by both halves.
    pastOrPresentMembers:
      q<string>(`WITH c AS (SELECT value FROM json_each(@convs)), p AS (SELECT value FROM json_each(@people))
      SELECT principal_id FROM members WHERE conv_id IN c AND principal_id IN p
      UNION SELECT principal_id FROM membership_log WHERE conv_id IN c AND principal_id IN p`).pluck(),
    listMembership: q<MembershipRow>(`SELECT * FROM (SELECT * FROM membership_log WHERE conv_id = ?
      ORDER BY ts DESC, n DESC LIMIT ?) ORDER BY ts, n`),
    getInvite: q<InviteRow>("SELECT * FROM invites WHERE id = ?"),
    settleInvite: q("UPDATE invites SET status = ?, settled_at = ? WHERE id = ? AND status = 'pending'"),
    invitesOf: q<InviteRow>(`SELECT * FROM (SELECT * FROM invites WHERE conv_id = ?
      ORDER BY created_at DESC, id DESC LIMIT ?) ORDER BY created_at, id`),
    invitesOfTo: q<InviteRow>(`SELECT * FROM (SELECT * FROM invites WHERE conv_id = ? AND invitee = ?
      ORDER BY created_at DESC, id DESC LIMIT ?) ORDER BY created_at, id`),
    pendingInvites: q<InviteRow>(
      "SELECT * FROM invites WHERE invitee = ? AND status = 'pending' AND dropped = 0 ORDER BY created_at DESC, id DESC LIMIT ?",
    ),
    pendingInvite: q<InviteRow>(
      "SELECT * FROM invites WHERE conv_id = ? AND invitee = ? AND status = 'pending' ORDER BY created_at DESC LIMIT 1",
    ),
    // Appends: the writer thread (writer-thread.js) prepares and runs those statements.
    history: q<MessageRow>(
      "SELECT * FROM messages WHERE conv_id = ? AND seq < ? AND ts >= ? ORDER BY seq DESC LIMIT ?",
    ),
    since: q<MessageRow>("SELECT * FROM messages WHERE conv_id = ? AND seq > ? AND ts >= ? ORDER BY seq LIMIT ?"),
    convEpoch: q<number>("SELECT epoch FROM conversations WHERE id = ?").pluck(),
    maxCommitEpoch: q<number | null>("SELECT MAX(epoch) FROM commits WHERE conv_id = ?").pluck(),
    raiseEpoch: q("UPDATE conversations SET epoch = MAX(epoch, ?) WHERE id = ?"),
    insertCommit: q("INSERT INTO commits (conv_id, epoch, body) VALUES (?, ?, ?)"),
    listCommits: q<string>("SELECT body FROM commits WHERE conv_id = ? AND epoch > ? ORDER BY epoch LIMIT ?").pluck(),
    teamKey: q<TeamKeyRow>("SELECT * FROM team_keys WHERE shop_id = ? ORDER BY version DESC LIMIT 1"),
    teamKeyVersion: q<TeamKeyRow>("SELECT * FROM team_keys WHERE shop_id = ? AND version = ?"),
    teamVersion: q<number | null>("SELECT MAX(version) FROM team_keys WHERE shop_id = ?").pluck(),
    insertTeamKey: q(`INSERT INTO team_keys (shop_id, version, box_pk, sig_pk, created_by_principal,
      created_by_device, ts, sig, prev_sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
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
    listNotesBefore: q<NoteRow>(
      "SELECT * FROM notes WHERE conv_id = ? AND (ts < ? OR (ts = ? AND id < ?)) ORDER BY ts DESC, id DESC LIMIT ?",
    ),
    readMarkers: q<{ conv_id: string; principal_id: string; seq: number; at: number }>(
      "SELECT * FROM read_markers WHERE conv_id = ? ORDER BY principal_id",
    ),
    ownMessagesBetween: q<number>(
      "SELECT COUNT(*) FROM messages WHERE conv_id = ? AND sender = ? AND seq > ? AND seq <= ?",
    ).pluck(),
    deleteExpiredTokens: q("DELETE FROM token_ids WHERE expires_at <= ?"),
    insertToken: q("INSERT INTO token_ids VALUES (?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING"),
    insertSession: q(`INSERT INTO sessions (id, principal_id, created_at, expires_at, generation, rotated_at,
      keep_until) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    getSession: q<SessionRow>("SELECT * FROM sessions WHERE id = ?"),
    // The compare-and-set of a refresh: one writer moves a generation on.
    rotateSession: q(`UPDATE sessions SET generation = generation + 1, rotated_at = ?,
      keep_until = MAX(keep_until, ?) WHERE id = ? AND generation = ? AND revoked_at IS NULL`),
    revokeSession: q("UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL"),
    revokeSessionsOf: q(
      "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE principal_id = ? AND revoked_at IS NULL",
    ),
    deleteOldSessions: q("DELETE FROM sessions WHERE keep_until < ?"),
  };
}

/**
 * What the aggregates of the embedded store share: the prepared statements
 * (rejecting before `init()`) and the write path that waits on timers while
 * another connection holds the write lock.
 */
export interface SqliteContext {
  readonly db: Database.Database;
  /** Throws "call init() first" until the statements are prepared. */
  readonly s: Statements;
  write<T>(run: () => T): Promise<T>;
  /**
   * The send context in memory (send-context.ts), with `exclusive` only. Every
   * write to conversations, members or team keys updates it inside its `write`
   * callback, in the same turn as the statement.
   */
  readonly cache: SendContextCache | undefined;
}
