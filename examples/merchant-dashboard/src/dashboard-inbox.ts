/**
 * `<dashboard-inbox>`: every conversation of the shop, newest activity first
 * and live: customer name, last message preview (decrypted in this browser),
 * unread count, assignee. Filters (open, mine, unassigned, closed) and a
 * search box over the decrypted local history. The list is a listbox: arrow
 * keys, Home and End move, Enter or Space opens.
 *
 * @fires dashboard-select - detail `{ conversationId }`
 * @fires dashboard-search - detail `{ query }` as the search box changes
 */

import { StoreController, stripBidiControls } from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { type Dashboard, type InboxFilter, type InboxRow, matchesFilter } from "./dashboard.js";
import { dateTime, type MessageKey, t, when } from "./i18n.js";
import { shared } from "./styles.js";

const FILTERS: readonly InboxFilter[] = ["open", "mine", "unassigned", "closed"];

export class DashboardInbox extends LitElement {
  static override properties = {
    dash: { attribute: false },
    selected: {},
    query: {},
    filter: { state: true },
    focusId: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare selected: string | undefined;
  declare query: string;
  declare filter: InboxFilter;
  /** The option that takes Tab focus (roving tabindex). */
  declare focusId: string | undefined;
  readonly #rows = new StoreController<readonly InboxRow[]>(this);
  readonly #names = new StoreController<Readonly<Record<string, string>>>(this);
  readonly #indexed = new StoreController<number>(this);

  constructor() {
    super();
    this.query = "";
    this.filter = "open";
  }

  static override styles = [
    shared,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        border-inline-end: 1px solid var(--dash-border);
        background: #ffffff;
      }
      .top {
        padding: 0.6rem;
        display: grid;
        gap: 0.5rem;
        border-block-end: 1px solid var(--dash-border);
      }
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      .filters button {
        border: 1px solid var(--dash-border);
        border-radius: 999px;
        padding: 0.15rem 0.6rem;
        font-size: 0.85rem;
      }
      .filters button[aria-pressed="true"] {
        background: var(--dash-accent);
        border-color: var(--dash-accent);
        color: #ffffff;
      }
      .note {
        font-size: 0.75rem;
        margin: 0;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0.25rem;
        overflow-y: auto;
        flex: 1;
      }
      li {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.1rem 0.5rem;
        padding: 0.5rem 0.6rem;
        border-radius: 8px;
        cursor: pointer;
      }
      li + li {
        margin-block-start: 0.15rem;
      }
      li:hover {
        background: var(--dash-surface);
      }
      li[aria-selected="true"] {
        background: #dbe4ff;
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .preview,
      .meta {
        grid-column: 1 / -1;
        font-size: 0.85rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .meta {
        font-size: 0.75rem;
        color: var(--dash-muted);
      }
      .side {
        display: flex;
        gap: 0.35rem;
        align-items: center;
      }
      time {
        font-size: 0.75rem;
        color: var(--dash-muted);
      }
      .badge {
        min-width: 1.4rem;
        padding: 0 0.4rem;
        border-radius: 999px;
        background: var(--dash-accent);
        color: #ffffff;
        font-size: 0.75rem;
        text-align: center;
        font-weight: 700;
      }
      li.unread .preview {
        font-weight: 600;
      }
      .empty {
        padding: 1rem;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash")) {
      this.#rows.set(this.dash?.rows);
      this.#names.set(this.dash?.names);
      this.#indexed.set(this.dash?.indexVersion);
    }
  }

  /** The rows the filter and the search let through, in order. */
  visible(): InboxRow[] {
    const dash = this.dash;
    const rows = this.#rows.value ?? [];
    if (!dash) return [];
    const found = this.query.trim() ? dash.index.matching(this.query) : undefined;
    return rows.filter((r) => matchesFilter(r, this.filter, dash.me) && (!found || found.has(r.id)));
  }

  #select(id: string): void {
    this.focusId = id;
    this.dispatchEvent(
      new CustomEvent("dashboard-select", { detail: { conversationId: id }, bubbles: true, composed: true }),
    );
  }

  #onKey(e: KeyboardEvent, rows: InboxRow[]): void {
    // The row that has the focus: reached by Tab it is the tabbable one, before any arrow key set focusId.
    const row = (e.target as Element).closest<HTMLElement>("li[data-conv-id]");
    const at = rows.findIndex((r) => r.id === (row?.dataset.convId ?? this.focusId ?? this.selected));
    let next = at;
    if (e.key === "ArrowDown") next = Math.min(rows.length - 1, at + 1);
    else if (e.key === "ArrowUp") next = Math.max(0, at - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = rows.length - 1;
    else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      const chosen = rows[at];
      if (chosen) this.#select(chosen.id);
      return;
    } else return;
    e.preventDefault();
    const target = rows[next];
    if (!target) return;
    this.focusId = target.id;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`li[data-conv-id="${CSS.escape(target.id)}"]`)?.focus(),
    );
  }

  #search(e: Event): void {
    const query = (e.target as HTMLInputElement).value;
    this.dispatchEvent(new CustomEvent("dashboard-search", { detail: { query }, bubbles: true, composed: true }));
  }

  #row(row: InboxRow, tabbable: boolean) {
    const names = this.#names.value ?? {};
    const name = row.customer?.displayName ?? t("customer.none");
    const assignee = row.info.assignee;
    const who = assignee
      ? t("inbox.assignee", { name: assignee === this.dash?.me ? t("you") : (names[assignee] ?? assignee) })
      : t("inbox.unassigned");
    const preview = row.unreadable ? t("inbox.unreadable") : row.preview || t("inbox.noPreview");
    return html`<li
      role="option"
      id=${`conv-${row.id}`}
      data-conv-id=${row.id}
      data-unread=${row.unread}
      data-status=${row.info.status}
      class=${row.unread > 0 ? "unread" : ""}
      aria-selected=${row.id === this.selected ? "true" : "false"}
      tabindex=${tabbable ? "0" : "-1"}
      @click=${() => this.#select(row.id)}
    >
      <bdi class="name">${stripBidiControls(name)}</bdi>
      <span class="side">
        <time datetime=${new Date(row.lastActivity).toISOString()} title=${dateTime(row.lastActivity)}>${when(row.lastActivity)}</time>
        ${
          row.unread > 0
            ? html`<span class="badge" aria-hidden="true">${row.unread}</span><span class="sr-only">${t("inbox.unread", { count: row.unread })}</span>`
            : nothing
        }
      </span>
      <span class="preview">${preview}</span>
      <span class="meta">${row.info.status === "closed" ? `${t("inbox.closed")} · ` : ""}${who}</span>
    </li>`;
  }

  protected override render() {
    const rows = this.visible();
    const focus = rows.find((r) => r.id === (this.focusId ?? this.selected))?.id ?? rows[0]?.id;
    return html`<div class="top">
        <div class="filters" role="group" aria-label=${t("inbox.filters")}>
          ${FILTERS.map(
            (f) => html`<button type="button" data-filter=${f} aria-pressed=${this.filter === f ? "true" : "false"}
              @click=${() => {
                this.filter = f;
              }}>${t(`filter.${f}` as MessageKey)}</button>`,
          )}
        </div>
        <label class="sr-only" for="search">${t("search.label")}</label>
        <input id="search" type="search" placeholder=${t("search.placeholder")} .value=${this.query}
          @input=${this.#search} aria-describedby="search-note" />
        <p class="note muted" id="search-note">${t("search.note")}</p>
      </div>
      ${
        rows.length === 0
          ? html`<p class="empty muted" role="status">
              ${this.query.trim() ? t("search.none", { query: this.query.trim() }) : t("inbox.empty")}
            </p>`
          : html`<ul role="listbox" aria-label=${t("inbox.label")} @keydown=${(e: KeyboardEvent) => this.#onKey(e, rows)}>
              ${rows.map((r) => this.#row(r, r.id === focus))}
            </ul>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-inbox": DashboardInbox;
  }
}
