/**
 * The seam for message body kinds. A `BodyKind` says what one kind of message
 * body looks like (its zod schema), who may send it, and how a stored message
 * of that kind folds into the conversation's state. Every kind is one module in
 * this folder, registered in `registry.ts`; the widget adds its renderer.
 */
import type { z } from "zod";
import type { ChatMessage, ConversationState } from "../conversation-tracker.js";
import type { PrincipalKind } from "../protocol/models.js";

/** Who sends a message, as body kinds see it: guests are customers. */
export type SenderRole = "customer" | "agent" | "bot";

/** A kind of message body (`type` is its discriminant on the wire). */
export interface BodyKind<B extends { type: string } = { type: string }> {
  /** The body's `type`. */
  readonly type: B["type"];
  /**
   * The body's shape, as a zod schema built from the `zod` it is given: kinds
   * import zod as a type only, so the client (and the widget's frame) does not
   * load it; `validate.ts` does, where bodies are checked against their kinds.
   */
  readonly schema: (zod: typeof z) => z.ZodType<B>;
  /** Who may send it: the roles listed, or `"any"`. The client refuses a send by anyone else. */
  readonly senders: readonly SenderRole[] | "any";
  /**
   * How a confirmed message of this kind changes the conversation's state,
   * beyond being listed in `messages` (which every kind is). Omitted when it
   * changes nothing else.
   */
  readonly fold?: (state: ConversationState, message: ChatMessage & { body: B }) => ConversationState;
}

/** Declares a body kind (an identity function that checks the definition's types). */
export function defineBodyKind<B extends { type: string }>(kind: BodyKind<B>): BodyKind<B> {
  return kind;
}

/** The role a principal sends as. */
export function senderRole(kind: PrincipalKind): SenderRole {
  return kind === "guest" ? "customer" : kind;
}

/** Whether a principal of this kind may send bodies of `kind`. */
export function maySend(kind: BodyKind, principal: PrincipalKind): boolean {
  return kind.senders === "any" || kind.senders.includes(senderRole(principal));
}
