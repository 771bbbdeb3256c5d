/**
 * Fans server events out to principals: one publish per member's
 * `user.<principal>.ev` subject plus one on the shop team's `team.<shopId>.ev`.
 * Team members (agents, bots of the shop) are reached through the team subject
 * only, so each principal gets each event once. An event published while
 * handling a request carries that request's id (`X-Request-Id`, ADR 0042):
 * every op hands its request's id to the fanout; events no request caused
 * (presence from the connection watcher, expiries) carry none.
 */
import { isTeamRole, type ServerEvent, type StoredMessage, subjects } from "@parley/sdk/protocol";
import type { ConversationRecord, MemberRecord } from "../store/port.js";

export interface EventSink {
  /** Publishes one event; `requestId`: the request it comes from, sent as the `X-Request-Id` header. */
  publish(subject: string, payload: Uint8Array, requestId?: string): void;
}

/** Who else hears a conversation's event, and the request that caused it. */
export interface FanoutOptions {
  /** Principals told besides the members and the team (for example one who just left). @default [] */
  extra?: readonly string[];
  /** The id of the request being handled, carried on the event as the `X-Request-Id` header. */
  requestId?: string | undefined;
}

const encoder = new TextEncoder();

export class EventFanout {
  constructor(private readonly sink: EventSink) {}

  /** To every member of the conversation, the shop's team, and any extra principals (for example one who just left). */
  toConversation(
    conv: ConversationRecord,
    members: readonly MemberRecord[],
    event: ServerEvent,
    options: FanoutOptions = {},
  ): void {
    this.jsonToConversation(conv, members, JSON.stringify(event), options);
  }

  /** {@link toConversation} with the event serialized already (see {@link messageEventJson}). */
  jsonToConversation(
    conv: ConversationRecord,
    members: readonly MemberRecord[],
    eventJson: string,
    options: FanoutOptions = {},
  ): void {
    const payload = encoder.encode(eventJson);
    const { requestId } = options;
    const targets = new Set(options.extra);
    for (const member of members) if (!isTeamRole(member.role)) targets.add(member.principalId);
    for (const principal of targets) this.sink.publish(subjects.user(principal), payload, requestId);
    this.sink.publish(subjects.team(conv.shopId), payload, requestId);
  }

  /** To one principal's own event subject; `requestId`: the request being handled (its `X-Request-Id`). */
  toPrincipal(principalId: string, event: ServerEvent, requestId?: string): void {
    this.sink.publish(subjects.user(principalId), encoder.encode(JSON.stringify(event)), requestId);
  }

  /** To the shop's team only (its agents and bots subscribe `team.<shopId>.ev`); `requestId` as for {@link toPrincipal}. */
  toTeam(shopId: string, event: ServerEvent, requestId?: string): void {
    this.sink.publish(subjects.team(shopId), encoder.encode(JSON.stringify(event)), requestId);
  }
}

/**
 * The `message` event of `message` as JSON, with its envelope spliced in from `envelopeJson` (which must be
 * `JSON.stringify(message.envelope)`): the send path serializes each envelope once, for its size, the store
 * and the event alike.
 */
export function messageEventJson(message: Omit<StoredMessage, "envelope">, envelopeJson: string): string {
  const { convId, seq, msgId, sender, ts } = message;
  const head = JSON.stringify({ convId, seq, msgId, sender, ts });
  return `{"type":"message","message":${head.slice(0, -1)},"envelope":${envelopeJson}}}`;
}
