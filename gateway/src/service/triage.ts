/**
 * Who handles a conversation, and whether it is still open: assignment to a
 * member of the shop's team, close and reopen, and a bot's handover to the
 * human team. Only the shop's own team may change these; everyone in the
 * conversation (and the whole team) hears of each change as a `conversation`
 * event. A customer writing into a closed conversation reopens it (the
 * expectation set by Intercom and Chatwoot), through {@link Triage.onCustomerMessage}.
 * Each `conversation` event carries the id of the request that made the change
 * (`requestId`: the triage op's, or the reopening `msg.send`'s).
 */

import type { ConversationInfo } from "@parley/sdk/protocol";
import { isTeamKind } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type {
  ConversationPatch,
  ConversationRecord,
  ConversationStore,
  MemberStore,
  PrincipalRecord,
  PrincipalStore,
} from "../store/port.js";
import type { EventFanout } from "./events.js";
import { isTeamMember, teamConversation } from "./team.js";
import type { WebhookEvents } from "./webhooks/events.js";

export interface TriageOptions {
  store: ConversationStore & MemberStore & PrincipalStore;
  fanout: EventFanout;
  now: () => number;
  /** The shop's webhook events (`conversation.assigned`, `.closed`, `.reopened`); absent, none. */
  webhooks?: WebhookEvents | undefined;
}

export class Triage {
  constructor(private readonly o: TriageOptions) {}

  /** Assigns to a team member of the conversation's shop, or unassigns with `null`. */
  async assign(
    actor: PrincipalRecord,
    body: { convId: string; assignee: string | null },
    requestId?: string,
  ): Promise<ConversationRecord> {
    const { convId, assignee } = body;
    const conv = await this.#teamConversation(actor, convId);
    if (assignee !== null) {
      const target = await this.o.store.getPrincipal(assignee);
      if (!target || !isTeamMember(target, conv.shopId)) {
        throw new GatewayError("bad_request", "the assignee must be an agent or bot of the conversation's shop");
      }
      if (target.kind === "bot" && conv.handover) {
        throw new GatewayError("conflict", "the conversation was handed over to the human team");
      }
    }
    return this.#update(conv, { assignee }, { actor, requestId });
  }

  async close(actor: PrincipalRecord, convId: string, requestId?: string): Promise<ConversationRecord> {
    const conv = await this.#teamConversation(actor, convId);
    return this.#update(conv, { status: "closed" }, { actor, requestId });
  }

  async reopen(actor: PrincipalRecord, convId: string, requestId?: string): Promise<ConversationRecord> {
    const conv = await this.#teamConversation(actor, convId);
    return this.#update(conv, { status: "open" }, { actor, requestId });
  }

  /**
   * A bot (or an agent on a bot's behalf) hands the conversation to the human
   * team: unassigned, open, and flagged so bots stay out of it.
   */
  async handover(actor: PrincipalRecord, convId: string, requestId?: string): Promise<ConversationRecord> {
    const conv = await this.#teamConversation(actor, convId);
    return this.#update(conv, { handover: true, assignee: null, status: "open" }, { actor, requestId });
  }

  /** After a customer's message is stored: a closed conversation opens again (`requestId`: the send's). */
  async onCustomerMessage(actor: PrincipalRecord, conv: ConversationRecord, requestId?: string): Promise<void> {
    if (isTeamKind(actor.kind) || conv.status !== "closed") return;
    await this.#update(conv, { status: "open" }, { actor, requestId });
  }

  #teamConversation(actor: PrincipalRecord, convId: string): Promise<ConversationRecord> {
    return teamConversation(this.o.store, actor, convId, "only the shop's team triages conversations");
  }

  async #update(
    conv: ConversationRecord,
    patch: ConversationPatch,
    by: { actor: PrincipalRecord; requestId: string | undefined },
  ): Promise<ConversationRecord> {
    const { actor, requestId } = by;
    const record = await this.o.store.updateConversation(conv.id, patch, this.o.now());
    // Per-caller figures (read marker, unread) are not the event's to say: receivers keep theirs.
    const conversation: ConversationInfo = { ...record, readUpTo: 0, unread: 0 };
    const members = await this.o.store.listMembers(conv.id);
    this.o.fanout.toConversation(record, members, { type: "conversation", conversation }, { requestId });
    await this.o.webhooks?.changed(conv, record, { actor, requestId });
    return record;
  }
}
