/**
 * The embedded store's send context in memory (ADR 0051): each
 * conversation's record and member list, and each shop's current team key,
 * the three reads every `msg.send` makes. Kept exact by the store's own
 * writes, so it is on only when the store is the one process writing its
 * file (`SqliteStoreOptions.exclusive`, which the gateway sets; several
 * gateways need MongoDB, and `--workers` > 1 is refused on SQLite).
 *
 * Every write path that touches these rows keeps it exact, synchronously in
 * the same turn as its statement, before its promise settles: a conversation
 * update stores the row it read back, a commit raises the cached epoch, a
 * member change or a team key put drops the entry, and each batch of the
 * writer thread raises `lastSeq` and `updatedAt` before its appends resolve.
 * `lastSeq`, `updatedAt` and `epoch` only grow, so those are merged with
 * `max`, whichever of a read and a batch's answer came first. When the writer
 * thread fails, everything is dropped: it may have committed a batch it never
 * answered.
 *
 * Bounded: at most `maxConversations` conversations and `maxShops` team keys,
 * the least recently used dropped first. Callers get copies, so nothing they
 * change reaches the cache.
 */
import type { TeamKeyRecord } from "@parley/sdk/protocol";
import type { ConversationRecord } from "../port/conversations.js";
import type { MemberRecord } from "../port/members.js";

interface Entry {
  conv?: ConversationRecord;
  members?: MemberRecord[];
}

/** A Map used as a least-recently-used list: a hit moves its key to the end, the first key goes first. */
class Lru<V> {
  readonly #map = new Map<string, V>();
  readonly #max: number;
  /** The most recent key: a hit on it needs no move (one shop's team key, one busy conversation). */
  #newest: string | undefined;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined || key === this.#newest) return value;
    this.#map.delete(key);
    this.#map.set(key, value);
    this.#newest = key;
    return value;
  }

  /** The value without touching its place (for updates by writes). */
  peek(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    this.#newest = key;
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
    if (key === this.#newest) this.#newest = undefined;
  }

  clear(): void {
    this.#map.clear();
    this.#newest = undefined;
  }
}

const copyConv = (c: ConversationRecord): ConversationRecord => ({ ...c });
const copyMembers = (list: readonly MemberRecord[]): MemberRecord[] => list.map((m) => ({ ...m }));
const copyTeamKey = (k: TeamKeyRecord): TeamKeyRecord => ({ ...k, createdBy: { ...k.createdBy } });

export interface SendContextLimits {
  maxConversations: number;
  maxShops: number;
}

export class SendContextCache {
  readonly #convs: Lru<Entry>;
  /** `null`: the shop has no team key (cached too: the common case before a team is set up). */
  readonly #teamKeys: Lru<TeamKeyRecord | null>;

  constructor(limits: SendContextLimits) {
    this.#convs = new Lru(limits.maxConversations);
    this.#teamKeys = new Lru(limits.maxShops);
  }

  /** Conversations held (with a record, a member list or both). */
  get conversations(): number {
    return this.#convs.size;
  }

  /** Shops whose team key is held. */
  get shops(): number {
    return this.#teamKeys.size;
  }

  /** The conversation, from memory or else from `load` (an unknown id is not kept). */
  conversation(id: string, load: () => ConversationRecord | undefined): ConversationRecord | undefined {
    const entry = this.#convs.get(id);
    if (entry?.conv) return copyConv(entry.conv);
    const conv = load();
    if (conv) this.#entry(id).conv = copyConv(conv);
    return conv;
  }

  /** The member list, from memory or else from `load`. */
  members(convId: string, load: () => MemberRecord[]): MemberRecord[] {
    const entry = this.#convs.get(convId);
    if (entry?.members) return copyMembers(entry.members);
    const members = load();
    this.#entry(convId).members = copyMembers(members);
    return members;
  }

  /** The shop's current team key, from memory or else from `load`. */
  teamKey(shopId: string, load: () => TeamKeyRecord | undefined): TeamKeyRecord | undefined {
    const cached = this.#teamKeys.get(shopId);
    if (cached !== undefined) return cached === null ? undefined : copyTeamKey(cached);
    const key = load();
    this.#teamKeys.set(shopId, key ? copyTeamKey(key) : null);
    return key;
  }

  /** A conversation row as just read back after a write: it replaces the cached record. */
  storeConversation(conv: ConversationRecord): void {
    const entry = this.#convs.peek(conv.id);
    if (entry) entry.conv = copyConv(conv);
  }

  /** The conversation's record is no longer known (created, or changed in a way not followed here). */
  forgetConversation(id: string): void {
    this.#convs.delete(id);
  }

  /** A member was added, re-added or removed. */
  forgetMembers(convId: string): void {
    const entry = this.#convs.peek(convId);
    if (entry) delete entry.members;
  }

  /** A commit moved the head (or repaired it) to `head`; the stored epoch is the larger of the two. */
  raiseEpoch(convId: string, head: number): void {
    const conv = this.#convs.peek(convId)?.conv;
    if (conv) conv.epoch = Math.max(conv.epoch, head);
  }

  /** The writer thread stored a message as `seq` at `ts`: what its UPDATE did to the row, done here. */
  appended(convId: string, seq: number, ts: number): void {
    const conv = this.#convs.peek(convId)?.conv;
    if (!conv) return;
    conv.lastSeq = Math.max(conv.lastSeq, seq);
    conv.updatedAt = Math.max(conv.updatedAt, ts);
  }

  /** A team key was put for the shop. */
  forgetTeamKey(shopId: string): void {
    this.#teamKeys.delete(shopId);
  }

  /** Drops everything (the writer thread failed: what it committed last is not known here). */
  clear(): void {
    this.#convs.clear();
    this.#teamKeys.clear();
  }

  #entry(id: string): Entry {
    let entry = this.#convs.peek(id);
    if (!entry) {
      entry = {};
      this.#convs.set(id, entry);
    }
    return entry;
  }
}
