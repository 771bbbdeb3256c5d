/**
 * Messages accepted by `send` but not yet acknowledged by the gateway. Every
 * entry is written to storage before the first attempt, so a reload or a crash
 * resends it; the msgId never changes between attempts, and the gateway
 * stores each msgId once: retries never duplicate.
 *
 * With end-to-end encryption the entry also keeps the plaintext `body` (in the
 * device's own storage, never sent): the envelope is sealed just before the
 * first attempt and sealed again, with the same msgId, when the conversation
 * moved to a newer epoch (`stale_epoch`).
 *
 * Several outboxes can share one storage key: the tabs of one browser are one
 * device with one storage. Each write therefore keeps the entries another
 * outbox put there (all but those this one removed), so a tab never erases
 * another tab's unsent messages; whichever tab connects next sends them, and
 * the gateway's msgId check keeps a message sent by both tabs stored once.
 */

import type { MessageBody } from "./codec.js";
import type { Envelope, StoredMessage } from "./protocol/index.js";
import type { KeyValueStorage } from "./storage.js";

export interface OutboxEntry {
  convId: string;
  /**
   * The envelope as sent. For end-to-end entries (with `body`) it holds only
   * the header (empty `nonce`, `ct` and `sig`) until it is sealed.
   */
  envelope: Envelope;
  /** End-to-end only: the plaintext, kept until the gateway acknowledges so it can be sealed again. */
  body?: MessageBody;
  queuedAt: number;
  attempts: number;
  /** Set when the gateway refused the message for good (not retried until `retry`). */
  failed?: { code: string; message: string };
  /** The file ids the message refers to, claimed in the clear with `msg.send` so the gateway keeps them. */
  blobs?: string[];
  /** End-to-end only: the sealed envelope's plaintext carries a team vouch (its `ChatMessage` is `fromTeam`). */
  fromTeam?: true;
}

/**
 * The plaintext of `stored` when it is this device's own message exactly as the
 * entry sealed it (same sender, device, conversation and every envelope field,
 * with a real seal), so the client can show it without opening its own
 * envelope again; otherwise undefined, and the message is opened like any other.
 */
export function ownSealedBody(
  entry: OutboxEntry | undefined,
  stored: StoredMessage,
  self: { principalId: string | undefined; deviceId: string },
): MessageBody | undefined {
  if (!entry?.body || self.principalId === undefined) return undefined;
  const sent = entry.envelope;
  if (sent.alg === "none" || sent.sig === "" || sent.ct === "") return undefined;
  if (stored.sender !== self.principalId || stored.convId !== entry.convId || sent.senderDevice !== self.deviceId) {
    return undefined;
  }
  const keys = Object.keys(sent) as (keyof Envelope)[];
  const same = keys.length === Object.keys(stored.envelope).length && keys.every((k) => sent[k] === stored.envelope[k]);
  return same ? entry.body : undefined;
}

export class Outbox {
  #entries: OutboxEntry[] = [];
  /** msgIds this outbox removed (acknowledged or discarded): never written back from another outbox's entries. */
  readonly #removed = new Set<string>();
  /** The write that will include the latest change; callers that changed something await it. */
  #next: Promise<void> | undefined;
  #writing: Promise<void> = Promise.resolve();
  /**
   * The text this outbox last wrote and the entries it held: while storage still holds exactly that
   * text, no other outbox wrote since, and those entries stand for what a read would parse (a send
   * writes three times, and each write read and parsed the stored list first).
   */
  #written: { text: string; entries: readonly OutboxEntry[] } | undefined;

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly key: string,
  ) {}

  async load(): Promise<void> {
    const raw = await this.storage.get(this.key);
    if (!raw) return;
    try {
      const entries = JSON.parse(raw) as OutboxEntry[];
      if (Array.isArray(entries)) this.#entries = entries;
    } catch {
      // An unreadable outbox cannot be sent; start empty rather than fail to connect.
      this.#entries = [];
    }
  }

  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  find(msgId: string): OutboxEntry | undefined {
    return this.#entries.find((e) => e.envelope.msgId === msgId);
  }

  /** Resolves once the entry is in storage. */
  add(entry: OutboxEntry): Promise<void> {
    this.#entries = [...this.#entries, entry];
    return this.#persist();
  }

  /** Counts an attempt; kept in memory only (a reload starts counting again). */
  countAttempt(msgId: string): void {
    const entry = this.find(msgId);
    if (entry) entry.attempts++;
  }

  setFailed(msgId: string, failed: OutboxEntry["failed"]): Promise<void> {
    this.#entries = this.#entries.map((e) => {
      if (e.envelope.msgId !== msgId) return e;
      const { failed: _old, ...rest } = e;
      return failed ? { ...rest, failed } : rest;
    });
    return this.#persist();
  }

  /** Replaces an entry's envelope (same msgId): sealed (`vouched` when with a team vouch), or reset to its header. */
  setEnvelope(msgId: string, envelope: Envelope, vouched = false): Promise<void> {
    if (envelope.msgId !== msgId) throw new RangeError("an entry keeps its msgId");
    this.#entries = this.#entries.map((e) => {
      if (e.envelope.msgId !== msgId) return e;
      const { fromTeam: _old, ...rest } = e;
      return vouched ? { ...rest, envelope, fromTeam: true } : { ...rest, envelope };
    });
    return this.#persist();
  }

  remove(msgId: string): Promise<void> {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.envelope.msgId !== msgId);
    if (this.#entries.length === before) return Promise.resolve();
    this.#removed.add(msgId);
    return this.#persist();
  }

  /**
   * Changes made in the same turn share one write; writes never overlap, so a
   * slow write can never overwrite a newer one.
   */
  #persist(): Promise<void> {
    if (this.#next) return this.#next;
    const next = this.#writing.then(async () => {
      this.#next = undefined;
      const others = await this.#othersStored();
      const all = [...this.#entries, ...others];
      if (all.length === 0) {
        this.#written = undefined;
        return this.storage.delete(this.key);
      }
      const text = JSON.stringify(all);
      // This outbox's own entries in it are always held or removed by the next read, so only their
      // msgIds count there; the others' entries are as parsed and never changed here.
      this.#written = { text, entries: all };
      return this.storage.set(this.key, text);
    });
    this.#next = next;
    this.#writing = next.catch(() => undefined);
    return next;
  }

  /** The stored entries another outbox on this key put there: neither held nor removed by this one. */
  async #othersStored(): Promise<OutboxEntry[]> {
    const raw = await this.storage.get(this.key);
    let stored: unknown;
    if (raw !== undefined && raw === this.#written?.text) {
      stored = this.#written.entries;
    } else {
      try {
        stored = raw ? JSON.parse(raw) : [];
      } catch {
        return []; // unreadable: nothing of anyone's can be kept
      }
    }
    if (!Array.isArray(stored)) return [];
    const ids = new Set((stored as OutboxEntry[]).map((e) => e.envelope?.msgId));
    // A removed msgId no longer stored anywhere cannot come back: forget it.
    for (const id of this.#removed) if (!ids.has(id)) this.#removed.delete(id);
    const held = new Set(this.#entries.map((e) => e.envelope.msgId));
    return (stored as OutboxEntry[]).filter(
      (e) =>
        typeof e.envelope?.msgId === "string" && !held.has(e.envelope.msgId) && !this.#removed.has(e.envelope.msgId),
    );
  }
}
