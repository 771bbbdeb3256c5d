/**
 * Messages: sending an envelope into a conversation (stored, then fanned out
 * to the members and the shop's team) and reading the stored ones back, by
 * page before a seq (`msg.history`) or after one (`msg.since`), each page
 * bounded in count and in bytes so that it fits one NATS message. The gateway
 * never reads an envelope's content; it checks only where it goes and under
 * which epoch it was sealed. A member who joined by an invite offering less
 * than everything reads only messages stored at or after its history floor
 * (`historyFrom`, by the gateway's stored time; ADR 0024).
 */
import { isTeamRole, type RpcResults, type rpcRequestSchemas } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type {
  ConversationStore,
  EpochStore,
  MemberStore,
  MessageStore,
  PrincipalRecord,
  TeamKeyStore,
} from "../store/port.js";
import { admit, type ConversationAccess } from "./access.js";
import type { RpcContext } from "./chat-service.js";
import { headFor } from "./epoch-head.js";
import { type EventFanout, messageEventJson } from "./events.js";
import { readPage } from "./paging.js";
import { RateLimit } from "./rate-limits.js";
import type { ShopStorage } from "./storage.js";
import type { Triage } from "./triage.js";
import type { WebhookEvents } from "./webhooks/events.js";

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface MessagesOptions {
  store: MessageStore & ConversationStore & MemberStore & EpochStore & TeamKeyStore;
  fanout: EventFanout;
  access: ConversationAccess;
  /** Reopens a closed conversation when its customer writes (triage.ts). */
  triage: Triage;
  /** Sends per principal per second. @default 50 */
  sendRate?: number;
  /** The per-shop storage quota, and the claims of files a message refers to (storage.ts). */
  storage: ShopStorage;
  now: () => number;
  /** The shop's webhook events (`message.created` for offline members); absent, none. */
  webhooks?: WebhookEvents | undefined;
}

export class Messages {
  readonly #o: MessagesOptions;
  readonly #sendLimit: RateLimit;

  constructor(options: MessagesOptions) {
    this.#o = options;
    this.#sendLimit = new RateLimit({ points: options.sendRate ?? 50, durationSeconds: 1, name: "send" });
  }

