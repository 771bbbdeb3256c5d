/**
 * The production store: MongoDB through the official driver, also run in CI
 * against FerretDB v1 (MongoDB wire protocol on SQLite). No transactions and no
 * change streams. `append` stays gapless and idempotent across gateway
 * processes with two unique indexes, {convId, seq} and {convId, msgId}: a
 * process serializes its own appends per conversation and, when another process
 * took the seq it tried, re-reads the highest seq and tries the next one.
 *
 * Filters are built only from primitive arguments checked at runtime, so no
 * request-derived object can turn into a query operator.
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
 *
 * `appendCommit` rests on the same ground as `append`: the unique index
 * {convId, epoch} on commits picks the single winner of concurrent commits for
 * one epoch (inserts are atomic on FerretDB, updates are not), and only then is
 * the conversation's cached head moved with `$max`. A head that lags its
 * commits (a crash between the two writes, or two processes' updates crossing
 * on FerretDB) is re-derived from the highest stored commit and repaired.
 *
 * `putTeamKey` needs no cached head at all: the current version is the highest
 * stored one, and the unique index {shopId, version} on teamKeys picks the one
 * winner among concurrent inserts of the next version. Versions stay gapless
 * because a version is only ever inserted after its predecessor was read back.
 */
import type {
  Envelope,
  EpochCommit,
  InviteInfo,
  InviteStatus,
  KeyBackupEntry,
  StoredMessage,
  StoredNote,
  TeamKeyRecord,
  TeamKeyWrap,
} from "@parley/sdk/protocol";
import {
  type Collection,
  type Db,
  type Document,
  type Filter,
  MongoClient,
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";
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
  StoreUnavailableError,
  type UnreadCount,
} from "../port.js";

export interface MongoStoreOptions {
  /** `mongodb://` or `mongodb+srv://` connection string. */
  uri: string;
  /**
   * Database name.
   * @default the database named in `uri`, else `"parley"`
   */
  dbName?: string;
  /**
   * How long an operation waits for a reachable server before failing with `StoreUnavailableError`, in ms.
   * @default 3000
   */
  serverSelectionTimeoutMS?: number;
  /**
   * How many times `append` retries after another process took the seq it tried.
   * @default 50
   */
  maxAppendRetries?: number;
}

const defaults = { serverSelectionTimeoutMS: 3000, maxAppendRetries: 50 } satisfies Partial<MongoStoreOptions>;

function parseOptions(options: MongoStoreOptions): Required<MongoStoreOptions> {
  const { uri } = options;
  if (typeof uri !== "string" || !/^mongodb(\+srv)?:\/\//.test(uri)) {
    throw new TypeError("MongoStore: `uri` must be a mongodb:// or mongodb+srv:// connection string");
  }
  const fromUri = decodeURIComponent(/^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(uri)?.[1] ?? "");
  const dbName = options.dbName ?? (fromUri || "parley");
  const serverSelectionTimeoutMS = options.serverSelectionTimeoutMS ?? defaults.serverSelectionTimeoutMS;
  const maxAppendRetries = options.maxAppendRetries ?? defaults.maxAppendRetries;
  if (!Number.isInteger(serverSelectionTimeoutMS) || serverSelectionTimeoutMS <= 0) {
    throw new TypeError("MongoStore: bad `serverSelectionTimeoutMS`");
  }
  if (!Number.isInteger(maxAppendRetries) || maxAppendRetries < 1)
    throw new TypeError("MongoStore: bad `maxAppendRetries`");
  return { uri, dbName, serverSelectionTimeoutMS, maxAppendRetries };
}

/** Server codes that mean "not reachable right now" rather than "bad request". */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);
const DUPLICATE_KEY = 11000;
const NOT_IMPLEMENTED = 238;
/** Appends remember the last seq of this many conversations. */
const SEQ_CACHE_SIZE = 10_000;
/** Where TTL indexes are missing (FerretDB v1), expired token ids are swept at most this often. */
const TOKEN_SWEEP_MS = 10_000;
const NO_ID = { projection: { _id: 0 } } as const;

/** E11000, or FerretDB's InternalError for a unique index violated by an update. */
const isDuplicateKey = (error: unknown) =>
  error instanceof MongoServerError &&
  (error.code === DUPLICATE_KEY || (error.code === 1 && error.message.includes("UNIQUE constraint failed")));

/** Socket errors the driver sometimes passes through unwrapped (seen: EPIPE after the peer closed). */
const SOCKET_ERRORS = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

function isUnavailable(error: unknown): boolean {
  return (
    (error instanceof Error && SOCKET_ERRORS.has((error as NodeJS.ErrnoException).code ?? "")) ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoServerClosedError ||
    error instanceof MongoClientClosedError ||
    error instanceof MongoOperationTimeoutError ||
    (error instanceof MongoServerError && typeof error.code === "number" && UNAVAILABLE_CODES.has(error.code))
  );
}

