/**
 * The production store: MongoDB through the official driver, also run in CI
 * against FerretDB v1 (MongoDB wire protocol on SQLite or PostgreSQL). No transactions and no
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
 *   writeConcern, readConcern and retryable-write transaction numbers are
 *   accepted and ignored (its backend, SQLite with synchronous=FULL or
 *   PostgreSQL, commits before it answers).
 */
import { randomUUID } from "node:crypto";
import type { StoredNote, TeamKeyRecord } from "@parley/sdk/protocol";
import { type Collection, type Db, type Document, type Filter, MongoClient, MongoServerError } from "mongodb";
import { type LimitRule, type ReadMarker, type SharedLimiter, type Store, StoreUnavailableError } from "../port.js";
import { MongoBlocks } from "./blocks.js";
import { type Collections, collections, INDEXES } from "./collections.js";
import type { MongoContext } from "./context.js";
import { MongoConversations } from "./conversations.js";
import { MongoDirectory } from "./directory.js";
import { driverOptions } from "./driver-options.js";
import { isDuplicateKey, isUnavailable, NOT_IMPLEMENTED } from "./errors.js";
import { MongoKeys } from "./keys.js";
import { MongoLimiter } from "./limits.js";
import { MongoMembershipLog } from "./membership-log.js";
import { MongoMessages } from "./messages.js";
import { type MongoStoreOptions, parseOptions } from "./options.js";
import { MongoPrincipals } from "./principals.js";
import { MongoSessions } from "./sessions.js";
import { MongoUsage } from "./usage.js";
import { MongoWebhooks, WEBHOOK_INDEXES } from "./webhooks.js";

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
  readonly #webhooks: MongoWebhooks;

  constructor(options: MongoStoreOptions) {
    this.#options = parseOptions(options);
    // Persist before acknowledge: majority-replicated, journaled, majority reads (driver-options.ts says why each).
    this.#client = new MongoClient(this.#options.uri, driverOptions(this.#options));
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
    this.#webhooks = new MongoWebhooks(context, {
      webhookConfigs: this.#db.collection("webhookConfigs"),
      webhookOutbox: this.#db.collection("webhookOutbox"),
      webhookClaims: this.#db.collection("webhookClaims"),
      webhookAttempts: this.#db.collection("webhookAttempts"),
    });
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
      for (const [name, specs] of Object.entries({ ...INDEXES, ...WEBHOOK_INDEXES })) {
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

  async probeWrite(): Promise<void> {
    const id = `probe-${process.pid}-${randomUUID()}`;
    const at = Date.now();
    const probes = this.#db.collection<{ id: string; at: number }>("probes");
    return this.#run(async () => {
      await probes.insertOne({ id, at });
      const read = await probes.findOne({ id });
      if (read?.at !== at) throw new Error("the probe document did not read back");
      await probes.deleteOne({ id });
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

  readonly putShop: Store["putShop"] = (shop) => this.#directory.putShop(shop);

  readonly getShop: Store["getShop"] = (id) => this.#directory.getShop(id);

  readonly listShops: Store["listShops"] = () => this.#directory.listShops();

  readonly listAllowedOrigins: Store["listAllowedOrigins"] = () => this.#directory.listAllowedOrigins();

  readonly ensurePrincipal: Store["ensurePrincipal"] = (init) => this.#principals.ensurePrincipal(init);

  readonly getPrincipal: Store["getPrincipal"] = (id) => this.#principals.getPrincipal(id);

  readonly getPrincipals: Store["getPrincipals"] = (ids) => this.#principals.getPrincipals(ids);

  readonly findPrincipalByHandle: Store["findPrincipalByHandle"] = (shopId, handle) =>
    this.#principals.findPrincipalByHandle(shopId, handle);

  readonly findPrincipalBySkeleton: Store["findPrincipalBySkeleton"] = (shopId, skeleton) =>
    this.#principals.findPrincipalBySkeleton(shopId, skeleton);

  readonly setHandle: Store["setHandle"] = (principalId, handle, skeleton) =>
    this.#principals.setHandle(principalId, handle, skeleton);

  readonly setDisplayName: Store["setDisplayName"] = (principalId, displayName) =>
    this.#principals.setDisplayName(principalId, displayName);

  readonly setLastIp: Store["setLastIp"] = (principalId, ip) => this.#principals.setLastIp(principalId, ip);

  readonly listTeam: Store["listTeam"] = (shopId) => this.#principals.listTeam(shopId);

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

  readonly addShopBytes: Store["addShopBytes"] = (shopId, bytes) => this.#usage.addShopBytes(shopId, bytes);

  readonly shopBytes: Store["shopBytes"] = (shopId) => this.#usage.shopBytes(shopId);

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

  readonly append: Store["append"] = (message) => this.#messages.append(message);

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
