/**
 * The embedded store: SQLite through better-sqlite3, used when no MongoDB is
 * configured. One file, WAL journal with `synchronous = FULL` so a write is on
 * disk before the gateway acknowledges it, and every statement prepared once
 * (statements.ts; tables in schema.ts, rows in rows.ts).
 *
 * Message appends, the hot write, are committed by a writer thread with its own
 * connection (writer.ts), so their fsync does not block the event loop.
 * Everything else runs on this thread's connection, in one module per group of
 * aggregates (directory.ts, conversations.ts, messages.ts, keys.ts) that this
 * class puts behind the port: better-sqlite3 is synchronous, and the methods
 * are `async` only to fit the port (and so every failure surfaces as a
 * rejection).
 */
import type {
  EpochCommit,
  InviteStatus,
  KeyBackupEntry,
  StoredMessage,
  StoredNote,
  TeamKeyRecord,
  TeamKeyWrap,
} from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import type {
  AgentRecord,
  AppendCommitResult,
  AppendResult,
  BlockRecord,
  ConversationPatch,
  ConversationRecord,
  DeviceRecord,
  InviteRecord,
  LimitRule,
  MemberRecord,
  NewMessage,
  NoteCursor,
  PrincipalRecord,
  ReadMarker,
  SetHandleResult,
  SharedLimiter,
  ShopRecord,
  Store,
  UnreadCount,
} from "../port.js";
import { SqliteBlocks } from "./blocks.js";
import { SqliteConversations } from "./conversations.js";
import { SqliteDirectory } from "./directory.js";
import { isBusy } from "./errors.js";
import { SqliteKeys } from "./keys.js";
import { SqliteLimiter } from "./limits.js";
import { SqliteMembershipLog } from "./membership-log.js";
import { SqliteMessages } from "./messages.js";
import { type ParsedOptions, parseOptions, type SqliteStoreOptions } from "./options.js";
import { migrate } from "./schema.js";
import { SqliteSessions } from "./sessions.js";
import { prepare, type SqliteContext, type Statements } from "./statements.js";
import { SqliteUsage } from "./usage.js";
import { SqliteWriter } from "./writer.js";

export type { SqliteStoreOptions } from "./options.js";

export class SqliteStore implements Store {
  readonly kind = "embedded";
  readonly #db: Database.Database;
  readonly #options: ParsedOptions;
  #stmts: Statements | undefined;
  #initializing: Promise<void> | undefined;
  /** Commits the appends (see `append`); started by `init()`. */
  #writer: SqliteWriter | undefined;
  #closing: Promise<void> | undefined;
  readonly #directory: SqliteDirectory;
  readonly #conversations: SqliteConversations;
  readonly #messages: SqliteMessages;
  readonly #keys: SqliteKeys;
  readonly #blocks: SqliteBlocks;
  readonly #log: SqliteMembershipLog;
  readonly #sessions: SqliteSessions;
  readonly #usage: SqliteUsage;

