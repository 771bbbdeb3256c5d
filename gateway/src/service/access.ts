/**
 * The access rule of conversation operations: a conversation is open to its
 * members and to its shop's team; to anyone else it does not exist
 * (`not_found`, the answer for an unknown id, so ids cannot be probed).
 * Team-only operations (triage, notes) use `teamConversation` in team.ts.
 */
import { GatewayError } from "../errors.js";
import type {
  ConversationRecord,
  ConversationStore,
  MemberRecord,
  MemberStore,
  PrincipalRecord,
} from "../store/port.js";
import { isTeamMember } from "./team.js";

/** What {@link ConversationAccess} answers: the conversation, the actor's membership, whether the actor is on its team. */
export interface ConversationAccessResult {
  conv: ConversationRecord;
  member: MemberRecord | undefined;
  team: boolean;
}

/**
 * The access check of conversation operations: the conversation, if `actor`
 * is a member or on its shop's team (`team`), else `not_found`. Modules take
 * it as an option; {@link conversationAccess} makes it.
 */
export type ConversationAccess = (actor: PrincipalRecord, convId: string) => Promise<ConversationAccessResult>;

/** `conv` when it exists and the actor is a member (`isMember`) or on its shop's team; `not_found` otherwise. */
export function admit(
  actor: PrincipalRecord,
  conv: ConversationRecord | undefined,
  isMember: boolean,
): { conv: ConversationRecord; team: boolean } {
  if (!conv) throw new GatewayError("not_found", "no such conversation");
  const team = isTeamMember(actor, conv.shopId);
  if (!isMember && !team) throw new GatewayError("not_found", "no such conversation");
  return { conv, team };
}

/** The {@link ConversationAccess} check reading the conversation and the membership from `store`. */
export function conversationAccess(store: ConversationStore & MemberStore): ConversationAccess {
  return async (actor, convId) => {
    const found = await store.getConversation(convId);
    const member = found && (await store.getMember(convId, actor.id));
    return { ...admit(actor, found, member !== undefined), member };
  };
}
