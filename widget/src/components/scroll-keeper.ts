/**
 * Keeps the reader of `<parley-message-list>` in place: at the bottom when they
 * were there (following new messages), otherwise on the message they were
 * reading. It remembers where the reader is at each scroll and after each of
 * its own placements, captures that once per burst of updates and restores it
 * once the bubbles have rendered, and does the same when the content changes
 * size by itself (an image that finishes loading, the composer growing).
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";

/** Pixels from the bottom that still count as "at the bottom". */
export const PINNED = 32;

/** A message, by key, and its top's offset from the top of the log. */
export interface Anchor {
  key: string;
  top: number;
}

export class ScrollKeeper implements ReactiveController {
  readonly #log: () => HTMLElement | null;
  readonly #following: () => boolean;
  /** Whether the reader was at the bottom at the last scroll, or the last placement. */
  #atBottom = true;
  #lastTop = 0;
  /** The message the reader looked at, as of the last scroll or placement. */
  #anchor: Anchor | undefined;
  /** Where to put the reader after the current burst of updates. */
  #restore: { jump: boolean; anchor: Anchor | undefined } | undefined;
  #updates = 0;
  /** Watches the log and its content for size changes the list did not render itself. */
  #resize: ResizeObserver | undefined;
  #observed: HTMLElement | undefined;

  /**
   * @param log - the list's scrolling log, if rendered
   * @param following - whether the list's window ends at, and follows, the newest message
   */
  constructor(host: ReactiveControllerHost, log: () => HTMLElement | null, following: () => boolean) {
    this.#log = log;
    this.#following = following;
    host.addController(this);
  }

  /**
   * Whether the reader is at the bottom, with a scroll whose event has not arrived yet taken in
   * first: a message arriving in that frame must not count a reader who just scrolled up as
   * still at the bottom.
   */
  get atBottom(): boolean {
    const log = this.#log();
    if (log) this.#readScroll(log);
    return this.#atBottom;
  }

  hostDisconnected(): void {
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#observed = undefined;
  }

  /** Another conversation: the reader starts at the bottom. */
  reset(): void {
    this.#anchor = undefined;
    this.#atBottom = true;
  }

  /**
   * Before an update: captures where the reader is, once per burst of updates (until the bubbles of the
   * last one have rendered and the position is restored, the DOM does not show where the reader was).
   * `jump` asks for the bottom.
   */
  beforeUpdate(jump: boolean): void {
    const log = this.#log();
    // The reader may have scrolled since the last scroll event (it comes at the next frame): read that
    // first, or the placement after the update would put them back where they were.
    if (log) this.#readScroll(log);
    if (!this.#restore) {
      // Where the reader last was, not where the DOM is now: content that grew by itself since
      // (an image loading) would otherwise read as the reader having scrolled up.
      const pinned = !!log && this.#following() && this.#atBottom;
      // Likewise the message the reader looked at, as of their last scroll or the last placement.
      const anchor = this.#anchor ?? (log ? captureAnchor(log) : undefined);
      this.#restore = { jump: jump || pinned, anchor };
    } else if (jump) {
      this.#restore.jump = true;
    }
  }

  /** After an update: places the reader once the bubbles have rendered, then calls `placed`. */
  afterUpdate(placed: () => void): void {
    const log = this.#log();
    this.#observe(log);
    const token = ++this.#updates;
    // The bubbles render in their own (microtask) updates: measure once they have, still before paint.
    const bubbles = log ? [...log.querySelectorAll("parley-message")].map((m) => m.updateComplete) : [];
    void Promise.all(bubbles).then(() => {
      if (token !== this.#updates) return; // a newer update restores instead
      const restore = this.#restore;
      this.#restore = undefined;
      if (log && restore?.jump) log.scrollTop = log.scrollHeight;
      else if (log && restore?.anchor) placeAt(log, restore.anchor);
      if (log) this.#note(log);
      placed();
    });
  }

  /**
   * Scroll events arrive a frame late, after more content may have rendered: so only a move up
   * leaves the bottom (the reader scrolled), and reaching the bottom returns to it.
   */
  onScroll(): void {
    const log = this.#log();
    if (log) this.#readScroll(log);
  }

  /**
   * Takes in a scroll by the reader: from the scroll event, or earlier, when an update or a resize runs
   * before that event (it comes at the next frame) and would otherwise restore the place before it.
   * Not moved since the list placed the reader: what the DOM shows now may already include growth the
   * resize observer is about to compensate, so nothing is re-read.
   */
  #readScroll(log: HTMLElement): void {
    if (log.scrollTop === this.#lastTop) return;
    if (log.scrollHeight - log.scrollTop - log.clientHeight <= PINNED) this.#atBottom = true;
    else if (log.scrollTop < this.#lastTop) this.#atBottom = false;
    this.#lastTop = log.scrollTop;
    this.#anchor = captureAnchor(log);
  }

  /** Observes the current log and its content box (both are replaced when the list empties or fills). */
  #observe(log: HTMLElement | null): void {
    const content = log?.querySelector<HTMLElement>(":scope > .content") ?? undefined;
    if (content === this.#observed) return;
    this.#observed = content;
    this.#resize?.disconnect();
    if (!log || !content) return;
    this.#resize ??= new ResizeObserver(() => this.#onResize());
    this.#resize.observe(log);
    this.#resize.observe(content);
  }

  /** Something changed size without a scroll: keep the reader at the bottom, or on their message. */
  #onResize(): void {
    const log = this.#log();
    if (!log) return;
    this.#readScroll(log);
    if (this.#atBottom && this.#following()) log.scrollTop = log.scrollHeight;
    else if (this.#anchor) placeAt(log, this.#anchor);
    this.#note(log);
  }

  /** Remembers where the reader is now, for the next size change. */
  #note(log: HTMLElement): void {
    this.#atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= PINNED;
    this.#lastTop = log.scrollTop;
    this.#anchor = captureAnchor(log);
  }
}

/** Scrolls so the anchored message sits where it was. */
function placeAt(log: HTMLElement, anchor: Anchor): void {
  const el = [...log.querySelectorAll<HTMLElement>("[data-key]")].find((m) => m.dataset.key === anchor.key);
  if (el) log.scrollTop += el.getBoundingClientRect().top - log.getBoundingClientRect().top - anchor.top;
}

/** The first message whose bottom is below the top of the log, and its offset from that top. */
function captureAnchor(log: HTMLElement): Anchor | undefined {
  const top = log.getBoundingClientRect().top;
  for (const el of log.querySelectorAll<HTMLElement>("[data-key]")) {
    const rect = el.getBoundingClientRect();
    if (rect.bottom > top) return { key: el.dataset.key ?? "", top: rect.top - top };
  }
  return undefined;
}
