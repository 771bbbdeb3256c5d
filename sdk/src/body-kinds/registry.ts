/**
 * The registered body kinds. A new kind is one module beside this one, added
 * to `kinds` below, plus its renderer in the widget.
 */
import type { MessageBody } from "../codec.js";
import type { ChatMessage, ConversationState } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import type { PrincipalKind } from "../protocol/models.js";
import type { StateStore } from "../state-store.js";
import { type BodyKind, maySend } from "./body-kind.js";
import { cardKind } from "./card.js";
import { fileKind } from "./file.js";
import { historyGrantKind } from "./history-grant.js";
import { systemKind } from "./system.js";
import { textKind } from "./text.js";

// Each kind's fold takes its own body type; the map holds them by their common shape.
const kinds = [textKind, fileKind, cardKind, systemKind, historyGrantKind] as unknown as readonly BodyKind[];

/** Every registered kind, by `type`. */
export const bodyKinds: ReadonlyMap<string, BodyKind> = new Map(kinds.map((k) => [k.type, k]));

/** The kind of `type`, if registered. */
export function bodyKind(type: string): BodyKind | undefined {
  return bodyKinds.get(type);
}

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
