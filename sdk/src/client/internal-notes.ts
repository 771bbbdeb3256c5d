/**
 * The shop team's internal notes on a conversation: sealed with a key derived
 * from the team key, so customers never receive them and the gateway cannot
 * read them. Adding, listing (decrypted), and live `note` events.
 */
import type { StoredNote } from "../protocol/envelope.js";
import { randomId } from "../protocol/ids.js";
import type { Note } from "./client-events.js";
import type { ClientCore } from "./core.js";

/** The most notes one `note.list` request may ask for. */
const MAX_NOTE_PAGE = 200;

export class InternalNotes {
  readonly #core: ClientCore;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** Seals and stores a note; retried with the same id. */
  async add(convId: string, text: string): Promise<Note> {
    const e2e = this.#core.requireE2E();
    const id = randomId("n_");
    const envelope = await e2e.sealNote(convId, id, text);
    const { note } = await this.#core.request("note.add", { convId, envelope });
    return noteOf(note, text);
  }

  /**
   * The newest `limit` notes, oldest first, decrypted; unreadable ones are left out and reported as
   * `error`. The gateway ends a page at its byte budget too, so this follows `hasMore` back (before
   * the oldest note so far) until it has `limit` notes or there are no more.
   */
  async list(convId: string, limit: number): Promise<Note[]> {
    const notes: StoredNote[] = [];
    let before: { ts: number; id: string } | undefined;
    while (notes.length < limit) {
      const page = await this.#core.request("note.list", {
        convId,
        limit: Math.min(limit - notes.length, MAX_NOTE_PAGE),
        ...(before ? { before } : {}),
      });
      notes.unshift(...page.notes);
      const oldest = page.notes[0];
      // A page that does not go back ends it, whatever `hasMore` says (a lying gateway cannot keep us asking).
      if (!page.hasMore || !oldest || (before && !isBefore(oldest, before))) break;
      before = { ts: oldest.ts, id: oldest.id };
    }
    const opened = await Promise.allSettled(notes.map((n) => this.#open(n)));
    const out: Note[] = [];
    for (const r of opened) {
      if (r.status === "fulfilled") out.push(r.value);
      else this.#core.report(r.reason);
    }
    return out;
  }

  /** A live note by someone else: opened and announced as a `note` event. */
  received(stored: StoredNote): void {
    const core = this.#core;
    if (!core.e2e || stored.author === core.self) return;
    this.#open(stored).then((note) => core.events.emit("note", { conversationId: note.convId, note }), core.report);
  }

  async #open(note: StoredNote): Promise<Note> {
    return noteOf(note, await this.#core.requireE2E().openNote(note));
  }
}

/** Whether note `a` is older than the cursor `b` (notes are ordered by `ts`, then `id`). */
function isBefore(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}

/** A stored note with its decrypted text, as the app sees it. */
function noteOf(note: StoredNote, text: string): Note {
  return {
    id: note.id,
    convId: note.convId,
    author: note.author,
    authorName: note.authorName ?? "",
    ts: note.ts,
    text,
  };
}
