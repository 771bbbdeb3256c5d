/**
 * Internal notes of the shop's team, through the SDK (`addNote`, `notes`, the
 * `note` event). Notes are sealed with a key derived from the team key:
 * customers and the gateway cannot read them. This module names the shape
 * the dashboard's elements use.
 */
import type { ParleyClient } from "@parley/sdk";

export type Note = Awaited<ReturnType<ParleyClient["addNote"]>>;

export interface NotesApi {
  addNote(convId: string, text: string): Promise<Note>;
  /** Oldest first. */
  notes(convId: string): Promise<Note[]>;
  /** Live notes, to the shop's team only; returns the unsubscribe function. */
  onNote(handler: (event: { conversationId: string; note: Note }) => void): () => void;
}

export function notesApi(client: ParleyClient): NotesApi {
  return {
    addNote: (convId, text) => client.addNote(convId, text),
    notes: (convId) => client.notes(convId),
    onNote: (handler) => client.on("note", handler),
  };
}
