/** Notes: a shop team's internal notes on a conversation, sealed like messages. */
import type { StoredNote } from "@parley/sdk/protocol";

export interface NoteStore {
  /**
   * Stores an internal note of the shop's team, once per (convId, id): a repeat
   * resolves the stored note with `duplicate: true`.
   */
  addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }>;
  /**
   * The newest `limit` notes of a conversation, oldest first; with `before`, the newest of those
   * strictly older than it (by `ts`, then `id`), for paging back.
   */
  listNotes(convId: string, limit: number, before?: NoteCursor): Promise<StoredNote[]>;
}

/** Where a page of notes continues: a note's `ts` and `id` (notes are ordered by both). */
export interface NoteCursor {
  ts: number;
  id: string;
}
