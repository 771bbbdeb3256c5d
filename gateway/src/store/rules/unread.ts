/**
 * Unread arithmetic, shared by both adapters: seqs are gapless, so what a
 * principal has not read in (readUpTo, lastSeq] is that range's length less
 * the principal's own messages in it. Adapters count only the own messages (an
 * index range count), never the unread ones.
 */
import type { UnreadCount } from "../port/read-markers.js";

/** True when the range (readUpTo, lastSeq] holds messages, so own messages need counting. */
export const hasUnreadRange = (readUpTo: number, lastSeq: number): boolean => lastSeq - readUpTo > 0;

/** The marker and unread count, given the principal's own messages in (readUpTo, lastSeq]. */
export const unreadCount = (readUpTo: number, lastSeq: number, own: number): UnreadCount => ({
  readUpTo,
  unread: Math.max(0, lastSeq - readUpTo - own),
});
