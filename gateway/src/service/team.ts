/**
 * Who is on a shop's team (its agents and bots), and the access rule of the
 * team-only operations (triage, internal notes): the team of the
 * conversation's shop may; a member of the conversation gets `forbidden`;
 * anyone else gets `not_found`, the answer for a conversation that does not
 * exist, so ids cannot be probed.
 */
import { isTeamKind } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { ConversationRecord, ConversationStore, MemberStore, PrincipalRecord } from "../store/port.js";

/** An agent or bot of `shopId`. */
export const isTeamMember = (p: PrincipalRecord, shopId: string): boolean => isTeamKind(p.kind) && p.shopId === shopId;

/** The conversation, when `actor` is on its shop's team; `forbidden` (saying `why`) for its members, else `not_found`. */
export async function teamConversation(
  store: ConversationStore & MemberStore,
  actor: PrincipalRecord,
  convId: string,
  why: string,
): Promise<ConversationRecord> {
  const conv = await store.getConversation(convId);
  if (!conv) throw new GatewayError("not_found", "no such conversation");
  if (isTeamMember(actor, conv.shopId)) return conv;
  if (await store.getMember(convId, actor.id)) throw new GatewayError("forbidden", why);
  throw new GatewayError("not_found", "no such conversation");
}
