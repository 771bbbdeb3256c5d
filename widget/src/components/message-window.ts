/**
 * The window of `<parley-message-list>`: which of the shown messages are in the
 * DOM (at most {@link WINDOW}). It follows the newest message until the reader
 * scrolls up while many arrive, moves by {@link STEP} when the reader nears an
 * edge, and shifts with history paged in above so the same messages stay shown.
 */
import type { ShownMessage } from "./parley-message.js";

/** Most messages in the DOM at once. */
export const WINDOW = 120;
/** Messages the window moves by. */
export const STEP = 40;

/** What changed in the conversation, for {@link MessageWindow.take}. */
export interface Change {
  /** The first state of the conversation, or the first with anything to show. */
  fresh: boolean;
  /** The sender's own new pending message: the list jumps to the newest. */
  ownSend: boolean;
  /** Whether the reader is at the bottom (or nothing is rendered yet). */
  atBottom: boolean;
  /** How many more (delivered) messages there are than before. */
  arrived: number;
}

export class MessageWindow {
  /** Every message that can be shown, oldest first (delivered, then pending). */
  items: ShownMessage[] = [];
  /** Index of the first message in the DOM. */
  start = 0;
  /** Index after the last message in the DOM. */
  end = 0;
  /** Whether the window's end follows the newest message. */
  follow = true;
  /** History is being paged in because the reader reached the top: show the whole page above. */
  wantOlder = false;

  /** Another conversation: empty, following. */
  reset(): void {
    this.items = [];
    this.start = this.end = 0;
    this.follow = true;
  }

  /** The messages in the DOM. */
  shown(): ShownMessage[] {
    return this.items.slice(this.start, this.end);
  }

  /** Ends at the newest message and follows it. */
  toNewest(): void {
    this.end = this.items.length;
    this.start = Math.max(0, this.end - WINDOW);
    this.follow = true;
  }

  /** Takes the conversation's new messages; resolves how many arrived below the reader, unseen. */
  take(items: ShownMessage[], change: Change): number {
    const old = this.items;
    this.items = items;
    if (change.fresh || old.length === 0) {
      this.toNewest();
      return 0;
    }
    // Older messages prepended (history paging): shift the window so it shows the same messages.
    const firstKey = old[0]?.msgId;
    const shift = firstKey === undefined ? 0 : items.findIndex((m) => m.msgId === firstKey);
    if (shift > 0) {
      this.start += shift;
      this.end += shift;
      if (this.wantOlder) this.start = Math.max(0, this.start - shift);
      this.#bound();
    }
    if (shift >= 0) this.wantOlder = false;
    if (change.ownSend) return 0;
    let unseen = 0;
    if (this.follow) {
      const added = items.length - this.end;
      this.end = items.length;
      if (change.atBottom) this.start = Math.max(this.start, this.end - WINDOW);
      else if (added > 0 && change.arrived > 0) unseen = added;
      // Scrolled up while many arrive: stop following rather than grow the DOM.
      this.#bound();
    } else if (items.length > this.end && change.arrived > 0) {
      unseen = change.arrived;
    }
    this.end = Math.min(this.end, items.length);
    this.start = Math.min(this.start, this.end);
    return unseen;
  }

  /** Moves the window up by a step (the reader nears the top); false when it is at the first message. */
  up(): boolean {
    if (this.start === 0) return false;
    this.start = Math.max(0, this.start - STEP);
    this.#bound();
    return true;
  }

  /** Moves the window down by a step (the reader nears the bottom); true once it ends at the newest. */
  down(): boolean {
    this.end = Math.min(this.items.length, this.end + STEP);
    this.start = Math.max(this.start, this.end - WINDOW);
    if (this.end < this.items.length) return false;
    this.follow = true;
    return true;
  }

  /** Whether messages below the window are not in the DOM. */
  get belowEnd(): boolean {
    return this.end < this.items.length;
  }

  /** Keeps at most {@link WINDOW} messages, dropping the newest and no longer following them. */
  #bound(): void {
    if (this.end - this.start > WINDOW) {
      this.end = this.start + WINDOW;
      this.follow = false;
    }
  }
}
