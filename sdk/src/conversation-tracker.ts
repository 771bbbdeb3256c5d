/**
 * One conversation's state on the client: confirmed messages in seq order,
 * the contiguous watermark `lastSeq`, and what is still in the outbox. Gaps
 * above the watermark are held until a backfill closes them; repeats of a seq
 * are dropped, so at-least-once delivery becomes exactly-once for the UI.
 * It also holds the conversation's signals: read markers (this principal's
 * and the others'), the unread count derived from them, and who is typing.
 */
import type { MessageBody } from "./codec.js";
import type { ConversationInfo } from "./protocol/index.js";
import { StateStore } from "./state-store.js";

/** A stored message of a conversation, decoded on this device. */
export interface ChatMessage {
  /** The conversation. */
  convId: string;
  /** Its sequence number in the conversation. */
  seq: number;
  /** The sender's message id. */
  msgId: string;
  /** Principal id of the sender. */
  sender: string;
  /**
   * The device that sent it (the envelope's `senderDevice`). With end-to-end encryption, the device
   * whose signature verified, pinned for `sender`; in plaintext conversations, the gateway's word only.
   */
  senderDevice?: string;
  /** Server time of acceptance, ms. */
  ts: number;
  /** The decoded body; undefined when the envelope could not be read (see `error`). */
  body: MessageBody | undefined;
  /** Why the envelope could not be read, for logs (see `unreadable` for what to show). */
  error?: string;
  /**
   * Why `body` is undefined: `no_key` when this device holds no key for the
   * message's epoch (it was sent to the principal's other devices before this
   * one could read the conversation, and no key backup gave it the key),
   * `before_joined` when the principal was not a member then (it joined later
   * and no history was shared with it), `invalid` when the envelope failed its
   * checks. Show one explanation per kind, not one per message.
   */
  unreadable?: "no_key" | "before_joined" | "invalid";
  /**
   * End-to-end encryption: the principal who shared this message's key with
   * this device (a history grant), when it was sent before this device could
   * read the conversation. Show it as "shared by …".
   */
  sharedBy?: string;
  /**
   * Set (true) when the shop's team sent it, as far as this client can tell; otherwise absent. In
   * end-to-end conversations only when the plaintext carries a valid team vouch: a signature by the
   * shop's team key over this conversation, this message id and this body, which only devices the
   * team's admin gave the key hold (an agent's or a bot's, not which one: ADR 0028). The gateway's
   * word on the sender never sets it. In plaintext conversations (`alg: "none"`) there is no team
   * key: it is set when the sender's principal id is an agent's or a bot's, the gateway's word only.
   * The widget marks cards as from the shop only when it is set.
   */
  fromTeam?: boolean;
}

/** A message this client sent that the gateway has not acknowledged yet. */
export interface PendingMessage {
  /** The conversation. */
  convId: string;
  /** The message id, the same on every attempt. */
  msgId: string;
  /** What is being sent. */
  body: MessageBody;
  /** When `send()` queued it, ms since the epoch. */
  queuedAt: number;
  /** `sending` while it is tried; `failed` once refused for good (until `retry` or `discard`). */
  state: "sending" | "failed";
  /** Why it failed, when it did. */
  error?: {
    /** The error code (an `ErrorCode` from the gateway, or one of the SDK's own). */
    code: string;
    /** For people. */
    message: string;
  };
}

/** What the client knows of one conversation: the state a UI renders. */
export interface ConversationState {
  /** The conversation id. */
  id: string;
  /** The conversation's details, once fetched or announced. */
  info: ConversationInfo | undefined;
  /** Confirmed messages, ascending seq. */
  messages: readonly ChatMessage[];
  /** Sent by this client and not yet acknowledged. */
  pending: readonly PendingMessage[];
  /** Highest seq below which nothing is missing (from the oldest loaded message); 0 before any. */
  lastSeq: number;
  /** Whether older messages exist on the server than the oldest loaded. */
  hasOlder: boolean;
  /** Read receipts: principal id -> highest seq it read, for everyone but this principal. */
  readBy: Readonly<Record<string, number>>;
  /** This principal's own read marker (from any of its devices). */
  readUpTo: number;
  /**
   * Confirmed messages from other senders with seq > `readUpTo`: the server's
   * count from `conv.list`/`conv.get` for what is not loaded, plus what arrived since.
   */
  unread: number;
  /** Principal ids typing in this conversation now (never this principal). */
  typing: readonly string[];
}

