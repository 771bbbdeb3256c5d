import type { ChatMessage, ConnectionStatus, ConversationState, ParleyClient, PendingMessage } from "@parley/sdk";
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { translator } from "../i18n/index.js";
import { InviteTimeline, type TimelineNotice } from "./invite-timeline.js";
import { MembershipTimeline, TimelineWords } from "./membership-timeline.js";
import { countShown, keyTransport, noKey, readThrough } from "./message-filters.js";
import { MessageWindow } from "./message-window.js";
import { isPending, type ShownMessage } from "./parley-message.js";
import { styles } from "./parley-message-list.styles.js";
import { PINNED, ScrollKeeper } from "./scroll-keeper.js";
import { NO_FEATURES, type ShopFeatures } from "./shop-features.js";
import { StoreController } from "./store-controller.js";

export { WINDOW } from "./message-window.js";

/** Pixels from an edge that count as "near" it. */
const EDGE = 240;

type State = ConversationState;

/**
 * `<parley-message-list>`: a conversation's messages and the sender's own
 * pending ones, as an ARIA log. Only a window of at most {@link WINDOW}
 * messages is in the DOM: scrolling near the top moves the window up through
 * what is loaded and then pages in history with `client.loadOlder`; scrolling
 * near the bottom moves it down again. Whenever the window or the messages
 * change, the first visible message keeps its offset (so prepending never
 * jumps); when the reader was at the bottom the list stays pinned there,
 * otherwise a "New messages" button appears. The same holds when the content
 * changes size by itself (an image that finishes loading, the composer
 * growing): a resize observer keeps a reader at the bottom there, and anyone
 * else on the message they were reading (scroll-keeper.ts; the window itself
 * is message-window.ts). The highest seq on screen is marked
 * read while the page is visible. Invite and membership lines ("You invited
 * @noah", "Noah joined (invited by Mia)", "Leo left", "Mia removed Leo") sit
 * between the messages by time (invite-timeline.ts, membership-timeline.ts).
 * Messages this device holds no key for (`unreadable` "no_key" or
 * "before_joined") are left out and explained at the top by one
 * `<parley-history-notice>` per reason.
 *
 * @csspart messages - the scrolling log
 * @csspart new-messages - the "New messages" button
 * @csspart message - each row (forwarded from `<parley-message>`)
 * @csspart bubble - each bubble (forwarded)
 * @csspart empty - the empty state
 */
