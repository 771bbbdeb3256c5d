/**
 * The widget's Lit components. Importing this module defines nothing;
 * call `defineParleyElements()` once (it is idempotent) to register every
 * `parley-*` element, then mount `<parley-chat>` with a `ParleyClient`.
 */
import { ParleyChat } from "./parley-chat.js";
import { ParleyComposer } from "./parley-composer.js";
import { ParleyConnectionStatus } from "./parley-connection-status.js";
import { ParleyConversationList } from "./parley-conversation-list.js";
import { ParleyDeviceNotice } from "./parley-device-notice.js";
import { ParleyHistoryNotice } from "./parley-history-notice.js";
import { ParleyMessage } from "./parley-message.js";
import { ParleyMessageList } from "./parley-message-list.js";
import { ParleyPresence } from "./parley-presence.js";
import { ParleyTypingIndicator } from "./parley-typing-indicator.js";

export { dirOf, type MessageKey, type Translator, t, translator } from "../i18n/index.js";
export { base, palette } from "../theme.js";
export { linkify, safeHref, type TextRun } from "./linkify.js";
export { ParleyChat } from "./parley-chat.js";
export { inviteTarget, type Mentionable, ParleyComposer } from "./parley-composer.js";
export { ParleyConnectionStatus } from "./parley-connection-status.js";
export { ParleyConversationList } from "./parley-conversation-list.js";
export { ParleyDeviceNotice } from "./parley-device-notice.js";
export { ParleyHistoryNotice } from "./parley-history-notice.js";
export { ParleyMessage, type ShownMessage } from "./parley-message.js";
export { ParleyMessageList, WINDOW } from "./parley-message-list.js";
export { ParleyPresence } from "./parley-presence.js";
export { ParleyTypingIndicator } from "./parley-typing-indicator.js";

/** Every element with its tag. */
export const parleyElements = {
  "parley-chat": ParleyChat,
  "parley-conversation-list": ParleyConversationList,
  "parley-message-list": ParleyMessageList,
  "parley-message": ParleyMessage,
  "parley-composer": ParleyComposer,
  "parley-typing-indicator": ParleyTypingIndicator,
  "parley-presence": ParleyPresence,
  "parley-connection-status": ParleyConnectionStatus,
  "parley-device-notice": ParleyDeviceNotice,
  "parley-history-notice": ParleyHistoryNotice,
} as const;

/** Registers every `parley-*` element that is not registered yet. */
export function defineParleyElements(registry: CustomElementRegistry = customElements): void {
  for (const [tag, element] of Object.entries(parleyElements)) {
    if (!registry.get(tag)) registry.define(tag, element);
  }
}
