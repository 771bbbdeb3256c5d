/** Read markers: how far each principal has read each conversation, and what it has not read. */

/** How far one principal has read one conversation: state, never a message (it moves no seq). */
export interface ReadMarker {
  convId: string;
  principalId: string;
  /** Highest seq read. */
  seq: number;
  /** When it last moved, ms. */
  at: number;
}

/** A principal's read marker in one conversation and what it has not read there. */
export interface UnreadCount {
  readUpTo: number;
  /** Messages with seq in (readUpTo, lastSeq] whose sender is not the principal. */
  unread: number;
}

export interface ReadMarkerStore {
  /**
   * Moves the (convId, principalId) read marker up to `marker.seq`; never down
   * (a lower or equal seq leaves it as it was). Resolves with the marker after
   * the call and whether it moved. The caller checks the seq against the head.
   */
  setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }>;
  /** Every read marker of a conversation, by principal id. */
  readMarkers(convId: string): Promise<ReadMarker[]>;
  /**
   * The principal's marker and unread count in each conversation given (keyed by
   * id), counting messages up to each `lastSeq`: `lastSeq - readUpTo` less the
   * principal's own messages in that range (seqs are gapless), so the cost is an
   * index range count over the principal's own recent messages, not a scan of
   * the unread ones. Conversations the principal never marked have readUpTo 0.
   */
  unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>>;
}
