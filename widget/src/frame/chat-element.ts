/**
 * The element that renders the chat inside the frame: the Lit `<parley-chat>`
 * from the widget's components (the same ones npm users mount).
 */
import { defineParleyElements } from "../components/index.js";

export function defineChat(): void {
  defineParleyElements();
}