/** Checks a filter value is a plain string, so no object can become a query operator. */
function str(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`MongoStore: ${name} must be a string`);
  return value;
}

function num(value: unknown, name: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new TypeError(`MongoStore: ${name} must be a number`);
  return value;
}

const clampLimit = (limit: number) => (Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 0);

/** Copies the envelope field by field: the stored document holds exactly the wire shape. */
const envelopeDoc = (e: Envelope): Envelope => ({
  v: e.v,
  convId: e.convId,
  epoch: e.epoch,
  msgId: e.msgId,
  senderDevice: e.senderDevice,
  ts: e.ts,
  alg: e.alg,
  nonce: e.nonce,
  ct: e.ct,
  sig: e.sig,
});

/**
 * Copies a client-signed commit field by field, checking the types: the stored
 * document holds exactly the wire shape and nothing else the caller's object had.
 */
const commitDoc = (c: EpochCommit): EpochCommit => ({
  v: c.v,
  convId: str(c.convId, "convId"),
  epoch: num(c.epoch, "epoch"),
  prevHash: str(c.prevHash, "prevHash"),
  committer: {
    principalId: str(c.committer.principalId, "committer.principalId"),
    deviceId: str(c.committer.deviceId, "committer.deviceId"),
  },
  members: c.members.map((m) => ({
    principalId: str(m.principalId, "members.principalId"),
    deviceIds: m.deviceIds.map((d) => str(d, "members.deviceIds")),
  })),
  wraps: c.wraps.map((w) => ({ deviceId: str(w.deviceId, "wraps.deviceId"), sealed: str(w.sealed, "wraps.sealed") })),
  teamWrap: str(c.teamWrap, "teamWrap"),
  historyPolicy: str(c.historyPolicy, "historyPolicy") as EpochCommit["historyPolicy"],
  reason: str(c.reason, "reason") as EpochCommit["reason"],
  ts: num(c.ts, "ts"),
  teamVersion: num(c.teamVersion, "teamVersion"),
  sig: str(c.sig, "sig"),
  teamSig: str(c.teamSig, "teamSig"),
});

/** Copies a team key record field by field, checking the types. */
const teamKeyDoc = (r: TeamKeyRecord): TeamKeyRecord => ({
  shopId: str(r.shopId, "shopId"),
  version: num(r.version, "version"),
  boxPk: str(r.boxPk, "boxPk"),
  sigPk: str(r.sigPk, "sigPk"),
  createdBy: {
    principalId: str(r.createdBy.principalId, "createdBy.principalId"),
    deviceId: str(r.createdBy.deviceId, "createdBy.deviceId"),
  },
  ts: num(r.ts, "ts"),
  sig: str(r.sig, "sig"),
});

/** Copies a team key wrap field by field, checking the types. */
const teamWrapDoc = (w: TeamKeyWrap): TeamKeyWrap => ({
  shopId: str(w.shopId, "shopId"),
  version: num(w.version, "version"),
  deviceId: str(w.deviceId, "deviceId"),
  principalId: str(w.principalId, "principalId"),
  sealed: str(w.sealed, "sealed"),
  wrappedBy: {
    principalId: str(w.wrappedBy.principalId, "wrappedBy.principalId"),
    deviceId: str(w.wrappedBy.deviceId, "wrappedBy.deviceId"),
  },
  ts: num(w.ts, "ts"),
  sig: str(w.sig, "sig"),
});

/** Conversations stored before epochs existed have no `epoch` field: their head is 0. */
const withEpoch = (c: ConversationRecord): ConversationRecord => (typeof c.epoch === "number" ? c : { ...c, epoch: 0 });

/** A sealed epoch key of a principal's key backup (ADR 0016). */
interface KeyBackupDoc extends KeyBackupEntry {
  principalId: string;
}

interface TokenIdDoc {
  issuer: string;
  jti: string;
  expiresAt: Date;
}

