/**
 * Internal notes: what the shop's team writes about a conversation for itself.
 * Only the team may add or list them, and they travel on the team subject
 * only, never to the conversation's customers. The gateway stores each note's
 * envelope as it came: clients seal it with a key derived from the team key,
 * so the gateway cannot read it either. Plaintext (`alg: "none"`) is refused:
 * a note has no reason to exist unencrypted.
 */
import type { RpcResults, rpcRequestSchemas, StoredNote } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type {
  ConversationStore,
  MemberStore,
  NoteCursor,
  NoteStore,
  PrincipalRecord,
  PrincipalStore,
} from "../store/port.js";
import type { EventFanout } from "./events.js";
import { jsonBytes, readPage } from "./paging.js";
import { teamConversation } from "./team.js";

/** What `"authorName":"<80 characters>",` may add to a note: 80 UTF-16 units are at most 240 bytes of UTF-8. */
const AUTHOR_NAME_BYTES = 16 + 240;

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface NotesOptions {
  store: NoteStore & PrincipalStore & ConversationStore & MemberStore;
  fanout: EventFanout;
  now: () => number;
}

export class Notes {
  constructor(private readonly o: NotesOptions) {}

  /** Stores a note and tells the team; the `note` event carries `requestId` (the `note.add` request's). */
  async add(actor: PrincipalRecord, body: Body<"note.add">, requestId?: string): Promise<RpcResults["note.add"]> {
    const conv = await this.#teamConversation(actor, body.convId);
    const { envelope } = body;
    if (envelope.convId !== conv.id) throw new GatewayError("bad_request", "envelope belongs to another conversation");
    if (envelope.alg === "none") throw new GatewayError("bad_request", "notes are end-to-end encrypted");
    const { note, duplicate } = await this.o.store.addNote({
      convId: conv.id,
      id: envelope.msgId,
      author: actor.id,
      ts: this.o.now(),
      envelope,
    });
    if (duplicate && note.author !== actor.id)
      throw new GatewayError("conflict", "note id already used by another author");
    // Stored before anyone hears of it; a retry publishes again and receivers drop repeats by id.
    const served = { ...note, authorName: actor.displayName };
    this.o.fanout.toTeam(conv.shopId, { type: "note", note: served }, requestId);
    return { note: served, duplicate };
  }

  /**
   * The newest notes (before `body.before`), oldest first, at most `limit` and at most REPLY_BUDGET_BYTES
   * of them (paging.ts); `hasMore`: continue before the first one.
   */
  async list(actor: PrincipalRecord, body: Body<"note.list">): Promise<RpcResults["note.list"]> {
    const conv = await this.#teamConversation(actor, body.convId);
    // Read newest first, going back; each note counted with room for its author's name (80 characters).
    const { items, hasMore } = await readPage<StoredNote, NoteCursor | undefined>({
      limit: body.limit ?? 100,
      start: body.before,
      read: async (before, rows) => (await this.o.store.listNotes(conv.id, rows, before)).reverse(),
      cursorOf: (n) => ({ ts: n.ts, id: n.id }),
      sizeOf: (n) => jsonBytes(n) + AUTHOR_NAME_BYTES,
    });
    const notes = items.reverse();
    const authors = await this.o.store.getPrincipals([...new Set(notes.map((n) => n.author))]);
    const names = new Map(authors.map((p) => [p.id, p.displayName]));
    return { notes: notes.map((n) => ({ ...n, authorName: names.get(n.author) ?? "" })), hasMore };
  }

  #teamConversation(actor: PrincipalRecord, convId: string) {
    return teamConversation(this.o.store, actor, convId, "internal notes are for the shop's team");
  }
}
