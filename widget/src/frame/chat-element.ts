/**
 * The element that renders the chat inside the frame: the Lit `<parley-chat>`
 * from the widget's components (the same ones npm users mount). The frame
 * always runs in customer mode, so it defines the customer's elements only
 * (no agent conversation list).
 */
import { defineCustomerElements } from "../components/customer-elements.js";

export function defineChat(): void {
  defineCustomerElements();
}
