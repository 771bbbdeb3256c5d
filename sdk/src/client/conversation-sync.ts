/**
 * Keeps conversations in step with the gateway: opening and listing them,
 * loading the newest page and older ones, taking in live and acknowledged
 * messages (each seq once), backfilling gaps single-flight per conversation,
 * and catching up after a reconnect.
 */

import type { ConversationState } from "../conversation-tracker.js";
import { ParleyError, SdkError } from "../errors.js";
import type { StoredMessage } from "../protocol/envelope.js";
import type { ConversationInfo } from "../protocol/models.js";
import { retryRateLimited } from "../rate-limit-retry.js";
import { foldBody } from "./body-kind-rules.js";
import type { ClientCore } from "./core.js";
import type { MessageDecoder } from "./message-decoder.js";

/** Messages per history page. */
export const PAGE = 50;
/** Messages per backfill request. */
const BACKFILL_PAGE = 200;
/** Catching up after a reconnect: tries per request, and the backoff between them (doubling). */
const CATCH_UP_ATTEMPTS = 8;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

export class ConversationSync {
  readonly #core: ClientCore;
  readonly #decoder: MessageDecoder;
  readonly #backfills = new Map<string, Promise<void>>();

  constructor(core: ClientCore, decoder: MessageDecoder) {
    this.#core = core;
    this.#decoder = decoder;
  }

  /** Records what the gateway says about a conversation, and passes it on. */
  setInfo(info: ConversationInfo): ConversationInfo {
    this.#core.tracker(info.id).setInfo(info);
    return info;
  }

  /** A customer opens a new conversation; with encryption, also commits its first epoch. */
  async open(): Promise<ConversationInfo> {
    const core = this.#core;
    const { conversation } = await core.request("conv.open", {});
    const tracker = core.tracker(conversation.id);
    tracker.setInfo(conversation);
    tracker.anchor(conversation.lastSeq, false);
    // Should this fail (offline), the first send commits the epoch instead.
    if (core.e2e) await core.e2e.created(conversation).catch(core.report);
    return conversation;
  }

  async list(limit: number): Promise<ConversationInfo[]> {
    const { conversations } = await this.#core.request("conv.list", { limit });
    for (const c of conversations) this.#core.tracker(c.id).setInfo(c);
    return conversations;
  }

  /** Loads the conversation's details and newest page, and follows it from there. */
  async load(convId: string): Promise<ConversationState> {
    const core = this.#core;
    const tracker = core.tracker(convId);
    const [{ conversation, reads }, page] = await Promise.all([
      core.request("conv.get", { convId }),
      core.request("msg.history", { convId, limit: PAGE }),
    ]);
    tracker.setInfo(conversation);
    for (const r of reads ?? []) tracker.setReadBy(r.principalId, r.seq);
    // An empty last page: nothing at or below the conversation's seq is for this member (a member who
    // joined by an invite offering no history), so following starts there rather than at 0.
    const newest = page.messages[0]?.seq ?? (page.hasMore ? 0 : conversation.lastSeq);
    await this.ingest(convId, page.messages, false);
    if (!tracker.anchored) tracker.anchor(newest, page.hasMore);
    else tracker.setHasOlder(page.hasMore);
    if (tracker.hasGap() || tracker.state.value.lastSeq < conversation.lastSeq) await this.backfill(convId);
    return tracker.state.value;
  }

  /** Loads the page before the oldest loaded message. Resolves false when there is nothing older. */
  async loadOlder(convId: string, limit: number): Promise<boolean> {
    const tracker = this.#core.tracker(convId);
    const oldest = tracker.state.value.messages[0]?.seq;
    if (oldest === undefined) {
      await this.load(convId);
      return tracker.state.value.hasOlder;
    }
    const page = await this.#core.request("msg.history", { convId, before: oldest, limit });
    await this.ingest(convId, page.messages, false);
    tracker.setHasOlder(page.hasMore);
    return page.hasMore;
  }

