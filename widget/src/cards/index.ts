/**
 * The card renderers, loaded on demand the first time a conversation shows a
 * card or a card event (ADR 0026): `<parley-card>` and `<parley-card-note>`,
 * built from the chat's kit so this chunk imports nothing of the chat's first load.
 */
import type { PanelKit } from "../components/panel-kit.js";
import { cardClass } from "./card-element.js";
import { noteClass } from "./note.js";

/** Registers `<parley-card>` and `<parley-card-note>` (once). */
export function define(kit: PanelKit): void {
  if (!customElements.get("parley-card")) customElements.define("parley-card", cardClass(kit));
  if (!customElements.get("parley-card-note")) customElements.define("parley-card-note", noteClass(kit));
}
