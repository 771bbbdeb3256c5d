/**
 * The store port: everything the gateway keeps, split by aggregate (one
 * interface per file in `port/`), with two adapters (embedded SQLite in
 * `sqlite/`, MongoDB in `mongo/`) that pass one conformance suite
 * (`conformance/`). A service takes only the aggregates it uses, e.g.
 * `store: MessageStore & ReadMarkerStore`; `Store` is all of them.
 * Adapters receive only primitives and plain objects built by the gateway,
 * never raw request bodies.
 *
 * Stored content is ciphertext envelopes plus the metadata the gateway needs;
 * never message bodies.
 */
import type { AgentStore } from "./port/agents.js";
import type { BlockStore } from "./port/blocks.js";
import type { ConversationStore } from "./port/conversations.js";
import type { DeviceStore } from "./port/devices.js";
import type { EpochStore } from "./port/epochs.js";
import type { InviteStore } from "./port/invites.js";
import type { KeyBackupStore } from "./port/key-backups.js";
import type { StoreLifecycle } from "./port/lifecycle.js";
import type { LimiterStore } from "./port/limits.js";
import type { MemberStore } from "./port/members.js";
import type { MembershipLogStore } from "./port/membership-log.js";
import type { MessageStore } from "./port/messages.js";
import type { NoteStore } from "./port/notes.js";
import type { PrincipalStore } from "./port/principals.js";
import type { ReadMarkerStore } from "./port/read-markers.js";
import type { SessionStore } from "./port/sessions.js";
import type { ShopStore } from "./port/shops.js";
import type { TeamKeyStore } from "./port/team-keys.js";
import type { TokenIdStore } from "./port/token-ids.js";
import type { UsageStore } from "./port/usage.js";
import type { WebhookStore } from "./port/webhooks.js";

export type { AgentRecord, AgentStore } from "./port/agents.js";
export type { BlockRecord, BlockStore } from "./port/blocks.js";
export type { ConversationPatch, ConversationRecord, ConversationStore } from "./port/conversations.js";
export type { DeviceRecord, DeviceStore } from "./port/devices.js";
export type { AppendCommitResult, EpochStore } from "./port/epochs.js";
export { StoreNotFoundError, StoreUnavailableError } from "./port/errors.js";
export type { InviteRecord, InviteStore } from "./port/invites.js";
export type { KeyBackupStore } from "./port/key-backups.js";
export type { StoreLifecycle } from "./port/lifecycle.js";
export type { LimiterStore, LimitRule, SharedLimiter } from "./port/limits.js";
export type { MemberRecord, MemberStore } from "./port/members.js";
export type { MembershipLogStore, MembershipRecord } from "./port/membership-log.js";
export type { AppendResult, MessageStore, NewMessage } from "./port/messages.js";
export type { NoteCursor, NoteStore } from "./port/notes.js";
export type { PrincipalRecord, PrincipalStore, SetHandleResult } from "./port/principals.js";
export type { ReadMarker, ReadMarkerStore, UnreadCount } from "./port/read-markers.js";
export type { SessionRecord, SessionRevokeReason, SessionStore } from "./port/sessions.js";
export type { ShopRecord, ShopStore } from "./port/shops.js";
export type { TeamKeyStore } from "./port/team-keys.js";
export type { TokenIdStore } from "./port/token-ids.js";
export type { UsageStore } from "./port/usage.js";
export type {
  WebhookAttemptRecord,
  WebhookCoalesce,
  WebhookConfigRecord,
  WebhookData,
  WebhookItem,
  WebhookStore,
} from "./port/webhooks.js";

/** The whole store: every aggregate, as each adapter implements it. */
export type Store = StoreLifecycle &
  ShopStore &
  PrincipalStore &
  AgentStore &
  DeviceStore &
  ConversationStore &
  MemberStore &
  MembershipLogStore &
  InviteStore &
  BlockStore &
  MessageStore &
  EpochStore &
  TeamKeyStore &
  KeyBackupStore &
  ReadMarkerStore &
  NoteStore &
  TokenIdStore &
  SessionStore &
  LimiterStore &
  UsageStore &
  WebhookStore;
