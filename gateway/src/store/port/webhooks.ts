/**
 * Webhooks: each shop's endpoint and secret, the outbox of events waiting to
 * be delivered (persisted, so a restart loses none), and the delivery log.
 *
 * Delivery is claimed with a lease: `claimWebhooks` hands a due item to one
 * caller and moves its `dueAt` to the lease's end, so no other gateway takes it
 * until then; a gateway that dies mid-attempt leaves the item to be claimed
 * again when the lease lapses. The claimer settles it with the `dueAt` it got
 * (the lease token); a settle with a stale token changes nothing.
 */
import type { WebhookAttemptInfo, WebhookEventType } from "@parley/sdk/protocol";

export interface WebhookConfigRecord {
  shopId: string;
  url: string;
  /** The HMAC-SHA256 key deliveries are signed with. */
  secret: string;
  createdAt: number;
  updatedAt: number;
}

/** Plain JSON data of an event: ids, times, roles and counts (never content). */
export type WebhookData = Record<string, unknown>;

export interface WebhookItem {
  /** The event id (`Parley-Webhook-Id`). */
  id: string;
  shopId: string;
  type: WebhookEventType;
  createdAt: number;
  data: WebhookData;
  /** Attempts claimed so far (a claim counts, even when its gateway died before settling). */
  attempts: number;
  /** When the next attempt is due; while claimed, when the lease ends. */
  dueAt: number;
  /**
   * Items with the same key merge while none of them was attempted yet
   * (`message.created` of one conversation: a burst is one event).
   */
  coalesceKey?: string;
  /**
   * The id of the request that queued the event (`Parley-Request-Id` on every attempt); absent when no
   * request did. A merged event keeps the first one's.
   */
  requestId?: string;
}

/** How a new event merges into one of the same `coalesceKey` still waiting (see {@link WebhookStore.enqueueWebhook}). */
export interface WebhookCoalesce {
  /** Numbers added to the waiting item's data. */
  add: Record<string, number>;
  /** Numbers that replace the waiting item's when larger. */
  max: Record<string, number>;
  /** Merge only into an item due after this (so one about to be claimed is left alone). */
  dueAfter: number;
}

/** One attempt in the delivery log, with the shop it belongs to. */
export interface WebhookAttemptRecord extends WebhookAttemptInfo {
  shopId: string;
}

export interface WebhookStore {
  putWebhookConfig(config: WebhookConfigRecord): Promise<void>;
  getWebhookConfig(shopId: string): Promise<WebhookConfigRecord | undefined>;
  /** False when the shop had none. Waiting items stay (they fail for want of a webhook). */
  deleteWebhookConfig(shopId: string): Promise<boolean>;
  /**
   * Stores a new item. With `coalesce` and a waiting item of the same `coalesceKey` that was never
   * attempted and is due after `coalesce.dueAfter`, that item's data takes the merge instead and its id
   * is returned with `merged: true`.
   */
  enqueueWebhook(item: WebhookItem, coalesce?: WebhookCoalesce): Promise<{ id: string; merged: boolean }>;
  /**
   * Up to `limit` items due at `now`, each now leased to the caller alone until `now + leaseMs`: its
   * `dueAt` is that, its `attempts` one more. Returned as claimed.
   */
  claimWebhooks(now: number, leaseMs: number, limit: number): Promise<WebhookItem[]>;
  /**
   * Ends a claimed attempt: `retryAt` schedules the next one, without it the item is removed
   * (delivered, or failed for good). False (and nothing changed) when `leaseDueAt` is no longer the
   * item's `dueAt`: the lease lapsed and another claim took it.
   */
  settleWebhook(id: string, leaseDueAt: number, retryAt?: number): Promise<boolean>;
  /** Appends to the shop's delivery log, which keeps the newest `keep` attempts. */
  logWebhookAttempt(attempt: WebhookAttemptRecord, keep: number): Promise<void>;
  /** The shop's newest attempts, newest first. */
  listWebhookAttempts(shopId: string, limit: number): Promise<WebhookAttemptRecord[]>;
}
