/**
 * `<dashboard-notes>`: the team's internal notes on a conversation, oldest
 * first, live, with a form to add one. Styled apart from the chat (amber, with
 * "Internal note — customers never see this") so nobody mistakes the box for
 * the composer. Notes are sealed with a key derived from the team key: the
 * customer's devices and the gateway cannot read them.
 */
import type { Note } from "@parley/sdk";
import { stripBidiControls } from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import { dateTime, t } from "./i18n.js";
import { shared } from "./styles.js";

export class DashboardNotes extends LitElement {
  static override properties = {
    dash: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    notes: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare conversationId: string | undefined;
  declare notes: Note[];
  declare error: string;
  declare busy: boolean;
  #off: (() => void) | undefined;
  #load = 0;

  constructor() {
    super();
    this.notes = [];
    this.error = "";
    this.busy = false;
  }

  static override styles = [
    shared,
    css`
      :host {
        display: block;
        padding: 0.8rem;
        background: var(--dash-note-bg);
        color: var(--dash-note-fg);
        border-block-start: 3px solid #d97706;
      }
      .banner {
        font-size: 0.8rem;
        font-weight: 600;
        margin: 0 0 0.5rem;
      }
      ol {
        list-style: none;
        margin: 0 0 0.6rem;
        padding: 0;
        display: grid;
        gap: 0.4rem;
        max-height: 14rem;
        overflow-y: auto;
      }
      li {
        background: #ffffff;
        border: 1px dashed #d97706;
        border-radius: 6px;
        padding: 0.35rem 0.5rem;
        font-size: 0.9rem;
        color: #111827;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .by {
        display: block;
        font-size: 0.75rem;
        color: var(--dash-note-fg);
      }
      form {
        display: grid;
        gap: 0.4rem;
      }
      textarea {
        min-height: 3.5rem;
        resize: vertical;
      }
      .muted {
        color: var(--dash-note-fg);
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#off?.();
    this.#off = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash") || changed.has("conversationId")) {
      this.#off?.();
      this.#off = undefined;
      this.notes = [];
      this.error = "";
      const client = this.dash?.client;
      const convId = this.conversationId;
      if (!client || !convId) return;
      this.#off = client.on("note", ({ conversationId, note }) => {
        if (conversationId === this.conversationId) this.#merge([note]);
      });
      const load = ++this.#load;
      client.notes(convId).then(
        (notes) => {
          if (load === this.#load) this.#merge(notes);
        },
        (err: Error) => {
          if (load === this.#load) this.error = t("conv.failed", { reason: err.message });
        },
      );
    }
  }

  /** Adds notes not held yet, keeping the list in time order. */
  #merge(more: readonly Note[]): void {
    const byId = new Map(this.notes.map((n) => [n.id, n]));
    for (const n of more) byId.set(n.id, n);
    this.notes = [...byId.values()].sort((a, b) => a.ts - b.ts);
  }

  async #add(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const client = this.dash?.client;
    const convId = this.conversationId;
    const area = (e.target as HTMLFormElement).elements.namedItem("note") as HTMLTextAreaElement;
    const text = area.value.trim();
    if (!client || !convId || !text) return;
    this.busy = true;
    this.error = "";
    try {
      this.#merge([await client.addNote(convId, text)]);
      area.value = "";
    } catch (err) {
      this.error = t("conv.failed", { reason: (err as Error).message });
    } finally {
      this.busy = false;
    }
  }

  protected override render() {
    if (!this.conversationId) return nothing;
    return html`<section aria-labelledby="notes-title">
      <h2 id="notes-title">${t("notes.title")}</h2>
      <p class="banner">${t("notes.banner")}</p>
      ${
        this.notes.length === 0
          ? html`<p class="muted">${t("notes.empty")}</p>`
          : html`<ol aria-label=${t("notes.title")}>
              ${this.notes.map(
                (n) =>
                  html`<li data-note-id=${n.id}><span class="by"><bdi>${stripBidiControls(n.authorName)}</bdi> · ${dateTime(n.ts)}</span>${n.text}</li>`,
              )}
            </ol>`
      }
      <form @submit=${this.#add}>
        <label for="note">${t("notes.label")}</label>
        <textarea id="note" name="note" maxlength="4000" required></textarea>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button class="button" type="submit" ?disabled=${this.busy}>${t("notes.add")}</button>
      </form>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-notes": DashboardNotes;
  }
}
