/**
 * The client's side of the body kinds (`protocol/body-kinds/`): refusing a
 * send by someone the kind does not allow, and folding a confirmed message
 * into its conversation's state through its kind.
 */
import type { MessageBody } from "../codec.js";
import type { ChatMessage, ConversationState } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import { maySend } from "../protocol/body-kinds/body-kind.js";
import { bodyKinds } from "../protocol/body-kinds/registry.js";
import type { PrincipalKind } from "../protocol/models.js";
import type { StateStore } from "../state-store.js";

/** Refuses (`ParleyError` `forbidden`) a body this principal may not send; unknown kinds are left to the codec. */
export function checkSender(body: MessageBody, principal: PrincipalKind): void {
  const kind = bodyKinds.get(body.type);
  if (kind && !maySend(kind, principal)) {
    throw new ParleyError("forbidden", `a ${principal} may not send ${body.type} messages`);
  }
}

/** Applies the fold of a confirmed message's kind to the conversation's state (nothing for kinds without one). */
export function foldBody(state: StateStore<ConversationState>, message: ChatMessage): void {
  const body = message.body;
  const fold = body ? bodyKinds.get(body.type)?.fold : undefined;
  if (!fold) return;
  state.set((s) => fold(s, message as ChatMessage & { body: { type: string } }));
}
