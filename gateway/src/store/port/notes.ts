/** Notes: a shop team's internal notes on a conversation, sealed like messages. */
import type { StoredNote } from "@parley/sdk/protocol";

export interface NoteStore {
  /**
   * Stores an internal note of the shop's team, once per (convId, id): a repeat
   * resolves the stored note with `duplicate: true`.
   */
  addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }>;
  /** The newest `limit` notes of a conversation, oldest first. */
  listNotes(convId: string, limit: number): Promise<StoredNote[]>;
}
