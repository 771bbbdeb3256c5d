/**
 * What the folds that load on demand (cards, locations, listening sessions)
 * share, so none of them pulls another's chunk in for it: the message as a
 * fold reads it, and the prefix of a conversation's confirmed messages that a
 * fold may read.
 */

/** A message as a fold reads it (a `ChatMessage` fits). */
export interface FoldMessage {
  /** Its place in the conversation: the fold's order. */
  seq: number;
  /** Its message id: the id of what it posts (a card, a place, a session). */
  msgId: string;
  /** The sender's principal id. */
  sender: string;
  /** Server time, ms. */
  ts: number;
  /** Whether the shop's team sent it, verified (see `ChatMessage.fromTeam`). */
  fromTeam?: boolean;
  /** The decoded body; messages of kinds the fold does not know (or unreadable ones) are skipped. */
  body:
    | {
        /** The body kind. */
        type: string;
      }
    | undefined;
}

/**
 * The messages up to the conversation's contiguous watermark: a fold reads events in seq order, so a
 * message after a gap (one not yet backfilled) waits until the gap is filled rather than being folded
 * over a hole (a submit folded before the add it follows would lose the add).
 */
export function gapless<M extends { seq: number }>(messages: readonly M[], lastSeq: number): readonly M[] {
  const last = messages.at(-1);
  if (last === undefined || last.seq <= lastSeq) return messages;
  const end = messages.findIndex((m) => m.seq > lastSeq);
  return messages.slice(0, end);
}
