/**
 * The MongoDB store's message aggregates: appends, history, read markers with
 * unread counts, and team notes.
 *
 * `append` stays gapless and idempotent across gateway processes with two
 * unique indexes, {convId, seq} and {convId, msgId}: a process serializes its
 * own appends per conversation and tries the seq after the last one it knows.
 * When another process took that seq, the conversation's `lastSeq` (raised
 * with `$max` after every insert, so never above the stored maximum) says where
 * to go on in one read; only when it has not moved yet (the other insert is
 * still recording it, or the msgId is the repeat) does it look up the msgId
 * and the highest stored seq. An append whose seq another process took thus
 * costs 4 round trips (insert refused, one read, insert, record) against 2,
 * and no read of the messages collection.
 */
import type { StoredMessage, StoredNote } from "@parley/sdk/protocol";
import { StoreNotFoundError, StoreUnavailableError } from "../port/errors.js";
import type { AppendResult, MessageStore, NewMessage } from "../port/messages.js";
import type { NoteCursor, NoteStore } from "../port/notes.js";
import type { ReadMarker, ReadMarkerStore, UnreadCount } from "../port/read-markers.js";
import { clampLimit } from "../rules/limits.js";
import { envelopeDoc, num, str } from "../rules/records.js";
import { hasUnreadRange, unreadCount } from "../rules/unread.js";
import { NO_ID } from "./collections.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./errors.js";

/** Appends remember the last seq of this many conversations. */
const SEQ_CACHE_SIZE = 10_000;

export class MongoMessages implements MessageStore, ReadMarkerStore, NoteStore {
  readonly #c: MongoContext;
  /** Highest seq this process knows per conversation; never above the stored maximum. */
  readonly #lastSeq = new Map<string, number>();

  constructor(context: MongoContext) {
    this.#c = context;
  }

  async append(message: NewMessage): Promise<AppendResult> {
    const convId = str(message.convId, "convId");
    const doc = {
      convId,
      msgId: str(message.msgId, "msgId"),
      sender: str(message.sender, "sender"),
      ts: num(message.ts, "ts"),
      envelope: envelopeDoc(message.envelope),
    };
    return this.#c.serial(`conv:${convId}`, () => this.#c.run(() => this.#appendNow(doc)));
  }

