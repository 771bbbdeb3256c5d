/**
 * Voice and video calls, loaded on demand (ADR 0026) the first time a call
 * rings, is started, or shows in a conversation's timeline: `<parley-call>`
 * (ringing, the call, its end) and `<parley-call-note>` (a call's line in the
 * timeline), built from the chat's kit so this chunk imports nothing of the
 * chat's first load.
 */
import type { PanelKit } from "../components/panel-kit.js";
import { callElementClass } from "./call-element.js";
import { callNoteClass } from "./call-note.js";

export type { CallAnswer, ParleyCallElement } from "./call-element.js";

/** Registers the call elements (once). */
export function define(kit: PanelKit): void {
  const elements: Array<[string, (k: PanelKit) => CustomElementConstructor]> = [
    ["parley-call", callElementClass],
    ["parley-call-note", callNoteClass],
  ];
  for (const [tag, make] of elements) if (!customElements.get(tag)) customElements.define(tag, make(kit));
}
