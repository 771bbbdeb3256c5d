/**
 * The store port: everything the gateway keeps, behind one narrow interface
 * with two adapters (embedded SQLite, MongoDB) that pass one conformance suite
 * (conformance.ts). Adapters receive only primitives and plain objects built by
 * the gateway, never raw request bodies.
 *
 * Stored content is ciphertext envelopes plus the metadata the gateway needs;
 * never message bodies.
 */
import type {
  ConversationInfo,
  ConversationStatus,
  DeviceKeys,
  Envelope,
  EpochCommit,
  InviteInfo,
  InviteStatus,
  KeyBackupEntry,
  MemberRole,
  PrincipalKind,
  StoredMessage,
  StoredNote,
  TeamKeyRecord,
  TeamKeyWrap,
} from "@parley/sdk/protocol";

export interface ShopRecord {
  id: string;
  name: string;
  /** How customer tokens are verified: an Ed25519 public key (JWK JSON or PEM) or an HS256 secret. */
  tokenKey: { alg: "EdDSA"; publicKey: string } | { alg: "HS256"; secret: string };
  /** Storefront origins allowed to embed the widget and open sessions, e.g. `https://shop.example`. */
  allowedOrigins: string[];
  allowGuests: boolean;
  createdAt: number;
}

export interface PrincipalRecord {
  id: string;
  kind: PrincipalKind;
  shopId: string;
  /** The id the principal has outside Parley: the token `sub` for customers, the login for agents; unique per (shopId, kind). */
  externalId: string;
  displayName: string;
  handle?: string;
  createdAt: number;
}

export interface AgentRecord {
  shopId: string;
  login: string;
  principalId: string;
  /** Argon2id PHC string. */
  passwordHash: string;
  role: "admin" | "agent";
}

export interface DeviceRecord extends DeviceKeys {
  principalId: string;
  createdAt: number;
  lastSeenAt: number;
  /**
   * The device's self-signature (base64url) over its record, once it registered
   * one with `device.register`; absent for devices only seen at session start.
   */
  sig?: string;
}

export interface AppendCommitResult {
  /** True when this commit became the new head. */
  accepted: boolean;
  /** The head epoch after the call (the new one, or the one that won). */
  head: number;
}

export interface MemberRecord {
  convId: string;
  principalId: string;
  role: MemberRole;
  joinedAt: number;
  invitedBy?: string;
}

/** What {@link Store.updateConversation} may change. */
export interface ConversationPatch {
  status?: ConversationStatus;
  /** A team member's principal id, or `null` to unassign. */
  assignee?: string | null;
  handover?: boolean;
}

/** A conversation as stored: the per-caller figures (`readUpTo`, `unread`) are derived when it is served. */
export type ConversationRecord = Omit<ConversationInfo, "readUpTo" | "unread">;

/** How far one principal has read one conversation: state, never a message (it moves no seq). */
export interface ReadMarker {
  convId: string;
  principalId: string;
  /** Highest seq read. */
  seq: number;
  /** When it last moved, ms. */
  at: number;
}

/** A principal's read marker in one conversation and what it has not read there. */
export interface UnreadCount {
  readUpTo: number;
  /** Messages with seq in (readUpTo, lastSeq] whose sender is not the principal. */
  unread: number;
}

export interface NewMessage {
  convId: string;
  msgId: string;
  sender: string;
  ts: number;
  envelope: Envelope;
}

export interface AppendResult {
  message: StoredMessage;
  /** True when (convId, msgId) was already stored: the stored message is returned unchanged. */
  duplicate: boolean;
}

export interface Store {
  readonly kind: "embedded" | "mongodb";
  /** Creates tables or indexes; idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip used by the readiness probe; rejects when the store is down. */
  ping(): Promise<void>;

  putShop(shop: ShopRecord): Promise<void>;
  getShop(id: string): Promise<ShopRecord | undefined>;
  /** Every storefront origin any shop allows (for CORS preflights, which name no shop). */
  listAllowedOrigins(): Promise<string[]>;

  /** Returns the principal for (shopId, kind, externalId), creating it with `init` when absent. */
  ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord>;
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  getPrincipals(ids: string[]): Promise<PrincipalRecord[]>;
  /** Exact match only. */
  findPrincipalByHandle(handle: string): Promise<PrincipalRecord | undefined>;
  /** Sets or changes a handle; resolves false when another principal holds it. */
  setHandle(principalId: string, handle: string): Promise<boolean>;
  setDisplayName(principalId: string, displayName: string): Promise<void>;

  putAgent(agent: AgentRecord): Promise<void>;
  getAgent(shopId: string, login: string): Promise<AgentRecord | undefined>;

  /** Inserts or replaces a device (by deviceId within the principal). */
  putDevice(device: DeviceRecord): Promise<void>;
  listDevices(principalId: string): Promise<DeviceRecord[]>;