  async #appendNow(doc: Omit<StoredMessage, "seq">): Promise<AppendResult> {
    const { convId, msgId } = doc;
    // No look-up first: the unique (convId, msgId) index refuses a repeat, and the duplicate-key path
    // below finds the stored one. A retry costs a round trip more; every first send one less.
    let last = this.#lastSeq.get(convId) ?? (await this.#recordedLastSeq(convId));
    for (let attempt = 0; attempt < this.#c.maxAppendRetries; attempt++) {
      const message: StoredMessage = { ...doc, seq: last + 1 };
      try {
        await this.#c.col.messages.insertOne({ ...message });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // FerretDB does not name the violated index. Mostly another process took the seq and recorded
        // it: go on after the recorded one. Else, or when that fails too, look for the msgId.
        const recorded = await this.#recordedLastSeq(convId);
        if (attempt === 0 && recorded > last) {
          last = recorded;
          continue;
        }
        // A majority read (the client's default): a copy only the primary holds is not acked as stored.
        const raced = await this.#c.col.messages.findOne({ convId, msgId }, NO_ID);
        if (raced) return { message: raced, duplicate: true };
        last = recorded > last ? recorded : await this.#storedLastSeq(convId);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt));
        continue;
      }
      this.#rememberSeq(convId, message.seq);
      await this.#c.col.conversations.updateOne({ id: convId }, { $max: { lastSeq: message.seq, updatedAt: doc.ts } });
      return { message, duplicate: false };
    }
    // Retryable: contention, or (on a replica set) a resent msgId the primary holds but a majority does
    // not yet; the SDK resends later with the same msgId.
    throw new StoreUnavailableError(
      `MongoStore: append to ${convId} lost the seq race ${this.#c.maxAppendRetries} times`,
    );
  }

  /**
   * The conversation's `lastSeq`: the highest seq some process recorded after inserting it. It may lag
   * the stored maximum (an insert not yet recorded, a crash in between, FerretDB's non-atomic `$max`)
   * but never exceeds it, so the seq after it never leaves a gap.
   */
  async #recordedLastSeq(convId: string): Promise<number> {
    // Like the seq race itself, read the primary's newest data ("local"), not a lagging majority snapshot.
    const conv = await this.#c.col.conversations.findOne(
      { id: convId },
      { projection: { _id: 0, lastSeq: 1 }, readConcern: { level: "local" } },
    );
    if (!conv) throw new StoreNotFoundError(`conversation ${convId} does not exist`);
    return conv.lastSeq ?? 0;
  }

  /** The highest stored seq, for when the recorded one lags: a sorted read of the messages. */
  async #storedLastSeq(convId: string): Promise<number> {
    const top = await this.#c.col.messages
      .find({ convId }, { projection: { _id: 0, seq: 1 }, readConcern: { level: "local" } })
      .sort({ seq: -1 })
      .limit(1)
      .next();
    const seq = top?.seq ?? 0;
    this.#rememberSeq(convId, seq);
    return seq;
  }

  #rememberSeq(convId: string, seq: number): void {
    this.#lastSeq.delete(convId);
    this.#lastSeq.set(convId, seq);
    if (this.#lastSeq.size > SEQ_CACHE_SIZE) {
      const oldest = this.#lastSeq.keys().next();
      if (!oldest.done) this.#lastSeq.delete(oldest.value);
    }
  }

  async history(convId: string, before: number | undefined, limit: number, fromTs = 0): Promise<StoredMessage[]> {
    const filter = {
      convId: str(convId, "convId"),
      ...(before === undefined ? {} : { seq: { $lt: num(before, "before") } }),
      ...(fromTs > 0 ? { ts: { $gte: num(fromTs, "fromTs") } } : {}),
    };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    return this.#c.run(() => this.#c.col.messages.find(filter, NO_ID).sort({ seq: -1 }).limit(n).toArray());
  }

  async since(convId: string, after: number, limit: number, fromTs = 0): Promise<StoredMessage[]> {
    const filter = {
      convId: str(convId, "convId"),
      seq: { $gt: num(after, "after") },
      ...(fromTs > 0 ? { ts: { $gte: num(fromTs, "fromTs") } } : {}),
    };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    return this.#c.run(() => this.#c.col.messages.find(filter, NO_ID).sort({ seq: 1 }).limit(n).toArray());
  }

  async setReadMarker(marker: ReadMarker): Promise<{ seq: number; moved: boolean }> {
    const filter = { convId: str(marker.convId, "convId"), principalId: str(marker.principalId, "principalId") };
    const seq = num(marker.seq, "seq");
    const update = { $max: { seq }, $set: { at: num(marker.at, "at") } };
    // Read, compare, write: serialized per marker in this process (FerretDB updates are not atomic);
    // `$max` keeps the marker monotonic across processes on MongoDB.
    return this.#c.serial(`read:${filter.convId}:${filter.principalId}`, () =>
      this.#c.run(async () => {
        const current = (await this.#c.col.readMarkers.findOne(filter, NO_ID))?.seq ?? 0;
        if (!(seq > current)) return { seq: current, moved: false };
        try {
          await this.#c.col.readMarkers.updateOne(filter, update, { upsert: true });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          await this.#c.col.readMarkers.updateOne(filter, update);
        }
        return { seq, moved: true };
      }),
    );
  }

  async readMarkers(convId: string): Promise<ReadMarker[]> {
    const filter = { convId: str(convId, "convId") };
    return this.#c.run(() => this.#c.col.readMarkers.find(filter, NO_ID).sort({ principalId: 1 }).toArray());
  }

  async unreadCounts(
    principalId: string,
    conversations: ReadonlyArray<{ id: string; lastSeq: number }>,
  ): Promise<Map<string, UnreadCount>> {
    const sender = str(principalId, "principalId");
    const convs = conversations.map((c) => ({ id: str(c.id, "convId"), lastSeq: num(c.lastSeq, "lastSeq") }));
    const counts = new Map<string, UnreadCount>();
    if (convs.length === 0) return counts;
    return this.#c.run(async () => {
      const markers = await this.#c.col.readMarkers
        .find({ principalId: sender, convId: { $in: convs.map((c) => c.id) } }, NO_ID)
        .toArray();
      const marks = new Map(markers.map((m) => [m.convId, m.seq]));
      await Promise.all(
        convs.map(async ({ id, lastSeq }) => {
          const readUpTo = marks.get(id) ?? 0;
          const own = hasUnreadRange(readUpTo, lastSeq)
            ? await this.#c.col.messages.countDocuments({ convId: id, sender, seq: { $gt: readUpTo, $lte: lastSeq } })
            : 0;
          counts.set(id, unreadCount(readUpTo, lastSeq, own));
        }),
      );
      return counts;
    });
  }

  async addNote(note: StoredNote): Promise<{ note: StoredNote; duplicate: boolean }> {
    const doc: StoredNote = {
      convId: str(note.convId, "convId"),
      id: str(note.id, "id"),
      author: str(note.author, "author"),
      ts: num(note.ts, "ts"),
      envelope: envelopeDoc(note.envelope),
    };
    const filter = { convId: doc.convId, id: doc.id };
    return this.#c.run(async () => {
      try {
        await this.#c.col.notes.insertOne({ ...doc });
        return { note: doc, duplicate: false };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const stored = await this.#c.col.notes.findOne(filter, NO_ID);
        if (!stored) throw error;
        return { note: stored, duplicate: true };
      }
    });
  }

  async listNotes(convId: string, limit: number, before?: NoteCursor): Promise<StoredNote[]> {
    const filter = {
      convId: str(convId, "convId"),
      ...(before
        ? {
            $or: [
              { ts: { $lt: num(before.ts, "ts") } },
              { ts: num(before.ts, "ts"), id: { $lt: str(before.id, "id") } },
            ],
          }
        : {}),
    };
    const n = clampLimit(limit);
    if (n === 0) return [];
    return this.#c.run(async () =>
      (await this.#c.col.notes.find(filter, NO_ID).sort({ ts: -1, id: -1 }).limit(n).toArray()).reverse(),
    );
  }
}
