/**
 * One conversation's state on the client: confirmed messages in seq order,
 * the contiguous watermark `lastSeq`, and what is still in the outbox. Gaps
 * above the watermark are held until a backfill closes them; repeats of a seq
 * are dropped, so at-least-once delivery becomes exactly-once for the UI.
 */
import type { MessageBody } from "./codec.js";
import type { ConversationInfo } from "./protocol/index.js";
import { StateStore } from "./state-store.js";

export interface ChatMessage {
  convId: string;
  seq: number;
  msgId: string;
  /** Principal id of the sender. */
  sender: string;
  /** Server time of acceptance, ms. */
  ts: number;
  /** The decoded body; undefined when the envelope could not be read (see `error`). */
  body: MessageBody | undefined;
  error?: string;
}

export interface PendingMessage {
  convId: string;
  msgId: string;
  body: MessageBody;
  queuedAt: number;
  state: "sending" | "failed";
  error?: { code: string; message: string };
}

export interface ConversationState {
  id: string;
  info: ConversationInfo | undefined;
  /** Confirmed messages, ascending seq. */
  messages: readonly ChatMessage[];
  /** Sent by this client and not yet acknowledged. */
  pending: readonly PendingMessage[];
  /** Highest seq below which nothing is missing (from the oldest loaded message); 0 before any. */
  lastSeq: number;
  /** Whether older messages exist on the server than the oldest loaded. */
  hasOlder: boolean;
}

export class ConversationTracker {
  readonly state: StateStore<ConversationState>;
  readonly #seqs = new Set<number>();
  /** False until the first page or message sets where this client starts following. */
  anchored = false;

  constructor(id: string) {
    this.state = new StateStore<ConversationState>({
      id,
      info: undefined,
      messages: [],
      pending: [],
      lastSeq: 0,
      hasOlder: false,
    });
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
      const merged =
        newest === undefined || (incoming[0]?.seq ?? 0) > newest.seq
          ? s.messages.concat(incoming)
          : mergeBySeq(s.messages, incoming);
      let lastSeq = s.lastSeq;
      while (this.#seqs.has(lastSeq + 1)) lastSeq++;
      let pending = s.pending;
      if (pending.length > 0) {
        const sent = new Set(incoming.map((m) => m.msgId));
        pending = pending.filter((p) => !sent.has(p.msgId));
      }
      return { ...s, messages: merged, lastSeq, pending };
    });
  }

  /** True when a message above the watermark is held, so a backfill is needed. */
  hasGap(): boolean {
    const { lastSeq, messages } = this.state.value;
    const newest = messages.at(-1);
    return newest !== undefined && newest.seq > lastSeq;
  }

  setInfo(info: ConversationInfo): void {
    this.state.set((s) => ({ ...s, info }));
  }

  setPending(update: (pending: readonly PendingMessage[]) => readonly PendingMessage[]): void {
    this.state.set((s) => ({ ...s, pending: update(s.pending) }));
  }

  setHasOlder(hasOlder: boolean): void {
    this.state.set((s) => ({ ...s, hasOlder }));
  }
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
