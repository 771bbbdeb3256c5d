/**
 * The MongoDB store's collections, the document type each holds and the
 * indexes each needs (created one by one by `init()`: FerretDB v1 drops the
 * connection when several specs that all exist are created at once).
 */
import type { EpochCommit, StoredMessage, StoredNote, TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import type { Collection, Db, Document } from "mongodb";
import type { AgentRecord } from "../port/agents.js";
import type { BlockRecord } from "../port/blocks.js";
import type { ConversationRecord } from "../port/conversations.js";
import type { DeviceRecord } from "../port/devices.js";
import type { InviteRecord } from "../port/invites.js";
import type { MemberRecord } from "../port/members.js";
import type { MembershipRecord } from "../port/membership-log.js";
import type { PrincipalRecord } from "../port/principals.js";
import type { ReadMarker } from "../port/read-markers.js";
import type { SessionRecord } from "../port/sessions.js";
import type { ShopRecord } from "../port/shops.js";
import type { KeyBackupDoc } from "../rules/records.js";

/** Every read leaves MongoDB's `_id` out: documents come back in the port's shapes. */
export const NO_ID = { projection: { _id: 0 } } as const;

/** A used customer token id; `expiresAt` a Date so a TTL index can expire it. */
export interface TokenIdDoc {
  issuer: string;
  jti: string;
  expiresAt: Date;
}

/** Conversations stored before epochs existed have no `epoch` field: their head is 0. */
export const withEpoch = (c: ConversationRecord): ConversationRecord =>
  typeof c.epoch === "number" ? c : { ...c, epoch: 0 };

/**
 * A principal as stored: the record plus the keys that make its handle and the handle's skeleton
 * unique per shop (`<shopId>/<handle>`, `<shopId>/<skeleton>`): single fields, so a sparse unique
 * index leaves principals without a handle out (a sparse compound index would not: every principal
 * has a shopId; FerretDB v1 has no partial indexes). Reads leave them out ({@link PRINCIPAL_FIELDS}).
 */
export interface PrincipalDoc extends PrincipalRecord {
  shopHandle?: string;
  shopSkeleton?: string;
}

/** The projection of principal reads: the record without `_id` and the uniqueness keys. */
export const PRINCIPAL_FIELDS = { projection: { _id: 0, shopHandle: 0, shopSkeleton: 0 } } as const;

/** One point taken from a shared rate limit (limits.ts): its limiter and key, when, and when it stops counting. */
export interface RateLimitHitDoc {
  key: string;
  at: Date;
  expire: Date;
}

/**
 * One version of a shop's storage counter (usage.ts): versions of a shop are unique, so of two
 * processes adding at once one wins each version and the other tries the next (FerretDB v1's
 * `$inc` is not atomic across processes). Versions far behind the newest are deleted.
 */
export interface ShopUsageDoc {
  shopId: string;
  v: number;
  bytes: number;
}

/** The typed collections, by name. */
export interface Collections {
  shops: Collection<ShopRecord>;
  principals: Collection<PrincipalDoc>;
  agents: Collection<AgentRecord>;
  devices: Collection<DeviceRecord>;
  conversations: Collection<ConversationRecord>;
  members: Collection<MemberRecord>;
  invites: Collection<InviteRecord>;
  blocks: Collection<BlockRecord>;
  membershipLog: Collection<MembershipRecord>;
  messages: Collection<StoredMessage>;
  tokenIds: Collection<TokenIdDoc>;
  sessions: Collection<SessionRecord>;
  commits: Collection<EpochCommit>;
  teamKeys: Collection<TeamKeyRecord>;
  teamWraps: Collection<TeamKeyWrap>;
  readMarkers: Collection<ReadMarker>;
  notes: Collection<StoredNote>;
  keyBackups: Collection<KeyBackupDoc>;
  rateLimitHits: Collection<RateLimitHitDoc>;
  shopUsage: Collection<ShopUsageDoc>;
}

/** The collections of one database. */
export const collections = (db: Db): Collections => ({
  shops: db.collection("shops"),
  principals: db.collection("principals"),
  agents: db.collection("agents"),
  devices: db.collection("devices"),
  conversations: db.collection("conversations"),
  members: db.collection("members"),
  invites: db.collection("invites"),
  blocks: db.collection("blocks"),
  membershipLog: db.collection("membershipLog"),
  messages: db.collection("messages"),
  tokenIds: db.collection("tokenIds"),
  sessions: db.collection("sessions"),
  commits: db.collection("commits"),
  teamKeys: db.collection("teamKeys"),
  teamWraps: db.collection("teamWraps"),
  readMarkers: db.collection("readMarkers"),
  notes: db.collection("notes"),
  keyBackups: db.collection("keyBackups"),
  rateLimitHits: db.collection("rateLimitHits"),
  shopUsage: db.collection("shopUsage"),
});

/** Every collection with the indexes it needs. */
export const INDEXES: Record<string, { key: Document; unique?: boolean; sparse?: boolean }[]> = {
  shops: [{ key: { id: 1 }, unique: true }],
  principals: [
    { key: { id: 1 }, unique: true },
    { key: { shopId: 1, kind: 1, externalId: 1 }, unique: true },
    // Sparse rather than partial: FerretDB v1 lacks partialFilterExpression; a principal without handle has no field.
    { key: { shopHandle: 1 }, unique: true, sparse: true },
    { key: { shopSkeleton: 1 }, unique: true, sparse: true },
  ],
  agents: [{ key: { shopId: 1, login: 1 }, unique: true }],
  devices: [{ key: { principalId: 1, deviceId: 1 }, unique: true }, { key: { deviceId: 1 } }],
  conversations: [{ key: { id: 1 }, unique: true }, { key: { shopId: 1, updatedAt: -1 } }],
  members: [{ key: { convId: 1, principalId: 1 }, unique: true }, { key: { principalId: 1 } }],
  invites: [{ key: { id: 1 }, unique: true }, { key: { invitee: 1, status: 1 } }, { key: { convId: 1, invitee: 1 } }],
  // One block per pair; block.list reads a blocker's newest first.
  blocks: [{ key: { blocker: 1, blocked: 1 }, unique: true }, { key: { blocker: 1, blockedAt: -1 } }],
  // member.history reads a conversation's newest changes.
  membershipLog: [{ key: { convId: 1, ts: -1, _id: -1 } }],
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
  // Revoking by principal; sweeping families no token of which is valid any more.
  sessions: [{ key: { id: 1 }, unique: true }, { key: { principalId: 1 } }, { key: { keepUntil: 1 } }],
  // Unique: the compare-and-set of `appendCommit` (one winner per epoch, across processes).
  commits: [{ key: { convId: 1, epoch: 1 }, unique: true }],
  // Unique: the compare-and-set of `putTeamKey` (one winner per version, across processes).
  teamKeys: [{ key: { shopId: 1, version: 1 }, unique: true }],
  teamWraps: [{ key: { shopId: 1, version: 1, deviceId: 1 }, unique: true }],
  keyBackups: [{ key: { principalId: 1, convId: 1, epoch: 1 }, unique: true }],
  // A key's points in its window are counted from this index; expired ones are swept by the expiry.
  rateLimitHits: [{ key: { key: 1, at: 1 } }, { key: { expire: 1 } }],
  // Unique: the compare-and-set of `addShopBytes` (one winner per version, across processes).
  shopUsage: [{ key: { shopId: 1, v: 1 }, unique: true }],
};

/** Indexes of earlier releases that `init()` drops: handles were unique across shops. */
export const DROPPED_INDEXES: { collection: keyof Collections; name: string }[] = [
  { collection: "principals", name: "handle_1" },
];
