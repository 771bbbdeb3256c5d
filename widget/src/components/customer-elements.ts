/**
 * The elements a customer's chat uses: everything but the agent's
 * conversation list. The widget's frame (always in customer mode) defines
 * only these, so the list is not part of what a visitor downloads on open.
 */
import { ParleyChat } from "./parley-chat.js";
import { ParleyComposer } from "./parley-composer.js";
import { ParleyConnectionStatus } from "./parley-connection-status.js";
import { ParleyHistoryNotice } from "./parley-history-notice.js";
import { ParleyMessage } from "./parley-message.js";
import { ParleyMessageList } from "./parley-message-list.js";
import { ParleyPresence } from "./parley-presence.js";
import { ParleyTypingIndicator } from "./parley-typing-indicator.js";

/** The customer's elements with their tags. */
export const customerElements = {
  /** The whole chat. */
  "parley-chat": ParleyChat,
  /** The message log of one conversation. */
  "parley-message-list": ParleyMessageList,
  /** One message. */
  "parley-message": ParleyMessage,
  /** The text box, attachments and send button. */
  "parley-composer": ParleyComposer,
  /** Who is typing. */
  "parley-typing-indicator": ParleyTypingIndicator,
  /** Who of the team is online. */
  "parley-presence": ParleyPresence,
  /** The connection banner. */
  "parley-connection-status": ParleyConnectionStatus,
  /** Messages this device cannot show. */
  "parley-history-notice": ParleyHistoryNotice,
} as const;

/** Registers every element in `elements` that is not registered yet. */
export function defineElements(
  elements: Record<string, CustomElementConstructor>,
  registry: CustomElementRegistry = customElements,
): void {
  for (const [tag, element] of Object.entries(elements)) {
    if (!registry.get(tag)) registry.define(tag, element);
  }
}

/** Registers the customer's elements (not `parley-conversation-list`) that are not registered yet. */
export function defineCustomerElements(registry: CustomElementRegistry = customElements): void {
  defineElements(customerElements, registry);
}