  createConversation(conv: ConversationRecord): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /**
   * Changes status, assignee (`null` unassigns) or the handover flag and sets
   * `updatedAt`; resolves the updated record. Rejects with
   * {@link StoreNotFoundError} when the conversation does not exist.
   */
  updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord>;
  /** Conversations the principal is a member of, newest activity first. */
  listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]>;
  /** Every conversation of a shop, newest activity first. */
  listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]>;

  /** Adds or re-adds a member; idempotent. */
  addMember(member: MemberRecord): Promise<void>;
  /** Resolves true when a member was removed. */
  removeMember(convId: string, principalId: string): Promise<boolean>;
  getMember(convId: string, principalId: string): Promise<MemberRecord | undefined>;
  listMembers(convId: string): Promise<MemberRecord[]>;

  createInvite(invite: InviteInfo): Promise<void>;
  getInvite(id: string): Promise<InviteInfo | undefined>;
  /**
   * Compare-and-set from `pending`; resolves false when the invite was not pending.
   * `at` (ms) is kept as the invite's `settledAt`.
   */
  settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean>;
  listPendingInvites(invitee: string): Promise<InviteInfo[]>;
  /** Every invite into the conversation, whatever its status: the oldest first, at most `limit`. */
  listInvitesOf(convId: string, limit: number): Promise<InviteInfo[]>;
  /** The pending invite for (convId, invitee), if any. */
  findPendingInvite(convId: string, invitee: string): Promise<InviteInfo | undefined>;

  /**
   * Appends a message: assigns the next seq of its conversation (1, 2, 3... with
   * no gaps) and stores it durably before resolving. Idempotent on
   * (convId, msgId): a second append returns the first message with
   * `duplicate: true`. Also moves the conversation's `lastSeq` and `updatedAt`.
   * Rejects when the conversation does not exist.
   */
  append(message: NewMessage): Promise<AppendResult>;
  /** Newest first: messages with seq < `before` (or the newest when absent), at most `limit`. */
  history(convId: string, before: number | undefined, limit: number): Promise<StoredMessage[]>;
  /** Oldest first: messages with seq > `after`, at most `limit`. */
  since(convId: string, after: number, limit: number): Promise<StoredMessage[]>;

  /**
   * Appends a commit to a conversation's epoch chain: accepted only when its
   * epoch is the conversation's head + 1 (compare-and-set; of two concurrent
   * commits for the same epoch exactly one is accepted, across processes too).
   * On acceptance the conversation's `epoch` becomes `commit.epoch`. A commit
   * stored whose conversation head was not yet moved (a crash between the two
   * writes) is repaired by the next call, so the head never lags forever.
   * Rejects with StoreNotFoundError for an unknown conversation.
   */
  appendCommit(commit: EpochCommit): Promise<AppendCommitResult>;
  /** Commits with epoch > `after`, oldest first, at most `limit`. */
  listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]>;

  /** The shop team's current (highest-version) key record, or version `version` when given. */
  getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined>;
  /**
   * Stores a team key record: accepted only when its version is the current
   * version + 1 (1 for the first), compare-and-set like `appendCommit` (exactly
   * one of concurrent puts for a version wins, across processes too).
   */
  putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }>;
  /** Inserts or replaces the wrap for (shopId, version, deviceId). */
  putTeamWrap(wrap: TeamKeyWrap): Promise<void>;
  /** Wraps of one team key version, optionally only those of one principal's devices. */
  listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]>;
  /** Every agent and bot principal of a shop. */
  listTeam(shopId: string): Promise<PrincipalRecord[]>;

  /**
   * Stores a principal's sealed epoch keys (ADR 0016), inserting or replacing
   * each by (principalId, convId, epoch); an entry never replaces one of a
   * higher secret version `v` (it is then dropped). SQLite writes them in one
   * transaction; MongoDB one by one (each write is idempotent, so a put cut
   * off by an outage is completed by the client's retry). The gateway checked
   * the principal may hold them; the store keeps the ciphertext as given.
   */
  putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void>;
  /** The principal's entries of one conversation with epoch > `after`, epoch ascending, at most `limit`. */
  listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]>;

  /**
   * Moves the (convId, principalId) read marker up to `marker.seq`; never down
   * (a lower or equal seq leaves it as it was). Resolves with the marker after
   * the call and whether it moved. The caller checks the seq against the head.
   */
  setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }>;
  /** Every read marker of a conversation, by principal id. */
  readMarkers(convId: string): Promise<ReadMarker[]>;
  /**
   * Stores an internal note of the shop's team, once per (convId, id): a repeat
   * resolves the stored note with `duplicate: true`.
   */
  addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }>;
  /** The newest `limit` notes of a conversation, oldest first. */
  listNotes(convId: string, limit: number): Promise<StoredNote[]>;
  /**
   * The principal's marker and unread count in each conversation given (keyed by
   * id), counting messages up to each `lastSeq`: `lastSeq - readUpTo` less the
   * principal's own messages in that range (seqs are gapless), so the cost is an
   * index range count over the principal's own recent messages, not a scan of
   * the unread ones. Conversations the principal never marked have readUpTo 0.
   */
  unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>>;

  /**
   * Records a token id as used until `expiresAt` (ms). Resolves true the first
   * time, false on every later call with the same (issuer, jti): replay.
   */
  consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean>;
}

/** Thrown by adapters for a conversation that does not exist. */
export class StoreNotFoundError extends Error {
  override readonly name = "StoreNotFoundError";
}

/** Thrown when the store cannot be reached; the gateway answers `unavailable`. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}
