/**
 * The seam for message body kinds. A `BodyKind` is the one definition of a
 * kind: how a decoded body of it is checked and copied (`parse`, which the
 * codecs use on every message they open), who may send it, and how a stored
 * message of that kind folds into the conversation's state. Every kind is one
 * module in this folder, registered in `registry.ts`; the widget adds its
 * renderer. Kinds load protocol modules only (no zod, nothing of the client),
 * so the gateway and the widget's frame can carry them.
 */
import type { ChatMessage, ConversationState } from "../../conversation-tracker.js";
import type { PrincipalKind } from "../models.js";

/** Who sends a message, as body kinds see it: guests are customers. */
export type SenderRole = "customer" | "agent" | "bot";

/** A kind of message body (`type` is its discriminant on the wire). */
export interface BodyKind<B extends { type: string } = { type: string }> {
  /** The body's `type`. */
  readonly type: B["type"];
  /**
   * Checks a decoded value whose `type` is this kind's and returns a copy made
   * field by field, so nothing unexpected rides along into the app; throws a
   * `TypeError` for anything that is not such a body.
   */
  readonly parse: (value: unknown) => B;
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

/** The error every kind's `parse` throws for a value that is not a body of its kind. */
export function notABody(): TypeError {
  return new TypeError("not a message body");
}