  /**
   * After the shop's team key rotated (a login that held it was removed), nothing more is sent under an
   * epoch whose key is sealed to an older team key version: `stale_epoch`, and the sender, seeing the new
   * team key, commits a new epoch first. Shops whose key never rotated pay one read.
   */
  async #requireCurrentTeamWrap(convId: string, shopId: string, epoch: number): Promise<void> {
    const team = await this.#o.store.getTeamKey(shopId);
    if (!team || team.version < 2) return;
    const [head] = await this.#o.store.listCommits(convId, epoch - 1, 1);
    if (!head || head.teamWrap === "") return;
    // Format-1 commits predate rotation: their team wrap is sealed to version 1.
    const sealedTo = head.teamWrapVersion ?? 1;
    if (sealedTo < team.version) {
      throw new GatewayError(
        "stale_epoch",
        `the team key rotated to version ${team.version}: commit an epoch sealed to it before sending`,
      );
    }
  }

  /**
   * Stores the envelope (once per msgId) and publishes its `message` event to the members and the team.
   * Sets `context.eventToSender` when that event went to a subject the sender follows: its own user
   * subject (a member outside the team) or the team's (the sender is on the conversation's shop team),
   * so the event can stand for the reply (ADR 0052). Its events carry `context.requestId`, the id of
   * the request that sent it (ADR 0042).
   */
  async send(
    actor: PrincipalRecord,
    body: Body<"msg.send">,
    context: RpcContext = {},
  ): Promise<RpcResults["msg.send"]> {
    if (body.envelope.convId !== body.convId) {
      throw new GatewayError("bad_request", "envelope belongs to another conversation");
    }
    await this.#sendLimit.take(actor.id);
    // The members are needed for the fan-out anyway: one read gives them and the sender's membership,
    // and it runs beside the conversation's read (one round trip less on MongoDB, before and after).
    const [found, members] = await Promise.all([
      this.#o.store.getConversation(body.convId),
      this.#o.store.listMembers(body.convId),
    ]);
    const own = members.find((m) => m.principalId === actor.id);
    const admitted = admit(actor, found, own !== undefined);
    const { team } = admitted;
    // Sealed under a newer epoch than the conversation's cached head: the commits decide (epoch-head.ts).
    const conv = await headFor(this.#o.store, admitted.conv, body.envelope.epoch);
    // Once a conversation has an epoch chain, only envelopes sealed under its head are accepted:
    // a sender on an older epoch must fetch the commits and seal again.
    if (conv.epoch > 0 && body.envelope.alg === "none") {
      throw new GatewayError("bad_request", "this conversation is end-to-end encrypted");
    }
    if (body.envelope.epoch !== conv.epoch) throw new GatewayError("stale_epoch");
    if (conv.epoch > 0) await this.#requireCurrentTeamWrap(conv.id, conv.shopId, conv.epoch);
    // Refused whole before anything is written when it would take the shop past its storage quota.
    // Serialized once: its size here, the stored text and the event's payload below.
    const envelopeJson = JSON.stringify(body.envelope);
    const bytes = Buffer.byteLength(envelopeJson);
    await this.#o.storage.admit(conv.shopId, bytes);
    // Claimed before the append: a stored message's files are never swept (a claim whose send then
    // failed keeps its file, which the retry claims again).
    await this.#o.storage.claim(conv.id, body.blobs);
    const { message, duplicate } = await this.#o.store.append({
      convId: conv.id,
      msgId: body.envelope.msgId,
      sender: actor.id,
      ts: this.#o.now(),
      envelope: body.envelope,
      envelopeJson,
    });
    if (duplicate && message.sender !== actor.id) {
      throw new GatewayError("conflict", "message id already used by another sender");
    }
    // Persisted before anyone hears of it. A retry of a duplicate publishes again:
    // receivers drop repeats by seq, and the first publish may never have happened.
    // A duplicate's stored envelope is the first send's, which may differ from this request's.
    const eventJson = duplicate
      ? JSON.stringify({ type: "message", message })
      : messageEventJson(message, envelopeJson);
    this.#o.fanout.jsonToConversation(conv, members, eventJson, { requestId: context.requestId });
    // Where EventFanout sends it: each member outside the team on its user subject, the team on the team's.
    context.eventToSender = team || (own !== undefined && !isTeamRole(own.role));
    if (!duplicate) this.#o.storage.count(conv.shopId, bytes);
    if (!duplicate) await this.#o.triage.onCustomerMessage(actor, conv, context.requestId);
    if (!duplicate)
      await this.#o.webhooks?.stored(conv, members, message, { sender: actor, requestId: context.requestId });
    return { seq: message.seq, ts: message.ts, duplicate };
  }

  /**
   * Older messages: the page before seq `before` (the newest without it), newest first, at most `limit`
   * and at most REPLY_BUDGET_BYTES of them (paging.ts); `hasMore`: continue before the last one's seq.
   */
  async history(actor: PrincipalRecord, body: Body<"msg.history">): Promise<RpcResults["msg.history"]> {
    const { member } = await this.#o.access(actor, body.convId);
    const limit = body.limit ?? 50;
    const floor = member?.historyFrom;
    const { items, hasMore } = await readPage({
      limit,
      start: body.before,
      read: (before, rows) => this.#o.store.history(body.convId, before, rows, floor),
      cursorOf: (m) => m.seq,
    });
    return { messages: items, hasMore };
  }

  /**
   * Newer messages: the page after `after`, oldest first (catching up after a reconnect), bounded like
   * `history`; `hasMore`: continue after the last one's seq.
   */
  async since(actor: PrincipalRecord, body: Body<"msg.since">): Promise<RpcResults["msg.since"]> {
    const { member } = await this.#o.access(actor, body.convId);
    const limit = body.limit ?? 200;
    const floor = member?.historyFrom;
    const { items, hasMore } = await readPage({
      limit,
      start: body.after,
      read: (after, rows) => this.#o.store.since(body.convId, after, rows, floor),
      cursorOf: (m) => m.seq,
    });
    return { messages: items, hasMore };
  }
}
