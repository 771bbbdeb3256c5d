/**
 * The embedded store's reads of messages, and the aggregates that sit on them:
 * read markers with unread counts, and team notes. Appends are committed by the
 * writer thread (writer.ts), not here.
 */
import type { StoredMessage, StoredNote } from "@parley/sdk/protocol";
import type { MessageStore } from "../port/messages.js";
import type { NoteCursor, NoteStore } from "../port/notes.js";
import type { ReadMarker, ReadMarkerStore, UnreadCount } from "../port/read-markers.js";
import { clampLimit } from "../rules/limits.js";
import { hasUnreadRange, unreadCount } from "../rules/unread.js";
import { toMessage, toNote } from "./rows.js";
import type { SqliteContext } from "./statements.js";

export class SqliteMessages implements Pick<MessageStore, "history" | "since">, ReadMarkerStore, NoteStore {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async history(convId: string, before: number | undefined, limit: number, fromTs = 0): Promise<StoredMessage[]> {
    const upTo = before ?? Number.MAX_SAFE_INTEGER;
    return this.#c.s.history.all(convId, upTo, fromTs, clampLimit(limit)).map(toMessage);
  }

  async since(convId: string, after: number, limit: number, fromTs = 0): Promise<StoredMessage[]> {
    return this.#c.s.since.all(convId, after, fromTs, clampLimit(limit)).map(toMessage);
  }

  async setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }> {
    const { convId, principalId, seq, at } = marker;
    const s = this.#c.s;
    if (!(seq > 0)) return { seq: s.readMarker.get(convId, principalId) ?? 0, moved: false };
    const moved = (await this.#c.write(() => s.raiseReadMarker.run(convId, principalId, seq, at))).changes === 1;
    return { seq: moved ? seq : (s.readMarker.get(convId, principalId) ?? 0), moved };
  }

  async readMarkers(convId: string): Promise<ReadMarker[]> {
    return this.#c.s.readMarkers
      .all(convId)
      .map((r) => ({ convId: r.conv_id, principalId: r.principal_id, seq: r.seq, at: r.at }));
  }

  async unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>> {
    const s = this.#c.s;
    const counts = new Map<string, UnreadCount>();
    for (const { id, lastSeq } of conversations) {
      const readUpTo = s.readMarker.get(id, principalId) ?? 0;
      const own = hasUnreadRange(readUpTo, lastSeq) ? s.ownMessagesBetween.get(id, principalId, readUpTo, lastSeq) : 0;
      counts.set(id, unreadCount(readUpTo, lastSeq, own ?? 0));
    }
    return counts;
  }

  async addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }> {
    const { changes } = await this.#c.write(() =>
      this.#c.s.insertNote.run(note.convId, note.id, note.author, note.ts, JSON.stringify(note.envelope)),
    );
    const row = this.#c.s.getNote.get(note.convId, note.id);
    if (!row) throw new Error(`note ${note.id} was not stored`);
    return { note: toNote(row), duplicate: changes === 0 };
  }

  async listNotes(convId: string, limit: number, before?: NoteCursor): Promise<StoredNote[]> {
    const rows = before
      ? this.#c.s.listNotesBefore.all(convId, before.ts, before.ts, before.id, clampLimit(limit))
      : this.#c.s.listNotes.all(convId, clampLimit(limit));
    return rows.map(toNote).reverse();
  }
}
