/**
 * The composer's `@` list: the listbox of people whose handle starts with
 * what is typed after `@` (who is offered is decided in invite-target.ts),
 * and putting a chosen handle into the text at the caret. The keys that move
 * through the list are in composer-keys.ts.
 */
import { html, type TemplateResult } from "lit";
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

/**
 * The listbox: display name (bidi controls stripped) and handle for each person, option `active`
 * selected. A press does not take focus from the textarea; a click calls `pick`.
 */
export function mentionList(
  list: { people: readonly Mentionable[]; active: number; pick: (m: Mentionable) => void },
  tr: Translator,
): TemplateResult {
  const { people, active, pick } = list;
  return html`<ul role="listbox" id=${MENTION_LIST_ID} aria-label=${tr.t("composer.mentions")}>
    ${people.map(
      (m, i) => html`<li role="option" id=${mentionOptionId(i)} aria-selected=${i === active ? "true" : "false"}
        @mousedown=${(e: Event) => e.preventDefault()} @click=${() => pick(m)}>
        <bdi>${stripBidiControls(m.displayName)}</bdi><span class="handle">@${m.handle}</span>
      </li>`,
    )}
  </ul>`;
}
