/**
 * Listening together, loaded on demand (ADR 0026) the first time a
 * conversation shows a listening session or someone opens "Listen together":
 * `<parley-listen-card>` (the session in the timeline), `<parley-listen-note>`
 * (the end line), `<parley-listen-bar>` (the player) and
 * `<parley-listen-picker>` (choosing what to play), built from the chat's kit
 * so this chunk imports nothing of the chat's first load.
 */
import type { PanelKit } from "../components/panel-kit.js";
import { noteClass } from "./note.js";
import { pickerClass } from "./picker.js";
import { playerBarClass } from "./player-bar.js";
import { sessionCardClass } from "./session-card.js";

export { openPicker, type PickerOptions } from "./picker.js";

/** Registers the listen elements (once). */
export function define(kit: PanelKit): void {
  const elements: Array<[string, (k: PanelKit) => CustomElementConstructor]> = [
    ["parley-listen-card", sessionCardClass],
    ["parley-listen-note", noteClass],
    ["parley-listen-bar", playerBarClass],
    ["parley-listen-picker", pickerClass],
  ];
  for (const [tag, make] of elements) if (!customElements.get(tag)) customElements.define(tag, make(kit));
}
