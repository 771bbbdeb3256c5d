/**
 * The production store: MongoDB through the official driver, also run in CI
 * against FerretDB v1 (MongoDB wire protocol on SQLite). No transactions and no
 * change streams. This class opens the connection and the indexes (collections.ts)
 * and puts the aggregates behind the port, one module per group: directory.ts,
 * conversations.ts, messages.ts (appends: gapless and idempotent across
 * processes by unique indexes), keys.ts (epoch and team key compare-and-set).
 *
 * Filters are built only from primitives checked at runtime: no request-derived object becomes a query operator.
 *
 * FerretDB v1 quirks this adapter works around (found by the conformance suite):
 * - an update is a read followed by a whole-document write, not atomic: two
 *   concurrent compare-and-set updates can both "match". Read-modify-write
 *   operations on one document are therefore serialized in-process (MongoDB
 *   itself makes them atomic across processes; FerretDB does not).
 * - a unique-index violation by an update comes back as InternalError "UNIQUE
 *   constraint failed", not E11000; an insert's E11000 names no index.
 * - createIndexes with several specs that all exist already kills the
 *   connection (slice bounds panic): indexes are created one by one.
 * - no TTL indexes (expireAfterSeconds), no partialFilterExpression, no $lookup;
 *   writeConcern is accepted and ignored (SQLite commits with synchronous=FULL).
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
import { type Collection, type Db, type Document, type Filter, MongoClient, MongoServerError } from "mongodb";
import {
  type AppendCommitResult,
  type AppendResult,
  type BlockRecord,
  type ConversationPatch,
  type ConversationRecord,
  type DeviceRecord,
  type InviteRecord,
  type LimitRule,
  type MemberRecord,
  type NewMessage,
  type NoteCursor,
  type PrincipalRecord,
  type ReadMarker,
  type SetHandleResult,
  type SharedLimiter,
  type ShopRecord,
  type Store,
  StoreUnavailableError,
  type UnreadCount,
} from "../port.js";
import { MongoBlocks } from "./blocks.js";
import { type Collections, collections, INDEXES } from "./collections.js";
import type { MongoContext } from "./context.js";
import { MongoConversations } from "./conversations.js";
import { MongoDirectory } from "./directory.js";
import { isDuplicateKey, isUnavailable, NOT_IMPLEMENTED } from "./errors.js";
import { MongoKeys } from "./keys.js";
import { MongoLimiter } from "./limits.js";
import { MongoMembershipLog } from "./membership-log.js";
import { MongoMessages } from "./messages.js";
import { type MongoStoreOptions, parseOptions } from "./options.js";
import { MongoPrincipals } from "./principals.js";
import { MongoSessions } from "./sessions.js";
import { MongoUsage } from "./usage.js";

export type { MongoStoreOptions } from "./options.js";

export class MongoStore implements Store {
  readonly kind = "mongodb";
  readonly #options: Required<MongoStoreOptions>;
  readonly #client: MongoClient;
  readonly #db: Db;
  readonly #col: Collections;
  /** Tail of each document's queue of read-modify-write operations in this process. */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #directory: MongoDirectory;
  readonly #principals: MongoPrincipals;
  readonly #conversations: MongoConversations;
  readonly #messages: MongoMessages;
  readonly #keys: MongoKeys;
  readonly #blocks: MongoBlocks;
  readonly #log: MongoMembershipLog;
  readonly #sessions: MongoSessions;
  readonly #usage: MongoUsage;

  constructor(options: MongoStoreOptions) {
    this.#options = parseOptions(options);
    this.#client = new MongoClient(this.#options.uri, {
      serverSelectionTimeoutMS: this.#options.serverSelectionTimeoutMS,
      connectTimeoutMS: this.#options.serverSelectionTimeoutMS,
      // Persist before acknowledge: majority-replicated and journaled (FerretDB ignores it and commits to SQLite).
      writeConcern: { w: "majority", journal: true },
    });
    this.#db = this.#client.db(this.#options.dbName);
    this.#col = collections(this.#db);
    const context: MongoContext = {
      col: this.#col,
      maxAppendRetries: this.#options.maxAppendRetries,
      run: (op) => this.#run(op),
      serial: (key, fn) => this.#serial(key, fn),
      upsert: (collection, filter, doc) => this.#upsert(collection, filter, doc),
    };
    this.#directory = new MongoDirectory(context);
    this.#principals = new MongoPrincipals(context);
    this.#conversations = new MongoConversations(context);
    this.#messages = new MongoMessages(context);
    this.#keys = new MongoKeys(context);
    this.#blocks = new MongoBlocks(context);
    this.#log = new MongoMembershipLog(context);
    this.#sessions = new MongoSessions(context);
    this.#usage = new MongoUsage(context);
  }

  /** Runs one operation, turning connection failures into `StoreUnavailableError`. */
  async #run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (isUnavailable(error)) throw new StoreUnavailableError("MongoDB is unreachable", { cause: error });
      throw error;
    }
  }

  async init(): Promise<void> {
    return this.#run(async () => {
      await this.#client.connect();
      await this.#principals.migrate();
      for (const [name, specs] of Object.entries(INDEXES)) {
        for (const { key, ...options } of specs) await this.#db.collection(name).createIndex(key, options);
      }
      try {
        await this.#col.tokenIds.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === NOT_IMPLEMENTED)) throw error;
        await this.#col.tokenIds.createIndex({ expiresAt: 1 });
        this.#directory.sweepExpiredTokens();
      }
    });
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async ping(): Promise<void> {
    return this.#run(async () => {
      await this.#db.command({ ping: 1 });
    });
  }

  /** Runs `fn` after every earlier operation queued under `key` in this process. */
  #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }

  /** `replaceOne` with upsert, retried once when a concurrent upsert inserted the same key first. */
  async #upsert<T extends Document>(collection: Collection<T>, filter: Filter<T>, doc: T): Promise<void> {
    try {
      await collection.replaceOne(filter, doc, { upsert: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await collection.replaceOne(filter, doc, { upsert: true });
    }
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
    return this.#principals.ensurePrincipal(init);
  }

  getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    return this.#principals.getPrincipal(id);
  }

  getPrincipals(ids: string[]): Promise<PrincipalRecord[]> {
    return this.#principals.getPrincipals(ids);
  }

  findPrincipalByHandle(shopId: string, handle: string): Promise<PrincipalRecord | undefined> {
    return this.#principals.findPrincipalByHandle(shopId, handle);
  }

  findPrincipalBySkeleton(shopId: string, skeleton: string): Promise<PrincipalRecord | undefined> {
    return this.#principals.findPrincipalBySkeleton(shopId, skeleton);
  }

  setHandle(principalId: string, handle: string, skeleton: string): Promise<SetHandleResult> {
    return this.#principals.setHandle(principalId, handle, skeleton);
  }

  setDisplayName(principalId: string, displayName: string): Promise<void> {
    return this.#principals.setDisplayName(principalId, displayName);
  }

  setLastIp(principalId: string, ip: string): Promise<void> {
    return this.#principals.setLastIp(principalId, ip);
  }

  listTeam(shopId: string): Promise<PrincipalRecord[]> {
    return this.#principals.listTeam(shopId);
  }

  /** A budget counted in the `rateLimits` collection, shared by every gateway on this database (limits.ts). */
  sharedLimiter(name: string, rule: LimitRule): SharedLimiter {
    return new MongoLimiter({
      collection: this.#col.rateLimitHits,
      run: (op) => this.#run(op),
      serial: (key, fn) => this.#serial(key, fn),
      name,
      rule,
    });
  }

  addShopBytes(shopId: string, bytes: number): Promise<number> {
    return this.#usage.addShopBytes(shopId, bytes);
  }

  shopBytes(shopId: string): Promise<number> {
    return this.#usage.shopBytes(shopId);
  }

  readonly putAgent: Store["putAgent"] = (agent) => this.#directory.putAgent(agent);
  readonly getAgent: Store["getAgent"] = (shopId, login) => this.#directory.getAgent(shopId, login);
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

  append(message: NewMessage): Promise<AppendResult> {
    return this.#messages.append(message);
  }

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
