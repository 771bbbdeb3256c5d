/**
 * Webhooks: what the gateway POSTs to a shop's backend when something happens
 * that the shop may want to act on while nobody is watching (an offline
 * customer got a message, a conversation opened, was assigned or closed).
 * Content-free by construction: ids, times, roles and counts only, never a
 * message body, card, file name or ciphertext (the gateway holds none to give).
 * The gateway signs each delivery; `verifyWebhook` in `@parley/sdk/server`
 * checks it. See docs/webhooks.md.
 */

/** The headers of a delivery. */
export const WebhookHeaders = {
  /** The event's id: the same on every retry of one event (the idempotency key). */
  id: "Parley-Webhook-Id",
  /** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>`. */
  signature: "Parley-Signature",
  /** Which attempt this is, from 1. */
  attempt: "Parley-Webhook-Attempt",
  /**
   * The id of the request that caused the event (its `X-Request-Id`), the same on every retry; absent when
   * no request did. Not signed: it names a gateway log line, it is not part of the event.
   */
  requestId: "Parley-Request-Id",
} as const;

/** The event types, in the order a conversation usually sees them. */
export const WebhookEventTypes = [
  "conversation.opened",
  "conversation.assigned",
  "conversation.closed",
  "conversation.reopened",
  "message.created",
] as const;
/** One of {@link WebhookEventTypes}. */
export type WebhookEventType = (typeof WebhookEventTypes)[number];

/** A principal as a webhook names it: the gateway's id and, for customers, the shop's own id (`sub`). */
export interface WebhookPrincipal {
  /** The gateway's principal id. */
  principalId: string;
  /** The shop's id for a customer (the customer token's `sub`), or an agent's login. */
  externalId: string;
  /** `customer`, `guest`, `agent` or `bot`. */
  kind: string;
}

/** `conversation.*`: where a conversation stands after the change. */
export interface WebhookConversationData {
  /** The conversation. */
  conversationId: string;
  /** `open` or `closed`. */
  status: string;
  /** The team member it is assigned to, if any (`null`: unassigned). */
  assignee: WebhookPrincipal | null;
  /** True once a bot handed the conversation to the human team. */
  handover: boolean;
  /** The customer who opened the conversation. */
  customer: WebhookPrincipal | null;
  /** Who made the change (`null`: the gateway itself, e.g. a customer's message reopening it). */
  actor: WebhookPrincipal | null;
  /** When the change happened, ms since the Unix epoch. */
  at: number;
}

/** `message.created`: new messages for customers who were offline when they arrived (a burst is one event). */
export interface WebhookMessageData {
  /** The conversation. */
  conversationId: string;
  /** The members who were offline when the first message of the burst arrived. */
  recipients: WebhookPrincipal[];
  /** How many messages the burst held. */
  count: number;
  /** The first and the last message's per-conversation sequence number. */
  firstSeq: number;
  /** The last message's sequence number. */
  lastSeq: number;
  /** The role of the first message's sender: `owner`, `member`, `agent` or `bot` (a team member). */
  senderRole: string;
  /** When the last message was stored, ms since the Unix epoch. */
  lastMessageAt: number;
}

/** One delivery's JSON body. */
export type WebhookEvent =
  | WebhookEventBase<
      "conversation.opened" | "conversation.assigned" | "conversation.closed" | "conversation.reopened",
      WebhookConversationData
    >
  | WebhookEventBase<"message.created", WebhookMessageData>;

/** The fields every event has. */
export interface WebhookEventBase<T extends WebhookEventType, D> {
  /** Unique per event, the same on every retry (also sent as `Parley-Webhook-Id`). */
  id: string;
  /** The event type. */
  type: T;
  /** The shop the event belongs to. */
  shopId: string;
  /** When the gateway recorded the event, ms since the Unix epoch. */
  createdAt: number;
  /** The event's data. */
  data: D;
}

/** Codes of `WebhookVerificationError` (`@parley/sdk/server`). */
export const WebhookErrorCodes = {
  /** The signature header or the body cannot be parsed. */
  webhook_malformed: {
    /** A default message for people. */
    message: "The webhook's signature header or body is malformed.",
  },
  /** No `v1` signature matches the body under the secret. */
  webhook_bad_signature: {
    /** A default message for people. */
    message: "The webhook's signature does not match.",
  },
  /** The signed timestamp is outside the tolerance (a replay, or a clock far off). */
  webhook_too_old: {
    /** A default message for people. */
    message: "The webhook's timestamp is outside the tolerance.",
  },
} as const;
/** One of {@link WebhookErrorCodes}. */
export type WebhookErrorCode = keyof typeof WebhookErrorCodes;

/** One delivery attempt as the delivery log (`webhook.log`) shows it. */
export interface WebhookAttemptInfo {
  /** The event's id. */
  eventId: string;
  /** The event type. */
  type: WebhookEventType;
  /** Which attempt, from 1. */
  attempt: number;
  /** When it started, ms since the Unix epoch. */
  at: number;
  /** The receiver's HTTP status; 0 when there was none (timeout, refused connection, blocked address). */
  status: number;
  /** How long it took, ms. */
  durationMs: number;
  /** `delivered`, `retry` (another attempt at `nextAt`) or `failed` (no more attempts). */
  outcome: "delivered" | "retry" | "failed";
  /** When the next attempt is due, when `outcome` is `retry`. */
  nextAt?: number;
  /** Why it failed, for people (no response body is ever kept). */
  error?: string;
}

/** The shop's webhook as `webhook.log` and the admin API show it (never the secret). */
export interface WebhookInfo {
  /** Where deliveries go. */
  url: string;
  /** When it was set, ms since the Unix epoch. */
  updatedAt: number;
}

/** Most attempts the delivery log keeps per shop. */
export const WEBHOOK_LOG_LIMIT = 100;
