/**
 * The chat's unread total across the conversations it follows: each
 * conversation's count, kept current from its state store, and a callback
 * whenever the total changes (`<parley-chat>` fires `parley-unread` with it).
 */
import type { ConversationState, ParleyClient } from "@parley/sdk";

/** Unread counts per followed conversation, and their total. */
export class UnreadTally {
  readonly #onChange: (count: number) => void;
  readonly #byConv = new Map<string, number>();
  readonly #watched = new Map<string, () => void>();
  #last = -1;

  /** `onChange` gets the total each time it differs from the last one told. */
  constructor(onChange: (count: number) => void) {
    this.#onChange = onChange;
  }

  /** Total unread messages across the followed conversations. */
  get total(): number {
    return [...this.#byConv.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Takes a conversation's count as listed (before its state is loaded). */
  set(convId: string, unread: number): void {
    this.#byConv.set(convId, unread);
  }

  /** Follows a conversation's state for its unread count (once per conversation). */
  watch(client: ParleyClient, convId: string): void {
    if (this.#watched.has(convId)) return;
    const off = client.conversation(convId).subscribe((s) => {
      const state = s as ConversationState;
      const unread = state.unread ?? state.info?.unread;
      if (unread !== undefined) this.#byConv.set(convId, unread);
      this.recount();
    });
    this.#watched.set(convId, off);
  }

  /** Tells `onChange` the total when it changed. */
  recount(): void {
    const count = this.total;
    if (count === this.#last) return;
    this.#last = count;
    this.#onChange(count);
  }

  /** Stops following every conversation (the counts stay). */
  unwatchAll(): void {
    for (const off of this.#watched.values()) off();
    this.#watched.clear();
  }
}