  constructor(options: SqliteStoreOptions) {
    this.#options = parseOptions(options);
    const { path, busyTimeoutMs } = this.#options;
    this.#db = new Database(path, { timeout: busyTimeoutMs });
    this.#db.pragma("journal_mode = WAL");
    // FULL, here and on the writer thread's connection: each commit is fsynced before the write is
    // acknowledged (NORMAL may lose the last commits on power loss).
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = OFF");
    const store = this;
    const context: SqliteContext = {
      db: this.#db,
      get s() {
        return store.#s;
      },
      write: (run) => this.#write(run),
    };
    this.#directory = new SqliteDirectory(context);
    this.#conversations = new SqliteConversations(context);
    this.#messages = new SqliteMessages(context);
    this.#keys = new SqliteKeys(context);
    this.#blocks = new SqliteBlocks(context);
    this.#log = new SqliteMembershipLog(context);
    this.#sessions = new SqliteSessions(context);
    this.#usage = new SqliteUsage(context);
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

  get #s(): Statements {
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
    migrate(this.#db);
    const s = prepare(this.#db);
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

  putShop(shop: ShopRecord): Promise<void> {
    return this.#directory.putShop(shop);
  }

  getShop(id: string): Promise<ShopRecord | undefined> {
    return this.#directory.getShop(id);
  }

  listAllowedOrigins(): Promise<string[]> {
    return this.#directory.listAllowedOrigins();
  }

  ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord> {
    return this.#directory.ensurePrincipal(init);
  }

  getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    return this.#directory.getPrincipal(id);
  }

  getPrincipals(ids: string[]): Promise<PrincipalRecord[]> {
    return this.#directory.getPrincipals(ids);
  }

  findPrincipalByHandle(shopId: string, handle: string): Promise<PrincipalRecord | undefined> {
    return this.#directory.findPrincipalByHandle(shopId, handle);
  }

  findPrincipalBySkeleton(shopId: string, skeleton: string): Promise<PrincipalRecord | undefined> {
    return this.#directory.findPrincipalBySkeleton(shopId, skeleton);
  }

  setHandle(principalId: string, handle: string, skeleton: string): Promise<SetHandleResult> {
    return this.#directory.setHandle(principalId, handle, skeleton);
  }

  setLastIp(principalId: string, ip: string): Promise<void> {
    return this.#directory.setLastIp(principalId, ip);
  }

  /** A budget counted in this file's `rate_limits` table, shared by every process on it (limits.ts). */
  sharedLimiter(name: string, rule: LimitRule): SharedLimiter {
    return new SqliteLimiter({ db: this.#db, name, rule, busyTimeoutMs: this.#options.busyTimeoutMs });
  }

  addShopBytes(shopId: string, bytes: number): Promise<number> {
    return this.#usage.addShopBytes(shopId, bytes);
  }

  shopBytes(shopId: string): Promise<number> {
    return this.#usage.shopBytes(shopId);
  }

  setDisplayName(principalId: string, displayName: string): Promise<void> {
    return this.#directory.setDisplayName(principalId, displayName);
  }

  listTeam(shopId: string): Promise<PrincipalRecord[]> {
    return this.#directory.listTeam(shopId);
  }

  putAgent(agent: AgentRecord): Promise<void> {
    return this.#directory.putAgent(agent);
  }

  getAgent(shopId: string, login: string): Promise<AgentRecord | undefined> {
    return this.#directory.getAgent(shopId, login);
  }

  readonly removeAgent: Store["removeAgent"] = (shopId, login) => this.#directory.removeAgent(shopId, login);

  putDevice(device: DeviceRecord): Promise<void> {
    return this.#directory.putDevice(device);
  }

  listDevices(principalId: string): Promise<DeviceRecord[]> {
    return this.#directory.listDevices(principalId);
  }

  deviceOwners(deviceId: string): Promise<string[]> {
    return this.#directory.deviceOwners(deviceId);
  }

  deleteDevice(principalId: string, deviceId: string): Promise<void> {
    return this.#directory.deleteDevice(principalId, deviceId);
  }

  consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    return this.#directory.consumeTokenId(issuer, jti, expiresAt);
  }

  readonly createSession: Store["createSession"] = (session) => this.#sessions.createSession(session);
  readonly getSession: Store["getSession"] = (id) => this.#sessions.getSession(id);
  readonly rotateSession: Store["rotateSession"] = (id, from, at, keep) =>
    this.#sessions.rotateSession(id, from, at, keep);
  readonly revokeSession: Store["revokeSession"] = (id, at, why) => this.#sessions.revokeSession(id, at, why);
  readonly revokeSessionsOf: Store["revokeSessionsOf"] = (p, at, why) => this.#sessions.revokeSessionsOf(p, at, why);

  createConversation(conv: ConversationRecord): Promise<void> {
    return this.#conversations.createConversation(conv);
  }

  getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.#conversations.getConversation(id);
  }

  updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord> {
    return this.#conversations.updateConversation(id, patch, at);
  }

  listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#conversations.listConversationsOf(principalId, limit);
  }

  listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#conversations.listConversationsOfShop(shopId, limit);
  }

