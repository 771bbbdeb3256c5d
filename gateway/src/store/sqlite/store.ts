/**
 * The embedded store: SQLite through better-sqlite3, used when no MongoDB is
 * configured. One file, WAL journal with `synchronous = FULL` so a write is on
 * disk before the gateway acknowledges it, and every statement prepared once
 * (statements.ts; tables in schema.ts, rows in rows.ts).
 *
 * Message appends, the hot write, are committed by a writer thread with its own
 * connection (writer.ts), so their fsync does not block the event loop; the
 * shared limiters' points and the storage counters ride in the same batches.
 * Everything else runs on this thread's connection, in one module per group of
 * aggregates (directory.ts, conversations.ts, messages.ts, keys.ts) that this
 * class puts behind the port: better-sqlite3 is synchronous, and the methods
 * are `async` only to fit the port (and so every failure surfaces as a
 * rejection).
 *
 * With `exclusive` (the gateway's own store, one process on the file) the
 * send path's reads (conversation, members, team key) are served from memory
 * and kept exact by this store's writes (send-context.ts, ADR 0051).
 */
import { randomUUID } from "node:crypto";
import type { StoredNote, TeamKeyRecord } from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import type { AppendResult, LimitRule, NewMessage, ReadMarker, SharedLimiter, Store } from "../port.js";
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
import { SendContextCache } from "./send-context.js";
import { SqliteSessions } from "./sessions.js";
import { prepare, type SqliteContext, type Statements } from "./statements.js";
import { SqliteUsage } from "./usage.js";
import { SqliteWebhooks } from "./webhooks.js";
import { SqliteWriter, type WriterOp } from "./writer.js";

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
  readonly #webhooks: SqliteWebhooks;
  /** Conversations, members and team keys in memory, with `exclusive` only (send-context.ts, ADR 0051). */
  readonly #cache: SendContextCache | undefined;

  constructor(options: SqliteStoreOptions) {
    this.#options = parseOptions(options);
    const { path, busyTimeoutMs } = this.#options;
    this.#db = new Database(path, { timeout: busyTimeoutMs });
    this.#db.pragma("journal_mode = WAL");
    // FULL, here and on the writer thread's connection: each commit is fsynced before the write is
    // acknowledged (NORMAL may lose the last commits on power loss).
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = OFF");
    const { exclusive, cachedConversations } = this.#options;
    this.#cache = exclusive
      ? new SendContextCache({
          maxConversations: cachedConversations,
          maxShops: Math.max(1, Math.ceil(cachedConversations / 10)),
        })
      : undefined;
    const store = this;
    const context: SqliteContext = {
      db: this.#db,
      get s() {
        return store.#s;
      },
      write: (run) => this.#write(run),
      cache: this.#cache,
    };
    this.#directory = new SqliteDirectory(context);
    this.#conversations = new SqliteConversations(context);
    this.#messages = new SqliteMessages(context);
    this.#keys = new SqliteKeys(context);
    this.#blocks = new SqliteBlocks(context);
    this.#log = new SqliteMembershipLog(context);
    this.#sessions = new SqliteSessions(context);
    this.#usage = new SqliteUsage(context, (op) => this.#run(op));
    this.#webhooks = new SqliteWebhooks(context);
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

  /** What the send context holds (`exclusive` only; undefined without it): for tests and metrics. */
  get sendContextSize(): { conversations: number; shops: number } | undefined {
    const cache = this.#cache;
    return cache && { conversations: cache.conversations, shops: cache.shops };
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
    const cache = this.#cache;
    this.#writer = await SqliteWriter.start({
      path,
      busyTimeoutMs,
      failpoints,
      onStored: cache && ((convId, seq, ts) => cache.appended(convId, seq, ts)),
      onUncertain: cache && (() => cache.clear()),
    });
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

  async probeWrite(): Promise<void> {
    const id = `probe-${process.pid}-${randomUUID()}`;
    const at = Date.now();
    await this.#write(() => this.#s.insertProbe.run(id, at));
    if (this.#s.getProbe.get(id) !== at) throw new Error("the probe row did not read back");
    await this.#write(() => this.#s.deleteProbe.run(id));
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

  /** The writer thread's batches and the appends in them so far (writer.ts `stats`); zeros before `init()`. */
  get writerStats(): { batches: number; appends: number } {
    return this.#writer?.stats() ?? { batches: 0, appends: 0 };
  }

  readonly putShop: Store["putShop"] = (shop) => this.#directory.putShop(shop);

  readonly getShop: Store["getShop"] = (id) => this.#directory.getShop(id);

  readonly listShops: Store["listShops"] = () => this.#directory.listShops();

  readonly listAllowedOrigins: Store["listAllowedOrigins"] = () => this.#directory.listAllowedOrigins();

  readonly ensurePrincipal: Store["ensurePrincipal"] = (init) => this.#directory.ensurePrincipal(init);

  readonly getPrincipal: Store["getPrincipal"] = (id) => this.#directory.getPrincipal(id);

  readonly getPrincipals: Store["getPrincipals"] = (ids) => this.#directory.getPrincipals(ids);

  readonly findPrincipalByHandle: Store["findPrincipalByHandle"] = (shopId, handle) =>
    this.#directory.findPrincipalByHandle(shopId, handle);

  readonly findPrincipalBySkeleton: Store["findPrincipalBySkeleton"] = (shopId, skeleton) =>
    this.#directory.findPrincipalBySkeleton(shopId, skeleton);

  readonly setHandle: Store["setHandle"] = (principalId, handle, skeleton) =>
    this.#directory.setHandle(principalId, handle, skeleton);

  readonly setLastIp: Store["setLastIp"] = (principalId, ip) => this.#directory.setLastIp(principalId, ip);

  /**
   * A budget counted in this file's `rate_limits` table, shared by every process on it, its points
   * written in the writer thread's batches (limits.ts).
   */
  sharedLimiter(name: string, rule: LimitRule): SharedLimiter {
    return new SqliteLimiter({ run: (op) => this.#run(op), name, rule });
  }

  /** One small write in the writer thread's next batch (writer.ts `WriterOp`). */
  #run(op: WriterOp): Promise<unknown> {
    if (this.#closing) return Promise.reject(new Error("SqliteStore is closed"));
    if (!this.#writer) return Promise.reject(new Error("SqliteStore: call init() first"));
    return this.#writer.run(op);
  }

  readonly addShopBytes: Store["addShopBytes"] = (shopId, bytes) => this.#usage.addShopBytes(shopId, bytes);

  readonly shopBytes: Store["shopBytes"] = (shopId) => this.#usage.shopBytes(shopId);

  readonly setDisplayName: Store["setDisplayName"] = (principalId, displayName) =>
    this.#directory.setDisplayName(principalId, displayName);

  readonly listTeam: Store["listTeam"] = (shopId) => this.#directory.listTeam(shopId);

  readonly putAgent: Store["putAgent"] = (agent) => this.#directory.putAgent(agent);

  readonly getAgent: Store["getAgent"] = (shopId, login) => this.#directory.getAgent(shopId, login);

  readonly removeAgent: Store["removeAgent"] = (shopId, login) => this.#directory.removeAgent(shopId, login);

  readonly putDevice: Store["putDevice"] = (device) => this.#directory.putDevice(device);

  readonly listDevices: Store["listDevices"] = (principalId) => this.#directory.listDevices(principalId);

  readonly deviceOwners: Store["deviceOwners"] = (deviceId) => this.#directory.deviceOwners(deviceId);

  readonly deleteDevice: Store["deleteDevice"] = (principalId, deviceId) =>
    this.#directory.deleteDevice(principalId, deviceId);

  readonly consumeTokenId: Store["consumeTokenId"] = (issuer, jti, expiresAt) =>
    this.#directory.consumeTokenId(issuer, jti, expiresAt);

  readonly createSession: Store["createSession"] = (session) => this.#sessions.createSession(session);
  readonly getSession: Store["getSession"] = (id) => this.#sessions.getSession(id);
  readonly rotateSession: Store["rotateSession"] = (id, from, at, keep) =>
    this.#sessions.rotateSession(id, from, at, keep);
  readonly revokeSession: Store["revokeSession"] = (id, at, why) => this.#sessions.revokeSession(id, at, why);
  readonly revokeSessionsOf: Store["revokeSessionsOf"] = (p, at, why) => this.#sessions.revokeSessionsOf(p, at, why);

  readonly createConversation: Store["createConversation"] = (conv) => this.#conversations.createConversation(conv);

  readonly getConversation: Store["getConversation"] = (id) => this.#conversations.getConversation(id);

  readonly updateConversation: Store["updateConversation"] = (id, patch, at) =>
    this.#conversations.updateConversation(id, patch, at);

  readonly listConversationsOf: Store["listConversationsOf"] = (principalId, limit) =>
    this.#conversations.listConversationsOf(principalId, limit);

  readonly listConversationsOfShop: Store["listConversationsOfShop"] = (shopId, limit) =>
    this.#conversations.listConversationsOfShop(shopId, limit);

  readonly addMember: Store["addMember"] = (member) => this.#conversations.addMember(member);

  readonly removeMember: Store["removeMember"] = (convId, principalId) =>
    this.#conversations.removeMember(convId, principalId);

  readonly getMember: Store["getMember"] = (convId, principalId) => this.#conversations.getMember(convId, principalId);

  readonly listMembers: Store["listMembers"] = (convId) => this.#conversations.listMembers(convId);

  readonly createInvite: Store["createInvite"] = (invite) => this.#conversations.createInvite(invite);

  readonly getInvite: Store["getInvite"] = (id) => this.#conversations.getInvite(id);

  readonly settleInvite: Store["settleInvite"] = (id, status, at) => this.#conversations.settleInvite(id, status, at);

  readonly listPendingInvites: Store["listPendingInvites"] = (invitee, limit) =>
    this.#conversations.listPendingInvites(invitee, limit);

  readonly listInvitesOf: Store["listInvitesOf"] = (convId, limit, invitee) =>
    this.#conversations.listInvitesOf(convId, limit, invitee);

  readonly findPendingInvite: Store["findPendingInvite"] = (convId, invitee) =>
    this.#conversations.findPendingInvite(convId, invitee);

  readonly lastDeclined: Store["lastDeclined"] = (convId, inviter, invitee) =>
    this.#conversations.lastDeclined(convId, inviter, invitee);

  readonly putBlock: Store["putBlock"] = (block) => this.#blocks.putBlock(block);

  readonly removeBlock: Store["removeBlock"] = (blocker, blocked) => this.#blocks.removeBlock(blocker, blocked);

  readonly isBlocked: Store["isBlocked"] = (blocker, blocked) => this.#blocks.isBlocked(blocker, blocked);

  readonly listBlocks: Store["listBlocks"] = (blocker, limit) => this.#blocks.listBlocks(blocker, limit);

  readonly appendMembershipEvent: Store["appendMembershipEvent"] = (e) => this.#log.appendMembershipEvent(e);
  readonly listMembershipEvents: Store["listMembershipEvents"] = (c, n) => this.#log.listMembershipEvents(c, n);
  readonly pastOrPresentMembers: Store["pastOrPresentMembers"] = (c, p) => this.#log.pastOrPresentMembers(c, p);

  readonly history: Store["history"] = (convId, before, limit, fromTs) =>
    this.#messages.history(convId, before, limit, fromTs);

  readonly since: Store["since"] = (convId, after, limit, fromTs) => this.#messages.since(convId, after, limit, fromTs);

  setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }> {
    return this.#messages.setReadMarker(marker);
  }

  readonly readMarkers: Store["readMarkers"] = (convId) => this.#messages.readMarkers(convId);

  readonly unreadCounts: Store["unreadCounts"] = (principalId, conversations) =>
    this.#messages.unreadCounts(principalId, conversations);

  addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }> {
    return this.#messages.addNote(note);
  }

  readonly listNotes: Store["listNotes"] = (convId, limit, before) => this.#messages.listNotes(convId, limit, before);

  readonly appendCommit: Store["appendCommit"] = (commit) => this.#keys.appendCommit(commit);
  readonly epochHead: Store["epochHead"] = (convId, cached) => this.#keys.epochHead(convId, cached);

  readonly listCommits: Store["listCommits"] = (convId, after, limit) => this.#keys.listCommits(convId, after, limit);

  readonly getTeamKey: Store["getTeamKey"] = (shopId, version) => this.#keys.getTeamKey(shopId, version);

  putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }> {
    return this.#keys.putTeamKey(record);
  }

  readonly putTeamWrap: Store["putTeamWrap"] = (wrap) => this.#keys.putTeamWrap(wrap);

  readonly listTeamWraps: Store["listTeamWraps"] = (shopId, version, principalId) =>
    this.#keys.listTeamWraps(shopId, version, principalId);

  readonly putKeyBackups: Store["putKeyBackups"] = (principalId, entries) =>
    this.#keys.putKeyBackups(principalId, entries);

  readonly listKeyBackups: Store["listKeyBackups"] = (principalId, convId, after, limit) =>
    this.#keys.listKeyBackups(principalId, convId, after, limit);

  readonly putWebhookConfig: Store["putWebhookConfig"] = (c) => this.#webhooks.putWebhookConfig(c);
  readonly getWebhookConfig: Store["getWebhookConfig"] = (shopId) => this.#webhooks.getWebhookConfig(shopId);
  readonly deleteWebhookConfig: Store["deleteWebhookConfig"] = (shopId) => this.#webhooks.deleteWebhookConfig(shopId);
  readonly enqueueWebhook: Store["enqueueWebhook"] = (item, co) => this.#webhooks.enqueueWebhook(item, co);
  readonly claimWebhooks: Store["claimWebhooks"] = (now, lease, n) => this.#webhooks.claimWebhooks(now, lease, n);
  readonly settleWebhook: Store["settleWebhook"] = (id, lease, at) => this.#webhooks.settleWebhook(id, lease, at);
  readonly logWebhookAttempt: Store["logWebhookAttempt"] = (a, keep) => this.#webhooks.logWebhookAttempt(a, keep);
  readonly listWebhookAttempts: Store["listWebhookAttempts"] = (s, n) => this.#webhooks.listWebhookAttempts(s, n);
}
