/**
 * The composer's `@` list: the listbox of people whose handle starts with
 * what is typed after `@` before the caret (who may be offered is decided in
 * invite-target.ts), which one is highlighted, and putting a chosen handle
 * into the textarea at the caret. Which key moves, picks or closes is decided
 * in composer-keys.ts.
 */
import { html, nothing, type ReactiveControllerHost } from "lit";
import { stripBidiControls } from "../i18n/bidi.js";
import type { Translator } from "../i18n/index.js";
import { completeMention, type Mentionable, mentionSuggestions } from "./invite-target.js";

/** The id of the listbox, for the textarea's `aria-controls`. */
export const MENTION_LIST_ID = "mentions";

/** The id of option `i`, for the textarea's `aria-activedescendant`. */
export const mentionOptionId = (i: number): string => `mention-${i}`;

/** The people to offer for `value` with the caret at `caret` (the whole text when the caret is unknown). */
export function suggestionsAt(value: string, caret: number | null, mentionable: readonly Mentionable[]): Mentionable[] {
  return mentionSuggestions(value.slice(0, caret ?? value.length), mentionable);
}

/** `value` with the `@partial` before `caret` completed to `@handle `, and where the caret goes then (after the space). */
export function insertMention(value: string, caret: number, handle: string): { value: string; caret: number } {
  const before = completeMention(value.slice(0, caret), handle);
  return { value: before + value.slice(caret), caret: before.length };
}

/** The `@` list of a composer's textarea; the host re-renders when it opens, closes or moves. */
export class MentionList {
  readonly #host: ReactiveControllerHost;
  readonly #picked: (area: HTMLTextAreaElement) => void;
  #people: Mentionable[] = [];
  #active = 0;

  /** `picked` runs after a handle was put into the textarea (focus is back in it). */
  constructor(host: ReactiveControllerHost, picked: (area: HTMLTextAreaElement) => void) {
    this.#host = host;
    this.#picked = picked;
  }

  /** Whether it shows anyone. */
  get open(): boolean {
    return this.#people.length > 0;
  }

  /** How many people it shows (0: closed) and which is highlighted. */
  get state(): { count: number; active: number } {
    return { count: this.#people.length, active: this.#active };
  }

  /** Offers the people for the text before `area`'s caret, the first one highlighted. */
  suggest(area: HTMLTextAreaElement, mentionable: readonly Mentionable[]): void {
    this.#people = suggestionsAt(area.value, area.selectionStart, mentionable);
    this.#active = 0;
    this.#host.requestUpdate();
  }

  /** Highlights person `active`. */
  highlight(active: number): void {
    this.#active = active;
    this.#host.requestUpdate();
  }

  /** Closes the list. */
  close(): void {
    this.#people = [];
    this.#host.requestUpdate();
  }

  /** Puts person `index`'s handle into `area` at the caret, closes the list and focuses `area`. */
  pick(area: HTMLTextAreaElement | null, index: number): void {
    const m = this.#people[index];
    if (!area || !m) return;
    const next = insertMention(area.value, area.selectionStart ?? area.value.length, m.handle);
    area.value = next.value;
    area.setSelectionRange(next.caret, next.caret);
    this.#picked(area);
    this.close();
    area.focus();
  }

  /** The textarea's `aria-controls` and `aria-activedescendant` while the list is open. */
  aria(): { controls: string | typeof nothing; active: string | typeof nothing } {
    if (!this.open) return { controls: nothing, active: nothing };
    return { controls: MENTION_LIST_ID, active: mentionOptionId(this.#active) };
  }

  /**
   * The listbox (nothing while closed): display name (bidi controls stripped) and handle for each
   * person. A press does not take focus from the textarea `area()`; a click picks.
   */
  render(tr: Translator, area: () => HTMLTextAreaElement | null) {
    if (!this.open) return nothing;
    return html`<ul role="listbox" id=${MENTION_LIST_ID} aria-label=${tr.t("composer.mentions")}>
      ${this.#people.map(
        (m, i) => html`<li role="option" id=${mentionOptionId(i)} aria-selected=${i === this.#active ? "true" : "false"}
          @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.pick(area(), i)}>
          <bdi>${stripBidiControls(m.displayName)}</bdi><span class="handle">@${m.handle}</span>
        </li>`,
      )}
    </ul>`;
  }
}