  addMember(member: MemberRecord): Promise<void> {
    return this.#conversations.addMember(member);
  }

  removeMember(convId: string, principalId: string): Promise<boolean> {
    return this.#conversations.removeMember(convId, principalId);
  }

  getMember(convId: string, principalId: string): Promise<MemberRecord | undefined> {
    return this.#conversations.getMember(convId, principalId);
  }

  listMembers(convId: string): Promise<MemberRecord[]> {
    return this.#conversations.listMembers(convId);
  }

  createInvite(invite: InviteRecord): Promise<void> {
    return this.#conversations.createInvite(invite);
  }

  getInvite(id: string): Promise<InviteRecord | undefined> {
    return this.#conversations.getInvite(id);
  }

  settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean> {
    return this.#conversations.settleInvite(id, status, at);
  }

  listPendingInvites(invitee: string, limit: number): Promise<InviteRecord[]> {
    return this.#conversations.listPendingInvites(invitee, limit);
  }

  listInvitesOf(convId: string, limit: number, invitee?: string): Promise<InviteRecord[]> {
    return this.#conversations.listInvitesOf(convId, limit, invitee);
  }

  findPendingInvite(convId: string, invitee: string): Promise<InviteRecord | undefined> {
    return this.#conversations.findPendingInvite(convId, invitee);
  }

  lastDeclined(convId: string, inviter: string, invitee: string): Promise<InviteRecord | undefined> {
    return this.#conversations.lastDeclined(convId, inviter, invitee);
  }

  putBlock(block: BlockRecord): Promise<void> {
    return this.#blocks.putBlock(block);
  }

  removeBlock(blocker: string, blocked: string): Promise<boolean> {
    return this.#blocks.removeBlock(blocker, blocked);
  }

  isBlocked(blocker: string, blocked: string): Promise<boolean> {
    return this.#blocks.isBlocked(blocker, blocked);
  }

  listBlocks(blocker: string, limit: number): Promise<BlockRecord[]> {
    return this.#blocks.listBlocks(blocker, limit);
  }

  readonly appendMembershipEvent: Store["appendMembershipEvent"] = (e) => this.#log.appendMembershipEvent(e);
  readonly listMembershipEvents: Store["listMembershipEvents"] = (c, n) => this.#log.listMembershipEvents(c, n);
  readonly pastOrPresentMembers: Store["pastOrPresentMembers"] = (c, p) => this.#log.pastOrPresentMembers(c, p);

  history(convId: string, before: number | undefined, limit: number, fromTs?: number): Promise<StoredMessage[]> {
    return this.#messages.history(convId, before, limit, fromTs);
  }

  since(convId: string, after: number, limit: number, fromTs?: number): Promise<StoredMessage[]> {
    return this.#messages.since(convId, after, limit, fromTs);
  }

  setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }> {
    return this.#messages.setReadMarker(marker);
  }

  readMarkers(convId: string): Promise<ReadMarker[]> {
    return this.#messages.readMarkers(convId);
  }

  unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>> {
    return this.#messages.unreadCounts(principalId, conversations);
  }

  addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }> {
    return this.#messages.addNote(note);
  }

  listNotes(convId: string, limit: number, before?: NoteCursor): Promise<StoredNote[]> {
    return this.#messages.listNotes(convId, limit, before);
  }

  appendCommit(commit: EpochCommit): Promise<AppendCommitResult> {
    return this.#keys.appendCommit(commit);
  }

  listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]> {
    return this.#keys.listCommits(convId, after, limit);
  }

  getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined> {
    return this.#keys.getTeamKey(shopId, version);
  }

  putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }> {
    return this.#keys.putTeamKey(record);
  }

  putTeamWrap(wrap: TeamKeyWrap): Promise<void> {
    return this.#keys.putTeamWrap(wrap);
  }

  listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]> {
    return this.#keys.listTeamWraps(shopId, version, principalId);
  }

  putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void> {
    return this.#keys.putKeyBackups(principalId, entries);
  }

  listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]> {
    return this.#keys.listKeyBackups(principalId, convId, after, limit);
  }
}