/** Every collection with the indexes it needs. */
const INDEXES: Record<string, { key: Document; unique?: boolean; sparse?: boolean }[]> = {
  shops: [{ key: { id: 1 }, unique: true }],
  principals: [
    { key: { id: 1 }, unique: true },
    { key: { shopId: 1, kind: 1, externalId: 1 }, unique: true },
    // Sparse rather than partial: FerretDB v1 lacks partialFilterExpression; a principal without handle has no field.
    { key: { handle: 1 }, unique: true, sparse: true },
  ],
  agents: [{ key: { shopId: 1, login: 1 }, unique: true }],
  devices: [{ key: { principalId: 1, deviceId: 1 }, unique: true }],
  conversations: [{ key: { id: 1 }, unique: true }, { key: { shopId: 1, updatedAt: -1 } }],
  members: [{ key: { convId: 1, principalId: 1 }, unique: true }, { key: { principalId: 1 } }],
  invites: [{ key: { id: 1 }, unique: true }, { key: { invitee: 1, status: 1 } }, { key: { convId: 1, invitee: 1 } }],
  messages: [
    { key: { convId: 1, seq: 1 }, unique: true },
    { key: { convId: 1, msgId: 1 }, unique: true },
    // Unread counts: a principal's own messages above its read marker.
    { key: { convId: 1, sender: 1, seq: 1 } },
  ],
  readMarkers: [{ key: { convId: 1, principalId: 1 }, unique: true }],
  // Unique: a retried note.add stores the note once.
  notes: [{ key: { convId: 1, id: 1 }, unique: true }, { key: { convId: 1, ts: -1, id: -1 } }],
  tokenIds: [{ key: { issuer: 1, jti: 1 }, unique: true }],
  // Unique: the compare-and-set of `appendCommit` (one winner per epoch, across processes).
  commits: [{ key: { convId: 1, epoch: 1 }, unique: true }],
  // Unique: the compare-and-set of `putTeamKey` (one winner per version, across processes).
  teamKeys: [{ key: { shopId: 1, version: 1 }, unique: true }],
  teamWraps: [{ key: { shopId: 1, version: 1, deviceId: 1 }, unique: true }],
  keyBackups: [{ key: { principalId: 1, convId: 1, epoch: 1 }, unique: true }],
};

export class MongoStore implements Store {
  readonly kind = "mongodb";
  readonly #options: Required<MongoStoreOptions>;
  readonly #client: MongoClient;
  readonly #db: Db;
  readonly #shops: Collection<ShopRecord>;
  readonly #principals: Collection<PrincipalRecord>;
  readonly #agents: Collection<AgentRecord>;
  readonly #devices: Collection<DeviceRecord>;
  readonly #conversations: Collection<ConversationRecord>;
  readonly #members: Collection<MemberRecord>;
  readonly #invites: Collection<InviteInfo>;
  readonly #messages: Collection<StoredMessage>;
  readonly #tokenIds: Collection<TokenIdDoc>;
  readonly #commits: Collection<EpochCommit>;
  readonly #teamKeys: Collection<TeamKeyRecord>;
  readonly #teamWraps: Collection<TeamKeyWrap>;
  readonly #readMarkers: Collection<ReadMarker>;
  readonly #notes: Collection<StoredNote>;
  readonly #keyBackups: Collection<KeyBackupDoc>;
  /** Tail of each document's queue of read-modify-write operations in this process. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Highest seq this process knows per conversation; never above the stored maximum. */
  readonly #lastSeq = new Map<string, number>();
  /** True when the server has no TTL indexes and expired token ids are swept by `consumeTokenId`. */
  #sweepTokens = false;
  #lastSweep = 0;