  /** A live message: follows the conversation from it, takes it in, and closes any gap it reveals. */
  async live(message: StoredMessage): Promise<void> {
    const tracker = this.#core.tracker(message.convId);
    if (!tracker.anchored) tracker.anchor(message.seq - 1, message.seq > 1);
    await this.ingest(message.convId, [message], true);
    if (tracker.hasGap()) await this.backfill(message.convId);
  }

  /** Decodes and inserts messages not seen before; `live` ones are announced as `message` events. */
  async ingest(convId: string, messages: readonly StoredMessage[], live: boolean): Promise<void> {
    const core = this.#core;
    // A send waiting for its own message settles on it, seen before or not (send-acks.ts).
    core.sendAcks.seen(messages, core.self);
    const tracker = core.tracker(convId);
    const fresh = messages.filter((m) => m.convId === convId && tracker.claim(m.seq));
    if (fresh.length === 0) return;
    const decoded = await Promise.all(fresh.map((m) => this.#decoder.decode(m)));
    tracker.insert(decoded);
    for (const listener of core.ingested) listener(convId, decoded);
    for (const message of decoded) {
      foldBody(tracker.state, message);
      core.waiters.get(message.msgId)?.resolve(message);
      core.waiters.delete(message.msgId);
      if (live) core.events.emit("message", { conversationId: convId, message });
    }
  }

  /**
   * Fetches everything after the watermark until the conversation is contiguous again, page by page
   * (`msg.since` pages end at a count or at the gateway's byte budget). Single-flight per conversation.
   */
  backfill(convId: string): Promise<void> {
    const running = this.#backfills.get(convId);
    if (running) return running;
    const tracker = this.#core.tracker(convId);
    const work = (async () => {
      let after = tracker.state.value.lastSeq;
      for (;;) {
        // A quota's refusal is waited out when short; a long one ends this catch-up (the next gap or
        // reconnect starts another), so a client never spins against it.
        const from = after;
        const page = await retryRateLimited(
          () => this.#core.request("msg.since", { convId, after: from, limit: BACKFILL_PAGE }),
          { stopped: () => this.#core.closed },
        );
        await this.ingest(convId, page.messages, true);
        // A page ends at the limit or at the gateway's byte budget (one large message may fill it):
        // continue after its last message. A page that moved nothing ends the backfill, whatever
        // `hasMore` says (a lying gateway cannot keep us asking).
        const last = page.messages.at(-1)?.seq;
        if (!page.hasMore || last === undefined || last <= after) break;
        after = last;
      }
    })().finally(() => this.#backfills.delete(convId));
    this.#backfills.set(convId, work);
    return work;
  }

  /**
   * After a reconnect: everything sent while this client was away, for every followed conversation,
   * and the conversations it has not heard of (opened meanwhile in another tab or on another device),
   * announced as `conversation` events like live ones.
   */
  catchUp(): void {
    const core = this.#core;
    for (const [convId, tracker] of core.trackers) {
      if (!tracker.anchored) continue;
      this.#retrying(() => this.backfill(convId)).catch(core.report);
    }
    this.#retrying(() => core.request("conv.list", { limit: PAGE }))
      .then(({ conversations }) => {
        for (const c of conversations) {
          if (core.trackers.get(c.id)?.state.value.info) continue;
          core.tracker(c.id).setInfo(c);
          core.events.emit("conversation", c);
        }
      })
      .catch(core.report);
  }

  /**
   * Runs `work` again with backoff while it fails for a reason that may pass and the client stays
   * connected: after a nats-server restart this client may be back before any gateway is, and its
   * first requests then find no responders. A later reconnect catches up anew.
   */
  async #retrying<T>(work: () => Promise<T>): Promise<T> {
    let delay = FIRST_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        const core = this.#core;
        const again = err instanceof SdkError && err.retryable && attempt < CATCH_UP_ATTEMPTS;
        if (!again || core.closed || core.status.value.state !== "connected") throw err;
        const wait = err instanceof ParleyError && err.retryAfter !== undefined ? err.retryAfter * 1000 : delay;
        await new Promise((resolve) => setTimeout(resolve, wait));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  }
}
