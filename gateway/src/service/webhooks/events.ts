/**
 * Which webhook events a shop gets, and what they say: the gateway's services
 * call this after a change is stored, and it writes the event to the outbox
 * (delivery.ts sends it). Content-free by construction: every field is copied
 * from records the gateway keeps (ids, status, roles, seqs, times), never from
 * an envelope. `message.created` goes out only for members outside the shop's
 * team who are offline (presence.ts), and a burst in one conversation
 * coalesces into one event while it waits (`coalesceMs`).
 *
 * Each event keeps the id of the request that caused it (`requestId`; a
 * coalesced burst keeps the first request's), which every delivery attempt
 * sends as `Parley-Request-Id`.
 *
 * A failure to write the outbox is logged and never fails the user's request:
 * the change itself is stored already.
 */
import {
  isTeamRole,
  randomId,
  type StoredMessage,
  type WebhookConversationData,
  type WebhookEventType,
  type WebhookMessageData,
  type WebhookPrincipal,
} from "@parley/sdk/protocol";
import type { Logger } from "pino";
import type {
  ConversationRecord,
  MemberRecord,
  PrincipalRecord,
  PrincipalStore,
  WebhookItem,
  WebhookStore,
} from "../../store/port.js";
import type { WebhookOptions } from "./options.js";

/** How long whether a shop has a webhook is remembered, ms (a change on another gateway shows after it). */
const CONFIG_CACHE_MS = 5000;

export interface WebhookEventsOptions {
  store: WebhookStore & PrincipalStore;
  /** Whether a principal has a live connection (any gateway's heartbeat). */
  isOnline: (principalId: string) => boolean;
  settings: Required<WebhookOptions>;
  now: () => number;
  log?: Logger | undefined;
}

/** A conversation change as triage reports it. */
export type ConversationChange = "conversation.assigned" | "conversation.closed" | "conversation.reopened";

const who = (p: PrincipalRecord): WebhookPrincipal => ({
  principalId: p.id,
  externalId: p.externalId,
  kind: p.kind,
});

export class WebhookEvents {
  readonly #o: WebhookEventsOptions;
  readonly #configured = new Map<string, { at: number; has: boolean }>();

  constructor(options: WebhookEventsOptions) {
    this.#o = options;
  }

  /** Forget what is cached about a shop's webhook (its config changed on this gateway). */
  forget(shopId: string): void {
    this.#configured.delete(shopId);
  }

  async #hasWebhook(shopId: string): Promise<boolean> {
    const now = this.#o.now();
    const cached = this.#configured.get(shopId);
    if (cached && now - cached.at < CONFIG_CACHE_MS) return cached.has;
    const has = (await this.#o.store.getWebhookConfig(shopId)) !== undefined;
    this.#configured.set(shopId, { at: now, has });
    return has;
  }

  /** A customer opened a conversation, in the request `requestId`. */
  opened(conv: ConversationRecord, actor: PrincipalRecord, requestId?: string): Promise<void> {
    return this.#guard(() => this.#conversation("conversation.opened", conv, { actor, requestId }));
  }

  /**
   * Triage changed a conversation, in the request `requestId`: each change of status or assignee between
   * `before` and `after` is one event.
   */
  changed(
    before: ConversationRecord,
    after: ConversationRecord,
    by: { actor: PrincipalRecord | null; requestId?: string | undefined },
  ): Promise<void> {
    return this.#guard(async () => {
      if ((before.assignee ?? null) !== (after.assignee ?? null)) {
        await this.#conversation("conversation.assigned", after, by);
      }
      if (before.status !== after.status) {
        await this.#conversation(
          after.status === "closed" ? "conversation.closed" : "conversation.reopened",
          after,
          by,
        );
      }
    });
  }

  /**
   * A new message was stored, in the request `requestId`: `message.created` when some member outside the
   * team is offline.
   */
  stored(
    conv: ConversationRecord,
    members: readonly MemberRecord[],
    message: Pick<StoredMessage, "seq" | "ts">,
    by: { sender: PrincipalRecord; requestId?: string | undefined },
  ): Promise<void> {
    const { sender, requestId } = by;
    return this.#guard(async () => {
      const away = members.filter(
        (m) => !isTeamRole(m.role) && m.principalId !== sender.id && !this.#o.isOnline(m.principalId),
      );
      if (away.length === 0 || !(await this.#hasWebhook(conv.shopId))) return;
      const recipients = (await this.#o.store.getPrincipals(away.map((m) => m.principalId))).map(who);
      const data: WebhookMessageData = {
        conversationId: conv.id,
        recipients,
        count: 1,
        firstSeq: message.seq,
        lastSeq: message.seq,
        senderRole: members.find((m) => m.principalId === sender.id)?.role ?? sender.kind,
        lastMessageAt: message.ts,
      };
      const now = this.#o.now();
      const item = this.#item("message.created", conv.shopId, { ...data }, { now, requestId, coalesce: conv.id });
      await this.#o.store.enqueueWebhook(item, {
        add: { count: 1 },
        max: { lastSeq: message.seq, lastMessageAt: message.ts },
        dueAfter: now,
      });
    });
  }

  async #conversation(
    type: WebhookEventType,
    conv: ConversationRecord,
    by: { actor: PrincipalRecord | null; requestId?: string | undefined },
  ): Promise<void> {
    const { actor, requestId } = by;
    if (!(await this.#hasWebhook(conv.shopId))) return;
    const ids = [conv.createdBy, ...(conv.assignee ? [conv.assignee] : [])];
    const principals = new Map((await this.#o.store.getPrincipals(ids)).map((p) => [p.id, p]));
    const customer = principals.get(conv.createdBy);
    const assignee = conv.assignee ? principals.get(conv.assignee) : undefined;
    const data: WebhookConversationData = {
      conversationId: conv.id,
      status: conv.status,
      assignee: assignee ? who(assignee) : null,
      handover: conv.handover === true,
      customer: customer ? who(customer) : null,
      actor: actor ? who(actor) : null,
      at: conv.updatedAt,
    };
    await this.#o.store.enqueueWebhook(this.#item(type, conv.shopId, { ...data }, { now: this.#o.now(), requestId }));
  }

  /** A new outbox item; `coalesce`: the conversation whose `message.created` events merge while waiting. */
  #item(
    type: WebhookEventType,
    shopId: string,
    data: WebhookItem["data"],
    at: { now: number; requestId: string | undefined; coalesce?: string },
  ): WebhookItem {
    const { now, requestId, coalesce } = at;
    return {
      id: randomId("wh_"),
      shopId,
      type,
      createdAt: now,
      data,
      attempts: 0,
      dueAt: coalesce === undefined ? now : now + this.#o.settings.coalesceMs,
      ...(coalesce === undefined ? {} : { coalesceKey: `message.created:${coalesce}` }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }

  async #guard(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.#o.log?.warn({ err }, "cannot queue a webhook event");
    }
  }
}