  constructor(options: MongoStoreOptions) {
    this.#options = parseOptions(options);
    this.#client = new MongoClient(this.#options.uri, {
      serverSelectionTimeoutMS: this.#options.serverSelectionTimeoutMS,
      connectTimeoutMS: this.#options.serverSelectionTimeoutMS,
      // Persist before acknowledge: majority-replicated and journaled (FerretDB ignores it and commits to SQLite).
      writeConcern: { w: "majority", journal: true },
    });
    this.#db = this.#client.db(this.#options.dbName);
    this.#shops = this.#db.collection("shops");
    this.#principals = this.#db.collection("principals");
    this.#agents = this.#db.collection("agents");
    this.#devices = this.#db.collection("devices");
    this.#conversations = this.#db.collection("conversations");
    this.#members = this.#db.collection("members");
    this.#invites = this.#db.collection("invites");
    this.#messages = this.#db.collection("messages");
    this.#tokenIds = this.#db.collection("tokenIds");
    this.#commits = this.#db.collection("commits");
    this.#teamKeys = this.#db.collection("teamKeys");
    this.#teamWraps = this.#db.collection("teamWraps");
    this.#readMarkers = this.#db.collection("readMarkers");
    this.#notes = this.#db.collection("notes");
    this.#keyBackups = this.#db.collection("keyBackups");
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
      for (const [name, specs] of Object.entries(INDEXES)) {
        for (const { key, ...options } of specs) await this.#db.collection(name).createIndex(key, options);
      }
      try {
        await this.#tokenIds.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === NOT_IMPLEMENTED)) throw error;
        await this.#tokenIds.createIndex({ expiresAt: 1 });
        this.#sweepTokens = true;
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

  async putShop(shop: ShopRecord): Promise<void> {
    const id = str(shop.id, "shop id");
    const doc: ShopRecord = {
      id,
      name: shop.name,
      tokenKey:
        shop.tokenKey.alg === "EdDSA"
          ? { alg: "EdDSA", publicKey: shop.tokenKey.publicKey }
          : { alg: "HS256", secret: shop.tokenKey.secret },
      allowedOrigins: [...shop.allowedOrigins],
      allowGuests: shop.allowGuests,
      createdAt: shop.createdAt,
    };
    return this.#run(async () => {
      await this.#upsert(this.#shops, { id }, doc);
    });
  }

  async getShop(id: string): Promise<ShopRecord | undefined> {
    return this.#run(async () => (await this.#shops.findOne({ id: str(id, "shop id") }, NO_ID)) ?? undefined);
  }

  /** Every origin any shop allows, deduplicated (for CORS preflights). */
  async listAllowedOrigins(): Promise<string[]> {
    return this.#run(async () => {
      const shops = await this.#shops.find({}, { projection: { _id: 0, allowedOrigins: 1 } }).toArray();
      return [...new Set(shops.flatMap((s) => s.allowedOrigins))].sort();
    });
  }

  async ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord> {
    const key = {
      shopId: str(init.shopId, "shopId"),
      kind: str(init.kind, "kind") as PrincipalRecord["kind"],
      externalId: str(init.externalId, "externalId"),
    };
    return this.#run(async () => {
      const found = await this.#principals.findOne(key, NO_ID);
      if (found) return found;
      const doc: PrincipalRecord = {
        id: str(init.id, "principal id"),
        ...key,
        displayName: init.displayName,
        ...(init.handle === undefined ? {} : { handle: str(init.handle, "handle") }),
        createdAt: init.createdAt,
      };
      try {
        await this.#principals.insertOne({ ...doc });
        return doc;
      } catch (error) {
        // Another request created it first: return theirs.
        const raced = isDuplicateKey(error) ? await this.#principals.findOne(key, NO_ID) : null;
        if (raced) return raced;
        throw error;
      }
    });
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    return this.#run(async () => (await this.#principals.findOne({ id: str(id, "principal id") }, NO_ID)) ?? undefined);
  }

  async getPrincipals(ids: string[]): Promise<PrincipalRecord[]> {
    const checked = [...new Set(ids.map((id) => str(id, "principal id")))];
    if (checked.length === 0) return Promise.resolve([]);
    return this.#run(() => this.#principals.find({ id: { $in: checked } }, NO_ID).toArray());
  }

  async findPrincipalByHandle(handle: string): Promise<PrincipalRecord | undefined> {
    return this.#run(
      async () => (await this.#principals.findOne({ handle: str(handle, "handle") }, NO_ID)) ?? undefined,
    );
  }

  async setHandle(principalId: string, handle: string): Promise<boolean> {
    const filter = { id: str(principalId, "principal id") };
    const update = { $set: { handle: str(handle, "handle") } };
    return this.#serial(`principal:${filter.id}`, () =>
      this.#run(async () => {
        try {
          return (await this.#principals.updateOne(filter, update)).matchedCount === 1;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }),
    );
  }

  async setDisplayName(principalId: string, displayName: string): Promise<void> {
    const filter = { id: str(principalId, "principal id") };
    const update = { $set: { displayName: str(displayName, "displayName") } };
    return this.#serial(`principal:${filter.id}`, () =>
      this.#run(async () => {
        await this.#principals.updateOne(filter, update);
      }),
    );
  }

  async putAgent(agent: AgentRecord): Promise<void> {
    const key = { shopId: str(agent.shopId, "shopId"), login: str(agent.login, "login") };
    const doc: AgentRecord = {
      ...key,
      principalId: agent.principalId,
      passwordHash: agent.passwordHash,
      role: agent.role,
    };
    return this.#run(async () => {
      await this.#upsert(this.#agents, key, doc);
    });
  }

  async getAgent(shopId: string, login: string): Promise<AgentRecord | undefined> {
    const filter = { shopId: str(shopId, "shopId"), login: str(login, "login") };
    return this.#run(async () => (await this.#agents.findOne(filter, NO_ID)) ?? undefined);
  }

  async putDevice(device: DeviceRecord): Promise<void> {
    const key = { principalId: str(device.principalId, "principalId"), deviceId: str(device.deviceId, "deviceId") };
    // A whole-document replace: a put without `sig` leaves none stored.
    const doc: DeviceRecord = {
      ...key,
      sigPk: device.sigPk,
      boxPk: device.boxPk,
      createdAt: device.createdAt,
      lastSeenAt: device.lastSeenAt,
      ...(device.sig === undefined ? {} : { sig: str(device.sig, "sig") }),
    };
    return this.#run(async () => {
      await this.#upsert(this.#devices, key, doc);
    });
  }

  async listDevices(principalId: string): Promise<DeviceRecord[]> {
    const filter = { principalId: str(principalId, "principalId") };
    return this.#run(() => this.#devices.find(filter, NO_ID).sort({ createdAt: 1, deviceId: 1 }).toArray());
  }

  async createConversation(conv: ConversationRecord): Promise<void> {
    const doc: ConversationRecord = {
      id: str(conv.id, "conversation id"),
      shopId: str(conv.shopId, "shopId"),
      status: conv.status,
      createdBy: conv.createdBy,
      createdAt: conv.createdAt,
      updatedAt: conv.updatedAt,
      lastSeq: conv.lastSeq,
      epoch: num(conv.epoch, "epoch"),
    };
    return this.#run(async () => {
      await this.#conversations.insertOne(doc);
    });
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const filter = { id: str(id, "conversation id") };
    return this.#run(async () => {
      const conv = await this.#conversations.findOne(filter, NO_ID);
      return conv ? withEpoch(conv) : undefined;
    });
  }

  async updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord> {
    const filter = { id: str(id, "conversation id") };
    const set: Partial<ConversationRecord> = {};
    if (patch.status !== undefined) set.status = str(patch.status, "status") as ConversationRecord["status"];
    if (typeof patch.assignee === "string") set.assignee = str(patch.assignee, "assignee");
    if (patch.handover === true) set.handover = true;
    const unset: Record<string, ""> = {};
    if (patch.assignee === null) unset.assignee = "";
    if (patch.handover === false) unset.handover = "";
    const when = num(at, "at");
    // Queued with the conversation's appends, which also rewrite the document.
    return this.#serial(`conv:${filter.id}`, () =>
      this.#run(async () => {
        const current = await this.#conversations.findOne(filter, NO_ID);
        if (!current) throw new StoreNotFoundError(`conversation ${id} does not exist`);
        const update = {
          $set: { ...set, updatedAt: Math.max(current.updatedAt, when) },
          ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
        };
        await this.#conversations.updateOne(filter, update);
        const next = await this.#conversations.findOne(filter, NO_ID);
        if (!next) throw new StoreNotFoundError(`conversation ${id} does not exist`);
        return withEpoch(next);
      }),
    );
  }

  async listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]> {
    const filter = { principalId: str(principalId, "principalId") };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    // Two queries: FerretDB v1 has no $lookup.
    return this.#run(async () => {
      const convIds = (await this.#members.find(filter, { projection: { _id: 0, convId: 1 } }).toArray()).map(
        (m) => m.convId,
      );
      if (convIds.length === 0) return [];
      const convs = await this.#conversations
        .find({ id: { $in: convIds } }, NO_ID)
        .sort({ updatedAt: -1, id: -1 })
        .limit(n)
        .toArray();
      return convs.map(withEpoch);
    });
  }

  async listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]> {
    const filter = { shopId: str(shopId, "shopId") };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    return this.#run(async () =>
      (await this.#conversations.find(filter, NO_ID).sort({ updatedAt: -1, id: -1 }).limit(n).toArray()).map(withEpoch),
    );
  }

  async addMember(member: MemberRecord): Promise<void> {
    const key = { convId: str(member.convId, "convId"), principalId: str(member.principalId, "principalId") };
    const doc: MemberRecord = {
      ...key,
      role: member.role,
      joinedAt: member.joinedAt,
      ...(member.invitedBy === undefined ? {} : { invitedBy: member.invitedBy }),
    };
    return this.#run(async () => {
      await this.#upsert(this.#members, key, doc);
    });
  }

  async removeMember(convId: string, principalId: string): Promise<boolean> {
    const filter = { convId: str(convId, "convId"), principalId: str(principalId, "principalId") };
    return this.#run(async () => (await this.#members.deleteOne(filter)).deletedCount === 1);
  }

  async getMember(convId: string, principalId: string): Promise<MemberRecord | undefined> {
    const filter = { convId: str(convId, "convId"), principalId: str(principalId, "principalId") };
    return this.#run(async () => (await this.#members.findOne(filter, NO_ID)) ?? undefined);
  }

  async listMembers(convId: string): Promise<MemberRecord[]> {
    const filter = { convId: str(convId, "convId") };
    return this.#run(() => this.#members.find(filter, NO_ID).sort({ joinedAt: 1, principalId: 1 }).toArray());
  }

  async createInvite(invite: InviteInfo): Promise<void> {
    const doc: InviteInfo = {
      id: str(invite.id, "invite id"),
      convId: str(invite.convId, "convId"),
      shopId: invite.shopId,
      inviter: invite.inviter,
      inviterName: invite.inviterName,
      invitee: str(invite.invitee, "invitee"),
      status: invite.status,
      createdAt: invite.createdAt,
    };
    return this.#run(async () => {
      await this.#invites.insertOne(doc);
    });
  }

  async getInvite(id: string): Promise<InviteInfo | undefined> {
    const filter = { id: str(id, "invite id") };
    return this.#run(async () => (await this.#invites.findOne(filter, NO_ID)) ?? undefined);
  }

  async settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean> {
    const filter = { id: str(id, "invite id"), status: "pending" as const };
    const update = {
      $set: {
        status: str(status, "status") as InviteStatus,
        ...(at === undefined ? {} : { settledAt: num(at, "at") }),
      },
    };
    return this.#serial(`invite:${filter.id}`, () =>
      this.#run(async () => (await this.#invites.updateOne(filter, update)).matchedCount === 1),
    );
  }

  async listPendingInvites(invitee: string): Promise<InviteInfo[]> {
    const filter = { invitee: str(invitee, "invitee"), status: "pending" as const };
    return this.#run(() => this.#invites.find(filter, NO_ID).sort({ createdAt: -1, id: -1 }).toArray());
  }

  async listInvitesOf(convId: string, limit: number): Promise<InviteInfo[]> {
    const filter = { convId: str(convId, "convId") };
    return this.#run(() => this.#invites.find(filter, NO_ID).sort({ createdAt: 1, id: 1 }).limit(limit).toArray());
  }

  async findPendingInvite(convId: string, invitee: string): Promise<InviteInfo | undefined> {
    const filter = { convId: str(convId, "convId"), invitee: str(invitee, "invitee"), status: "pending" as const };
    return this.#run(
      async () => (await this.#invites.find(filter, NO_ID).sort({ createdAt: -1 }).limit(1).next()) ?? undefined,
    );
  }

  async append(message: NewMessage): Promise<AppendResult> {
    const convId = str(message.convId, "convId");
    const doc = {
      convId,
      msgId: str(message.msgId, "msgId"),
      sender: str(message.sender, "sender"),
      ts: num(message.ts, "ts"),
      envelope: envelopeDoc(message.envelope),
    };
    return this.#serial(`conv:${convId}`, () => this.#run(() => this.#appendNow(doc)));
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

  async #appendNow(doc: Omit<StoredMessage, "seq">): Promise<AppendResult> {
    const { convId, msgId } = doc;
    // No look-up first: the unique (convId, msgId) index refuses a repeat, and the duplicate-key path
    // below finds the stored one. A retry costs a round trip more; every first send one less.
    let last = this.#lastSeq.get(convId) ?? (await this.#readLastSeq(convId, true));
    for (let attempt = 0; attempt < this.#options.maxAppendRetries; attempt++) {
      const message: StoredMessage = { ...doc, seq: last + 1 };
      try {
        await this.#messages.insertOne({ ...message });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // FerretDB does not name the violated index: look for the msgId, else the seq was taken.
        const raced = await this.#messages.findOne({ convId, msgId }, NO_ID);
        if (raced) return { message: raced, duplicate: true };
        last = await this.#readLastSeq(convId, false);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * (attempt + 1)));
        continue;
      }
      this.#rememberSeq(convId, message.seq);
      await this.#conversations.updateOne({ id: convId }, { $max: { lastSeq: message.seq, updatedAt: doc.ts } });
      return { message, duplicate: false };
    }
    throw new Error(`MongoStore: append to ${convId} lost the seq race ${this.#options.maxAppendRetries} times`);
  }

  /** The highest stored seq; on first use also checks the conversation exists. */
  async #readLastSeq(convId: string, checkConversation: boolean): Promise<number> {
    if (checkConversation) {
      const conv = await this.#conversations.findOne({ id: convId }, { projection: { _id: 0, id: 1 } });
      if (!conv) throw new StoreNotFoundError(`conversation ${convId} does not exist`);
    }
    const top = await this.#messages
      .find({ convId }, { projection: { _id: 0, seq: 1 } })
      .sort({ seq: -1 })
      .limit(1)
      .next();
    const seq = top?.seq ?? 0;
    this.#rememberSeq(convId, seq);
    return seq;
  }

  #rememberSeq(convId: string, seq: number): void {
    this.#lastSeq.delete(convId);
    this.#lastSeq.set(convId, seq);
    if (this.#lastSeq.size > SEQ_CACHE_SIZE) {
      const oldest = this.#lastSeq.keys().next();
      if (!oldest.done) this.#lastSeq.delete(oldest.value);
    }
  }

  async history(convId: string, before: number | undefined, limit: number): Promise<StoredMessage[]> {
    const filter =
      before === undefined
        ? { convId: str(convId, "convId") }
        : { convId: str(convId, "convId"), seq: { $lt: num(before, "before") } };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    return this.#run(() => this.#messages.find(filter, NO_ID).sort({ seq: -1 }).limit(n).toArray());
  }

  async since(convId: string, after: number, limit: number): Promise<StoredMessage[]> {
    const filter = { convId: str(convId, "convId"), seq: { $gt: num(after, "after") } };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    return this.#run(() => this.#messages.find(filter, NO_ID).sort({ seq: 1 }).limit(n).toArray());
  }

  async appendCommit(commit: EpochCommit): Promise<AppendCommitResult> {
    const doc = commitDoc(commit);
    // Queued with the conversation's appends and status changes: all of them rewrite its document.
    return this.#serial(`conv:${doc.convId}`, () => this.#run(() => this.#appendCommitNow(doc)));
  }

  async #appendCommitNow(doc: EpochCommit): Promise<AppendCommitResult> {
    const { convId, epoch } = doc;
    const conv = await this.#conversations.findOne({ id: convId }, { projection: { _id: 0, epoch: 1 } });
    if (!conv) throw new StoreNotFoundError(`conversation ${convId} does not exist`);
    let head = conv.epoch ?? 0;
    // Not the next one by the cached head: the cached head may lag its commits, so ask them.
    if (epoch !== head + 1) head = await this.#commitHead(convId, head);
    if (epoch !== head + 1) return { accepted: false, head };
    try {
      await this.#commits.insertOne({ ...doc });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Another process (or a write whose head move never happened) holds this epoch.
      return { accepted: false, head: await this.#commitHead(convId, head) };
    }
    await this.#conversations.updateOne({ id: convId }, { $max: { epoch } });
    return { accepted: true, head: epoch };
  }

  /** The highest stored commit's epoch (at least `cached`); moves the conversation's head up when it lags. */
  async #commitHead(convId: string, cached: number): Promise<number> {
    const top = await this.#commits
      .find({ convId }, { projection: { _id: 0, epoch: 1 } })
      .sort({ epoch: -1 })
      .limit(1)
      .next();
    const head = Math.max(cached, top?.epoch ?? 0);
    if (head > cached) await this.#conversations.updateOne({ id: convId }, { $max: { epoch: head } });
    return head;
  }

  async listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]> {
    const filter = { convId: str(convId, "convId"), epoch: { $gt: num(after, "after") } };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    // Commits stored before team signatures existed read as listed members' commits.
    return this.#run(async () =>
      (await this.#commits.find(filter, NO_ID).sort({ epoch: 1 }).limit(n).toArray()).map((c) => ({
        ...c,
        teamVersion: c.teamVersion ?? 0,
        teamSig: c.teamSig ?? "",
      })),
    );
  }

  async getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined> {
    if (version !== undefined) {
      const exact = { shopId: str(shopId, "shopId"), version: num(version, "version") };
      return this.#run(async () => (await this.#teamKeys.findOne(exact, NO_ID)) ?? undefined);
    }
    const filter = { shopId: str(shopId, "shopId") };
    return this.#run(
      async () => (await this.#teamKeys.find(filter, NO_ID).sort({ version: -1 }).limit(1).next()) ?? undefined,
    );
  }

  async putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }> {
    const doc = teamKeyDoc(record);
    // Serialized per shop in this process so concurrent puts answer with a settled version;
    // across processes the unique index decides.
    return this.#serial(`team:${doc.shopId}`, () =>
      this.#run(async () => {
        const current = await this.#teamVersion(doc.shopId);
        if (doc.version !== current + 1) return { accepted: false, version: current };
        try {
          await this.#teamKeys.insertOne({ ...doc });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          return { accepted: false, version: await this.#teamVersion(doc.shopId) };
        }
        return { accepted: true, version: doc.version };
      }),
    );
  }

  /** The highest stored team key version of a shop, 0 when it has none. */
  async #teamVersion(shopId: string): Promise<number> {
    const top = await this.#teamKeys
      .find({ shopId }, { projection: { _id: 0, version: 1 } })
      .sort({ version: -1 })
      .limit(1)
      .next();
    return top?.version ?? 0;
  }

  async putTeamWrap(wrap: TeamKeyWrap): Promise<void> {
    const doc = teamWrapDoc(wrap);
    const key = { shopId: doc.shopId, version: doc.version, deviceId: doc.deviceId };
    return this.#run(async () => {
      await this.#upsert(this.#teamWraps, key, doc);
    });
  }

  async listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]> {
    const filter = {
      shopId: str(shopId, "shopId"),
      version: num(version, "version"),
      ...(principalId === undefined ? {} : { principalId: str(principalId, "principalId") }),
    };
    return this.#run(() => this.#teamWraps.find(filter, NO_ID).sort({ principalId: 1, deviceId: 1 }).toArray());
  }

  async putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void> {
    const docs = entries.map(
      (e): KeyBackupDoc => ({
        principalId: str(principalId, "principalId"),
        convId: str(e.convId, "convId"),
        epoch: num(e.epoch, "epoch"),
        v: num(e.v, "v"),
        ct: str(e.ct, "ct"),
      }),
    );
    // Each replace is idempotent, so a put cut off half way is completed by the client's retry.
    return this.#run(async () => {
      for (const doc of docs) {
        const key = { principalId: doc.principalId, convId: doc.convId, epoch: doc.epoch };
        try {
          // Matches only an entry of a version up to this one; none left means insert.
          await this.#keyBackups.replaceOne({ ...key, v: { $lte: doc.v } }, doc, { upsert: true });
        } catch (error) {
          // The unique index refused the insert: an entry of a higher version is there (or a racing put
          // made one); try once more in case that racer's version was lower, else keep the higher one.
          if (!isDuplicateKey(error)) throw error;
          await this.#keyBackups.replaceOne({ ...key, v: { $lte: doc.v } }, doc).catch((e: unknown) => {
            if (!isDuplicateKey(e)) throw e;
          });
        }
      }
    });
  }

  async listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]> {
    const filter = {
      principalId: str(principalId, "principalId"),
      convId: str(convId, "convId"),
      epoch: { $gt: num(after, "after") },
    };
    const n = Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 0;
    if (n === 0) return [];
    const docs = await this.#run(() => this.#keyBackups.find(filter, NO_ID).sort({ epoch: 1 }).limit(n).toArray());
    return docs.map((d) => ({ convId: d.convId, epoch: d.epoch, v: d.v, ct: d.ct }));
  }

  async listTeam(shopId: string): Promise<PrincipalRecord[]> {
    // Served by the {shopId, kind, externalId} unique index's {shopId, kind} prefix.
    const filter = { shopId: str(shopId, "shopId"), kind: { $in: ["agent", "bot"] as PrincipalRecord["kind"][] } };
    return this.#run(() => this.#principals.find(filter, NO_ID).sort({ createdAt: 1, id: 1 }).toArray());
  }

  async setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }> {
    const filter = { convId: str(marker.convId, "convId"), principalId: str(marker.principalId, "principalId") };
    const seq = num(marker.seq, "seq");
    const update = { $max: { seq }, $set: { at: num(marker.at, "at") } };
    // Read, compare, write: serialized per marker in this process (FerretDB updates are not atomic);
    // `$max` keeps the marker monotonic across processes on MongoDB.
    return this.#serial(`read:${filter.convId}:${filter.principalId}`, () =>
      this.#run(async () => {
        const current = (await this.#readMarkers.findOne(filter, NO_ID))?.seq ?? 0;
        if (!(seq > current)) return { seq: current, moved: false };
        try {
          await this.#readMarkers.updateOne(filter, update, { upsert: true });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          await this.#readMarkers.updateOne(filter, update);
        }
        return { seq, moved: true };
      }),
    );
  }

  async addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }> {
    const doc: StoredNote = {
      convId: str(note.convId, "convId"),
      id: str(note.id, "id"),
      author: str(note.author, "author"),
      ts: num(note.ts, "ts"),
      envelope: envelopeDoc(note.envelope),
    };
    const filter = { convId: doc.convId, id: doc.id };
    return this.#run(async () => {
      try {
        await this.#notes.insertOne({ ...doc });
        return { note: doc, duplicate: false };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const stored = await this.#notes.findOne(filter, NO_ID);
        if (!stored) throw error;
        return { note: stored, duplicate: true };
      }
    });
  }

  async listNotes(convId: string, limit: number): Promise<StoredNote[]> {
    const filter = { convId: str(convId, "convId") };
    const n = clampLimit(limit);
    if (n === 0) return [];
    return this.#run(async () =>
      (await this.#notes.find(filter, NO_ID).sort({ ts: -1, id: -1 }).limit(n).toArray()).reverse(),
    );
  }

  async readMarkers(convId: string): Promise<ReadMarker[]> {
    const filter = { convId: str(convId, "convId") };
    return this.#run(() => this.#readMarkers.find(filter, NO_ID).sort({ principalId: 1 }).toArray());
  }

  async unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>> {
    const sender = str(principalId, "principalId");
    const convs = conversations.map((c) => ({ id: str(c.id, "convId"), lastSeq: num(c.lastSeq, "lastSeq") }));
    const counts = new Map<string, UnreadCount>();
    if (convs.length === 0) return counts;
    return this.#run(async () => {
      const markers = await this.#readMarkers
        .find({ principalId: sender, convId: { $in: convs.map((c) => c.id) } }, NO_ID)
        .toArray();
      const marks = new Map(markers.map((m) => [m.convId, m.seq]));
      await Promise.all(
        convs.map(async ({ id, lastSeq }) => {
          const readUpTo = marks.get(id) ?? 0;
          const above = lastSeq - readUpTo;
          const own =
            above > 0
              ? await this.#messages.countDocuments({ convId: id, sender, seq: { $gt: readUpTo, $lte: lastSeq } })
              : 0;
          counts.set(id, { readUpTo, unread: Math.max(0, above - own) });
        }),
      );
      return counts;
    });
  }

  async consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    const doc: TokenIdDoc = {
      issuer: str(issuer, "issuer"),
      jti: str(jti, "jti"),
      expiresAt: new Date(num(expiresAt, "expiresAt")),
    };
    return this.#run(async () => {
      const now = Date.now();
      if (this.#sweepTokens && now - this.#lastSweep >= TOKEN_SWEEP_MS) {
        this.#lastSweep = now;
        await this.#tokenIds.deleteMany({ expiresAt: { $lte: new Date(now) } });
      }
      try {
        await this.#tokenIds.insertOne(doc);
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    });
  }
}
