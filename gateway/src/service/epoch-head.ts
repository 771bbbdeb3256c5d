/**
 * The head epoch a request is checked against. A conversation record carries
 * its head as a cached `epoch`, moved after each commit is stored; the commits
 * themselves are the truth. The cache can lag them: a gateway that crashed
 * between the two writes, or, on FerretDB (whose updates are a read and a
 * write, not one atomic step), another gateway's update of the same
 * conversation crossing the head's move. Refusing every request sealed under
 * the real head would then wedge the conversation (each send `stale_epoch`,
 * each next commit `conflict`), so a request naming a newer epoch than the
 * cache says asks the commits first, which also repairs the cache. Requests
 * under the cached head pay nothing.
 */
import type { ConversationRecord, EpochStore } from "../store/port.js";

/** `conv`, with its `epoch` re-derived from the stored commits when `claimed` is ahead of it. */
export async function headFor(
  store: Pick<EpochStore, "epochHead">,
  conv: ConversationRecord,
  claimed: number,
): Promise<ConversationRecord> {
  if (claimed <= conv.epoch) return conv;
  const epoch = await store.epochHead(conv.id, conv.epoch);
  return epoch === conv.epoch ? conv : { ...conv, epoch };
}
