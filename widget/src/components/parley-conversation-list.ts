import type { ParleyClient } from "@parley/sdk";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { stripBidiControls } from "../i18n/bidi.js";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";

type ConversationInfo = Awaited<ReturnType<ParleyClient["listConversations"]>>[number];

/**
 * `<parley-conversation-list>`: the conversations this principal can see,
 * newest activity first, with unread counts; a listbox operated with the
 * arrow keys, Home, End, Enter and Space. Loads once connected (and after a
 * reconnect), and again (debounced) when messages, conversations or read
 * markers arrive.
 *
 * @csspart conversation-list - the listbox
 * @csspart conversation - each option
 * @csspart unread-badge - the unread count
 * @fires parley-select - detail `{ conversationId }` when a conversation is chosen
 */
export class ParleyConversationList extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    client: { attribute: false },
    selected: {},
    locale: {},
    conversations: { attribute: false },
    focusIndex: { state: true },
  };
  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** The chosen conversation's id. */
  declare selected: string | undefined;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  /** The conversations listed, most recent activity first; filled from the client. */
  declare conversations: ConversationInfo[];
  /** @internal Rendering state. */
  declare focusIndex: number;
  #offs: Array<() => void> = [];
  /** Followed conversation states: their unread counts are live (own read markers, new messages). */
  readonly #followed = new Map<string, () => void>();
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.locale = "en";
    this.conversations = [];
    this.focusIndex = 0;
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = [
    base,
    css`
      :host {
        display: block;
        overflow-y: auto;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0.25rem;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.5rem 0.6rem;
        border-radius: calc(var(--parley-radius, 12px) / 2);
        cursor: pointer;
      }
      li[aria-selected="true"] {
        background: var(--parley-surface, #eef1f5);
        font-weight: 600;
      }
      .title {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      time {
        font-size: 0.75rem;
        color: var(--parley-muted, #4b5563);
      }
      .badge {
        min-width: 1.4rem;
        padding: 0 0.4rem;
        border-radius: 999px;
        background: var(--parley-brand, #1d4ed8);
        color: var(--parley-brand-contrast, #ffffff);
        font-size: 0.75rem;
        text-align: center;
      }
      .empty {
        padding: 1rem;
        color: var(--parley-muted, #4b5563);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#unfollow();
    clearTimeout(this.#reloadTimer);
  }

  #unfollow(): void {
    for (const off of this.#followed.values()) off();
    this.#followed.clear();
  }

  /** Unread messages in a conversation: the client's live count once it knows the conversation. */
  #unread(c: ConversationInfo): number {
    const state = this.client?.conversation(c.id).value;
    return state?.info ? state.unread : (c.unread ?? 0);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("client")) {
      for (const off of this.#offs) off();
      this.#offs = [];
      this.#unfollow();
      this.#listen();
    }
  }

  /** Fetches the list again. */
  async reload(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      const list = await client.listConversations();
      if (client !== this.client) return;
      this.conversations = [...list].sort((a, b) => b.updatedAt - a.updatedAt);
      for (const c of list) {
        if (this.#followed.has(c.id)) continue;
        this.#followed.set(
          c.id,
          client.conversation(c.id).subscribe((next, prev) => {
            if (prev && next.unread !== prev.unread) this.requestUpdate();
          }),
        );
      }
    } catch {
      // keep the last list; the status banner explains outages
    }
  }

  #listen(): void {
    const client = this.client;
    if (!client || this.#offs.length > 0 || !this.isConnected) return;
    const soon = () => {
      clearTimeout(this.#reloadTimer);
      this.#reloadTimer = setTimeout(() => void this.reload(), 300);
    };
    const on = client.on.bind(client) as (event: string, handler: () => void) => () => void;
    this.#offs = ["message", "conversation", "read", "membership"].map((event) => on(event, soon));
    // Loads now when connected, and again after every reconnect.
    this.#offs.push(
      client.status.subscribe((status) => {
        if (status.state === "connected") void this.reload();
      }),
    );
  }

  #choose(id: string): void {
    this.selected = id;
    this.dispatchEvent(
      new CustomEvent("parley-select", { detail: { conversationId: id }, bubbles: true, composed: true }),
    );
  }

  #onKeydown(e: KeyboardEvent): void {
    const n = this.conversations.length;
    if (n === 0) return;
    let i = this.focusIndex;
    if (e.key === "ArrowDown") i = Math.min(n - 1, i + 1);
    else if (e.key === "ArrowUp") i = Math.max(0, i - 1);
    else if (e.key === "Home") i = 0;
    else if (e.key === "End") i = n - 1;
    else if (e.key === "Enter" || e.key === " ") {
      const c = this.conversations[i];
      if (c) this.#choose(c.id);
    } else return;
    e.preventDefault();
    this.focusIndex = i;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus());
  }

  protected override render() {
    const tr = translator(this.locale);
    if (this.conversations.length === 0) return html`<p class="empty">${tr.t("conv.empty")}</p>`;
    return html`<ul role="listbox" part="conversation-list" aria-label=${tr.t("chat.conversations")}
      @keydown=${this.#onKeydown}>
      ${this.conversations.map((c, i) => {
        const unread = this.#unread(c);
        return html`<li role="option" part="conversation" data-index=${i} tabindex=${i === this.focusIndex ? 0 : -1}
          aria-selected=${c.id === this.selected ? "true" : "false"}
          @click=${() => {
            this.focusIndex = i;
            this.#choose(c.id);
          }}>
          <span class="title" dir="auto">${stripBidiControls(c.ownerName ?? "") || tr.t("conv.untitled", { id: c.id.slice(-6) })}</span>
          <time datetime=${new Date(c.updatedAt).toISOString()}>${tr.time(c.updatedAt)}</time>
          ${
            unread > 0
              ? html`<span class="badge" part="unread-badge" aria-hidden="true">${unread}</span
                  ><span class="sr-only">${tr.t("conv.unread", { count: unread })}</span>`
              : nothing
          }
        </li>`;
      })}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-conversation-list": ParleyConversationList;
  }
}