export class ConversationTracker {
  readonly state: StateStore<ConversationState>;
  readonly #seqs = new Set<number>();
  /** False until the first page or message sets where this client starts following. */
  anchored = false;
  /** This principal: its own messages are never unread, its marker is `readUpTo`. */
  #self: string | undefined;

  constructor(id: string, self?: string) {
    this.#self = self;
    this.state = new StateStore<ConversationState>({
      id,
      info: undefined,
      messages: [],
      pending: [],
      lastSeq: 0,
      hasOlder: false,
      readBy: {},
      readUpTo: 0,
      unread: 0,
      typing: [],
    });
  }

  /** Sets the principal this client is (once known), which the unread count depends on. */
  setSelf(principalId: string): void {
    if (this.#self === principalId) return;
    this.#self = principalId;
    this.state.set((s) => withUnread(s, principalId));
  }

  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /** Claims a seq before its (async) decoding; false when it was already claimed. */
  claim(seq: number): boolean {
    if (this.#seqs.has(seq)) return false;
    this.#seqs.add(seq);
    return true;
  }

  /** Sets the watermark where following starts (the first page loaded or the first live message). */
  anchor(lastSeq: number, hasOlder: boolean): void {
    this.anchored = true;
    this.state.set((s) => ({ ...s, lastSeq: Math.max(s.lastSeq, lastSeq), hasOlder }));
  }

  /** Inserts claimed messages in seq order and advances the watermark over every contiguous one. */
  insert(messages: readonly ChatMessage[]): void {
    if (messages.length === 0) return;
    const incoming = [...messages].sort((a, b) => a.seq - b.seq);
    this.state.set((s) => {
      const newest = s.messages.at(-1);
      // The common case, live messages arriving in order, appends without re-sorting the conversation.
      const appended = newest === undefined || (incoming[0]?.seq ?? 0) > newest.seq;
      const merged = appended ? s.messages.concat(incoming) : mergeBySeq(s.messages, incoming);
      let lastSeq = s.lastSeq;
      while (this.#seqs.has(lastSeq + 1)) lastSeq++;
      let pending = s.pending;
      if (pending.length > 0) {
        const sent = new Set(incoming.map((m) => m.msgId));
        pending = pending.filter((p) => !sent.has(p.msgId));
      }
      const next = { ...s, messages: merged, lastSeq, pending };
      // Appended above both the marker and the server's count: each one from someone else adds one
      // (what countUnread would find), without scanning the conversation again.
      const floor = Math.max(s.readUpTo, s.info?.lastSeq ?? 0);
      if (appended && (incoming[0]?.seq ?? 0) > floor) {
        let added = 0;
        for (const m of incoming) if (m.sender !== this.#self) added++;
        return added === 0 ? next : { ...next, unread: s.unread + added };
      }
      return withUnread(next, this.#self);
    });
  }

  /** Replaces messages already inserted (same seq), e.g. once a history grant lets them be read. */
  replace(messages: readonly ChatMessage[]): void {
    if (messages.length === 0) return;
    const bySeq = new Map(messages.map((m) => [m.seq, m]));
    this.state.set((s) => {
      if (!s.messages.some((m) => bySeq.has(m.seq))) return s;
      return withUnread({ ...s, messages: s.messages.map((m) => bySeq.get(m.seq) ?? m) }, this.#self);
    });
  }

  /** True when a message above the watermark is held, so a backfill is needed. */
  hasGap(): boolean {
    const { lastSeq, messages } = this.state.value;
    const newest = messages.at(-1);
    return newest !== undefined && newest.seq > lastSeq;
  }

  setInfo(info: ConversationInfo): void {
    this.state.set((s) => {
      const next = { ...s, info, readUpTo: Math.max(s.readUpTo, info.readUpTo ?? 0) };
      // Details that leave every input of the unread count as it was (an epoch after a commit, a
      // status, an assignee) keep the count: counting again scans the loaded messages.
      const was = s.info;
      const same =
        was !== undefined &&
        next.readUpTo === s.readUpTo &&
        was.lastSeq === info.lastSeq &&
        (was.readUpTo ?? 0) === (info.readUpTo ?? 0) &&
        (was.unread ?? 0) === (info.unread ?? 0);
      return same ? next : withUnread(next, this.#self);
    });
  }

  /** Moves this principal's marker forward (never back). */
  setReadUpTo(seq: number): void {
    this.state.set((s) => (seq > s.readUpTo ? withUnread({ ...s, readUpTo: seq }, this.#self) : s));
  }

  /** Moves another principal's marker forward; this principal's own goes to `setReadUpTo`. */
  setReadBy(principalId: string, seq: number): void {
    if (principalId === this.#self) {
      this.setReadUpTo(seq);
      return;
    }
    this.state.set((s) =>
      seq > (s.readBy[principalId] ?? 0) ? { ...s, readBy: { ...s.readBy, [principalId]: seq } } : s,
    );
  }

  setTyping(typing: readonly string[]): void {
    const others = typing.filter((p) => p !== this.#self);
    this.state.set((s) =>
      s.typing.length === others.length && s.typing.every((p, i) => p === others[i]) ? s : { ...s, typing: others },
    );
  }

  setPending(update: (pending: readonly PendingMessage[]) => readonly PendingMessage[]): void {
    this.state.set((s) => ({ ...s, pending: update(s.pending) }));
  }

  setHasOlder(hasOlder: boolean): void {
    this.state.set((s) => ({ ...s, hasOlder }));
  }
}

/** The state with its unread count worked out again (see {@link countUnread}). */
function withUnread(s: ConversationState, self: string | undefined): ConversationState {
  const unread = countUnread(s, self);
  return unread === s.unread ? s : { ...s, unread };
}

/**
 * Unread messages: the server counted those up to `info.lastSeq` against the
 * marker it knew (`info.readUpTo`); anything newer is counted from the loaded
 * messages. When the marker moved since into the server's range, the loaded
 * messages decide if that whole range is loaded, and otherwise the server's
 * count less the seqs now read is a lower bound (some of them may be our own).
 */
export function countUnread(s: ConversationState, self: string | undefined): number {
  const { messages, readUpTo, info } = s;
  const fromOthers = (after: number, upTo: number) => {
    let n = 0;
    let loaded = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i] as (typeof messages)[number];
      if (m.seq <= after) break;
      if (m.seq > upTo) continue;
      loaded++;
      if (m.sender !== self) n++;
    }
    return { n, loaded };
  };
  const base = info?.lastSeq ?? 0;
  if (!info || readUpTo >= base) return fromOthers(readUpTo, Number.MAX_SAFE_INTEGER).n;
  const newer = fromOthers(base, Number.MAX_SAFE_INTEGER).n;
  const baseMarker = info.readUpTo ?? 0;
  const baseUnread = info.unread ?? 0;
  if (readUpTo <= baseMarker) return baseUnread + newer;
  const range = fromOthers(readUpTo, base);
  const known =
    range.loaded === base - readUpTo
      ? range.n
      : Math.min(base - readUpTo, Math.max(range.n, baseUnread - (readUpTo - baseMarker)));
  return known + newer;
}

/** Merges two seq-ordered lists in one pass. */
function mergeBySeq(a: readonly ChatMessage[], b: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.seq <= y.seq)) {
      out.push(x as ChatMessage);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}
