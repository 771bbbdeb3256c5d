/** The contiguous prefix of a conversation's messages, for the folds (cards, locations). */

/**
 * The messages up to the conversation's contiguous watermark: a fold reads every message in seq order, so a message after a gap (one not yet backfilled) waits until the gap is filled
 * rather than being folded over a hole (a card submit folded before the add it follows would lose the add;
 * a location stop folded before its share would be ignored).
 */
export function gapless<M extends { seq: number }>(messages: readonly M[], lastSeq: number): readonly M[] {
  const last = messages.at(-1);
  if (last === undefined || last.seq <= lastSeq) return messages;
  const end = messages.findIndex((m) => m.seq > lastSeq);
  return messages.slice(0, end);
}