export class ParleyMessageList extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    client: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    locale: {},
    names: { attribute: false },
    stallAfter: { type: Number, attribute: "stall-after" },
    features: { attribute: false },
    loadingOlder: { state: true },
    unseenBelow: { state: true },
  };

  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** The conversation shown (attribute `conversation-id`). */
  declare conversationId: string | undefined;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  /** Display names by principal id. */
  declare names: Record<string, string>;
  /** A message still sending after this many ms is shown as not sent, with Retry. @default 10000 */
  declare stallAfter: number;
  /** The shop's map tiles and audio (shop-features.ts); `{}` when it has none. @default {} */
  declare features: ShopFeatures;
  /** @internal Rendering state. */
  declare loadingOlder: boolean;
  /** Messages that arrived below the window while the reader was scrolled up. */
  declare unseenBelow: number;

  readonly #state = new StoreController<State>(this, (next, prev) => this.#onState(next, prev));
  readonly #status = new StoreController<ConnectionStatus>(this, (next, prev) => {
    // Back online: the outbox sends now, so the time it may take before a message counts as stalled
    // starts again (a message queued long ago is not "not sent" the moment the connection returns).
    if (next.state === "connected" && prev?.state !== "connected") this.#connectedAt = Date.now();
  });
  #connectedAt = 0;
  readonly #invites = new InviteTimeline(this);
  readonly #membership = new MembershipTimeline(this);
  /** Display names seen so far: people who left keep theirs in the lines about them. */
  readonly #seenNames = new Map<string, string>();
  readonly #words = new TimelineWords(this);
  readonly #window = new MessageWindow();
  readonly #keeper = new ScrollKeeper(
    this,
    () => this.#log(),
    () => this.#window.follow,
  );
  #jump = false;
  #readSent = 0;
  readonly #retriedAt = new Map<string, number>();
  #stallTimer: ReturnType<typeof setTimeout> | undefined;
  #checkQueued = false;

  constructor() {
    super();
    this.features = NO_FEATURES;
    this.locale = "en";
    this.names = {};
    this.stallAfter = 10_000;
    this.loadingOlder = false;
    this.unseenBelow = 0;
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = styles;

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener("visibilitychange", this.#onVisibility);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("visibilitychange", this.#onVisibility);
    clearTimeout(this.#stallTimer);
  }

  /** Scrolls to the newest message and follows it again. */
  scrollToBottom(): void {
    this.#window.toNewest();
    this.#jump = true;
    this.unseenBelow = 0;
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("client") || changed.has("conversationId")) {
      this.#window.reset();
      this.#jump = true;
      this.#readSent = 0;
      this.unseenBelow = 0;
      this.#keeper.reset();
      this.#status.set(this.client?.status);
      this.#invites.follow(this.client, this.conversationId);
      this.#membership.follow(this.client, this.conversationId);
      this.#state.set(this.client && this.conversationId ? this.client.conversation(this.conversationId) : undefined);
    }
    this.#keeper.beforeUpdate(this.#jump);
    this.#jump = false;
  }

  protected override updated(): void {
    this.#keeper.afterUpdate(() => this.#queueCheck());
    this.#scheduleStall();
  }

  #log(): HTMLElement | null {
    return this.renderRoot.querySelector(".log");
  }

  #onState(next: State, prev: State | undefined): void {
    const items: ShownMessage[] = [...next.messages.filter((m) => !noKey(m) && !keyTransport(m)), ...next.pending];
    const fresh = !prev || this.#window.items.length === 0;
    const ownSend = !!prev && next.pending.length > prev.pending.length;
    const unseen = this.#window.take(items, {
      fresh,
      ownSend,
      atBottom: !this.#log() || this.#keeper.atBottom,
      arrived: prev ? countShown(next.messages) - countShown(prev.messages) : 0,
    });
    if (fresh) this.#jump = true;
    else if (ownSend) this.scrollToBottom();
    else this.unseenBelow += unseen;
  }

  #onScroll = () => {
    this.#keeper.onScroll();
    this.#queueCheck();
  };

  #onVisibility = () => this.#markRead();

  /** The "New messages" button: jumps to the newest; its focus moves to the log as the button goes. */
  #onNewMessages = (e: Event) => {
    const focused = (this.renderRoot as ShadowRoot).activeElement === e.currentTarget;
    this.scrollToBottom();
    if (focused) void this.updateComplete.then(() => this.#log()?.focus({ preventScroll: true }));
  };

  #queueCheck(): void {
    if (this.#checkQueued) return;
    this.#checkQueued = true;
    requestAnimationFrame(() => {
      this.#checkQueued = false;
      this.#check();
    });
  }

  /** Moves the window or loads history when the reader is near an edge; marks read. */
  #check(): void {
    const log = this.#log();
    if (!log) return;
    const nearTop = log.scrollTop < EDGE;
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < EDGE;
    const win = this.#window;
    if (nearTop && win.up()) {
      this.requestUpdate();
    } else if (nearTop && this.#state.value?.hasOlder && !this.loadingOlder) {
      void this.#loadOlder();
    } else if (nearBottom && win.belowEnd) {
      if (win.down()) this.unseenBelow = 0;
      this.requestUpdate();
    } else if (nearBottom) {
      win.follow = true;
      if (log.scrollHeight - log.scrollTop - log.clientHeight <= PINNED) this.unseenBelow = 0;
    }
    this.#markRead();
  }

  async #loadOlder(): Promise<void> {
    const client = this.client;
    const convId = this.conversationId;
    if (!client || !convId) return;
    this.loadingOlder = true;
    this.#window.wantOlder = true;
    try {
      await client.loadOlder(convId);
    } catch {
      // Shown again on the next scroll; the connection banner explains outages.
    } finally {
      this.loadingOlder = false;
    }
  }

  /** Marks the newest message on screen as read, while the page is visible. */
  #markRead(): void {
    const client = this.client;
    const convId = this.conversationId;
    const log = this.#log();
    if (!client || !convId || !log || document.visibilityState !== "visible") return;
    if (log.clientHeight === 0) return;
    const box = log.getBoundingClientRect();
    let seq = 0;
    for (const el of log.querySelectorAll<HTMLElement>("[data-seq]")) {
      const rect = el.getBoundingClientRect();
      if (rect.top < box.bottom && rect.bottom > box.top) seq = Math.max(seq, Number(el.dataset.seq));
    }
    const state = this.#state.value;
    seq = readThrough(state?.messages ?? [], seq);
    if (seq <= this.#readSent || seq <= (state?.readUpTo ?? 0)) return;
    this.#readSent = seq;
    client.markRead(convId, seq).catch(() => {
      this.#readSent = 0;
    });
  }

  /** Waiting for the connection: the outbox sends it (once) when the client is connected again. */
  #isQueued(m: PendingMessage): boolean {
    const status = this.#status.value?.state;
    return m.state === "sending" && status !== undefined && status !== "connected";
  }

  /** When a sending message's time to count as stalled started: queued, retried, or reconnected. */
  #since(m: PendingMessage): number {
    return Math.max(this.#retriedAt.get(m.msgId) ?? m.queuedAt, this.#connectedAt);
  }

  /** Connected, yet still sending after `stallAfter`: shown as not sent, with Retry. */
  #isStalled(m: PendingMessage, now: number): boolean {
    if (m.state !== "sending" || this.#isQueued(m)) return false;
    return now - this.#since(m) >= this.stallAfter;
  }

  /** Re-renders when the next sending message is due to show as not sent. */
  #scheduleStall(): void {
    clearTimeout(this.#stallTimer);
    const now = Date.now();
    let due = Number.POSITIVE_INFINITY;
    for (const m of this.#state.value?.pending ?? []) {
      if (m.state !== "sending" || this.#isQueued(m) || this.#isStalled(m, now)) continue;
      due = Math.min(due, this.#since(m) + this.stallAfter);
    }
    if (Number.isFinite(due)) this.#stallTimer = setTimeout(() => this.requestUpdate(), Math.max(0, due - now) + 20);
  }

  #onRetry = (e: Event) => {
    const { msgId } = (e as CustomEvent<{ msgId: string }>).detail;
    this.#retriedAt.set(msgId, Date.now());
    this.requestUpdate();
  };

  #seenSeq(state: State, me: string | undefined): number {
    let seen = 0;
    for (const [principal, seq] of Object.entries(state.readBy ?? {})) if (principal !== me) seen = Math.max(seen, seq);
    return seen;
  }

  protected override render() {
    const tr = translator(this.locale);
    const state = this.#state.value;
    const { items, start, end } = this.#window;
    const hidden = { no_key: 0, before_joined: 0 };
    for (const m of state?.messages ?? []) if (noKey(m)) hidden[m.unreadable]++;
    // Nothing older to load, yet the conversation began before the first message served: the gateway
    // keeps what was said before this member joined from them (the invite offered no such history).
    const first = state?.messages[0]?.seq ?? (state?.info?.lastSeq ?? 0) + 1;
    if (state && !state.hasOlder && first > 1 && hidden.before_joined === 0) hidden.before_joined = first - 1;
    const historyNotice =
      start === 0
        ? (["before_joined", "no_key"] as const).map((kind) =>
            hidden[kind] > 0
              ? html`<parley-history-notice .locale=${this.locale} .kind=${kind} .count=${hidden[kind]}></parley-history-notice>`
              : nothing,
          )
        : nothing;
    let me: string | undefined;
    try {
      me = this.client?.principal.id;
    } catch {
      me = undefined;
    }
    for (const [id, n] of Object.entries(this.names)) this.#seenNames.set(id, n);
    const input = { invites: this.#invites.invites, events: this.#membership.events, me, names: this.#seenNames };
    const notices =
      this.#words.get(input.invites.length + input.events.length > 0)?.({ ...input, locale: this.locale }) ?? [];
    // An invitee offered no history joins a conversation with no message for it yet: its invite lines still show.
    if (!state || (items.length === 0 && hidden.no_key + hidden.before_joined === 0 && notices.length === 0)) {
      return html`<div class="log empty" part="messages empty" role="log" aria-live="polite" aria-label=${tr.t("list.label")} tabindex="0">
        <h2>${tr.t("chat.empty.title")}</h2>
        <p>${tr.t("chat.empty.body")}</p>
      </div>`;
    }
    const seenSeq = this.#seenSeq(state, me);
    let ownLast: ChatMessage | undefined;
    for (let i = state.messages.length - 1; i >= 0; i--) {
      const m = state.messages[i];
      if (m && m.sender === me) {
        ownLast = m;
        break;
      }
    }
    const now = Date.now();
    const shown = this.#window.shown();
    const dayOf = (m: ShownMessage | undefined) => (m ? new Date(isPending(m) ? m.queuedAt : m.ts).toDateString() : "");
    const tsOf = (m: ShownMessage | undefined) => (m ? (isPending(m) ? m.queuedAt : m.ts) : Number.NEGATIVE_INFINITY);
    const noticesIn = (after: number, upTo: number) =>
      notices
        .filter((n) => n.ts > after && n.ts <= upTo)
        .map((n: TimelineNotice) => html`<p class="note" data-notice=${n.key}>${n.text}</p>`);
    const last = end === items.length ? tsOf(items.at(-1)) : undefined;
    // The button comes before the log in the focus order: one Shift+Tab from the log (and one Tab
    // before it) reaches it, not after every link and button inside the messages.
    return html`${
      this.unseenBelow > 0
        ? html`<button type="button" class="pill" part="new-messages" @click=${this.#onNewMessages}>
            ${tr.t("list.newMessages")}
          </button>`
        : nothing
    }<div class="log" part="messages" role="log" aria-live="polite" aria-label=${tr.t("list.label")}
        tabindex="0" @scroll=${this.#onScroll} @parley-retry=${this.#onRetry}><div class="content">
        ${this.loadingOlder ? html`<p class="note" role="status">${tr.t("list.loadingOlder")}</p>` : nothing}
        ${start === 0 && !state.hasOlder && hidden.before_joined === 0 ? html`<p class="note">${tr.t("list.start")}</p>` : nothing}
        ${historyNotice}
        ${repeat(
          shown,
          (m) => m.msgId,
          (m, i) => {
            const prevDay = dayOf(items[start + i - 1]);
            const day = dayOf(m);
            const ts = isPending(m) ? m.queuedAt : m.ts;
            const own = isPending(m) || m.sender === me;
            const sender = isPending(m) ? "" : (this.names[m.sender] ?? tr.t("msg.someone"));
            const sharedBy = !isPending(m) && m.sharedBy ? this.names[m.sharedBy] : undefined;
            const before = noticesIn(tsOf(items[start + i - 1]), ts);
            return html`${day !== prevDay ? html`<p class="day">${tr.day(ts)}</p>` : nothing}${before}<parley-message
                data-key=${m.msgId}
                data-seq=${isPending(m) ? nothing : m.seq}
                exportparts="message, bubble, retry-button"
                .message=${m}
                .client=${this.client}
                ?own=${own}
                .senderName=${sender}
                .sharedByName=${sharedBy}
                .locale=${this.locale}
                .names=${this.names}
                .seen=${!isPending(m) && m === ownLast && seenSeq >= m.seq}
                .stalled=${isPending(m) && this.#isStalled(m, now)}
                .queued=${isPending(m) && this.#isQueued(m)}
                .features=${this.features}
              ></parley-message>`;
          },
        )}
        ${last === undefined ? nothing : noticesIn(last, Number.POSITIVE_INFINITY)}
      </div></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-message-list": ParleyMessageList;
  }
}
