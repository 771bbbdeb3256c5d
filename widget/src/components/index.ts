/**
 * The widget's Lit components. Importing this module defines nothing;
 * call `defineParleyElements()` once (it is idempotent) to register every
 * `parley-*` element, then mount `<parley-chat>` with a `ParleyClient`.
 *
 * @module @parley/widget/components
 */
import { de } from "../i18n/de.js";
import { registerCatalog } from "../i18n/index.js";
import { customerElements, defineElements } from "./customer-elements.js";
import { ParleyDeviceNotice } from "./device-notice-element.js";
import { ParleyConversationList } from "./parley-conversation-list.js";

export { fillIsolated, isolate, isRtlLocale, stripBidiControls } from "../i18n/bidi.js";
export { dirOf, loadCatalog, type MessageKey, registerCatalog, type Translator, t, translator } from "../i18n/index.js";
export { base, palette } from "../theme.js";
export {
  type CallButtons,
  CallsHook,
  type CallsHookHost,
  callButtons,
  callsAvailable,
  loadCalls,
} from "./calls-hook.js";
export { customerElements, defineCustomerElements } from "./customer-elements.js";
export { ParleyDeviceNotice } from "./device-notice-element.js";
export type { InvitedDetail, MessageActionDetail, ParleyEventMap, SelectDetail, UnreadDetail } from "./events.js";
export { safeFileName } from "./file-name.js";
export { type InviteFailure, type InviteFailureReason, inviteFailure } from "./invite-errors.js";
export { linkify, safeHref, type TextRun } from "./linkify.js";
export { ParleyChat } from "./parley-chat.js";
export { inviteTarget, type Mentionable, ParleyComposer } from "./parley-composer.js";
export { ParleyConnectionStatus } from "./parley-connection-status.js";
export { ParleyConversationList } from "./parley-conversation-list.js";
export type { ParleyDeviceNoticeClass } from "./parley-device-notice.js";
export { ParleyHistoryNotice } from "./parley-history-notice.js";
export { ParleyMessage, type ShownMessage } from "./parley-message.js";
export { ParleyMessageList, WINDOW } from "./parley-message-list.js";
export { ParleyPresence } from "./parley-presence.js";
export { ParleyTypingIndicator } from "./parley-typing-indicator.js";
export { NO_FEATURES, type ShopFeatures, shopFeatures } from "./shop-features.js";
export { StoreController } from "./store-controller.js";

// npm users get every catalog at once (the frame fetches German only when asked: loadCatalog).
registerCatalog("de", de);

/** Every element with its tag: the customer's chat (customer-elements.ts) and the agent's conversation list. */
export const parleyElements = {
  ...customerElements,
  /** Device changes from end-to-end encryption (the chat also loads it itself when a device changes). */
  "parley-device-notice": ParleyDeviceNotice,
  /** The agent's conversation list. */
  "parley-conversation-list": ParleyConversationList,
} as const;

/** Registers every `parley-*` element that is not registered yet. */
export function defineParleyElements(registry: CustomElementRegistry = customElements): void {
  defineElements(parleyElements, registry);
}
