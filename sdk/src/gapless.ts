/**
 * The prefix of a conversation's confirmed messages that a fold may read:
 * shared by the folds that load on demand (cards, listening sessions), so
 * none of them pulls another's chunk in for it.
 */

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
