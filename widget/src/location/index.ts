/**
 * The location renderers, loaded on demand the first time a conversation
 * shows a `location` or `location-event` message (ADR 0026):
 * `<parley-location>` and `<parley-location-note>`, built from the chat's kit
 * so this chunk imports nothing of the chat's first load. The share dialog
 * (share-dialog.ts) loads from the composer's attach menu; the map
 * (map/leaflet-map.ts) in a chunk of its own, only with a shop's tile server.
 */
import type { PanelKit } from "../components/panel-kit.js";
import { locationClass } from "./location-element.js";
import { locationNoteClass } from "./note.js";

/** Registers `<parley-location>` and `<parley-location-note>` (once). */
export function define(kit: PanelKit): void {
  if (!customElements.get("parley-location")) customElements.define("parley-location", locationClass(kit));
  if (!customElements.get("parley-location-note"))
    customElements.define("parley-location-note", locationNoteClass(kit));
}
