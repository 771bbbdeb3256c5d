/**
 * Unread counts of the conversations a `<parley-chat>` follows: one
 * subscription per conversation state, a total reported whenever it changes.
 */
import type { ConversationState, ParleyClient } from "@parley/sdk";

/** Follows conversations' states and adds up their unread counts. */
export class UnreadTracker {
  readonly #counts = new Map<string, number>();
  readonly #watched = new Map<string, () => void>();
  readonly #onTotal: (count: number) => void;
  #last = -1;

  /** `onTotal` is called with the total whenever it changes. */
  constructor(onTotal: (count: number) => void) {
    this.#onTotal = onTotal;
  }

  /** Total unread messages across the followed conversations. */
  get total(): number {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  /** How many conversations are followed. */
  get size(): number {
    return this.#watched.size;
  }

  /** Sets a conversation's count as the conversation list reported it. */
  set(convId: string, count: number): void {
    this.#counts.set(convId, count);
  }

  /** Follows a conversation's state for its unread count (once per conversation). */
  watch(client: ParleyClient, convId: string): void {
    if (this.#watched.has(convId)) return;
    const off = client.conversation(convId).subscribe((s) => {
      const state = s as ConversationState;
      const unread = state.unread ?? state.info?.unread;
      if (unread !== undefined) this.#counts.set(convId, unread);
      this.report();
    });
    this.#watched.set(convId, off);
  }

  /** Stops following every conversation. */
  clear(): void {
    for (const off of this.#watched.values()) off();
    this.#watched.clear();
  }

  /** Reports the total if it changed since the last report. */
  report(): void {
    const count = this.total;
    if (count === this.#last) return;
    this.#last = count;
    this.#onTotal(count);
  }
}
