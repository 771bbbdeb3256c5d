/**
 * The widget's public elements as React components, made with `@lit/react`:
 * properties (`client`, `conversationId`, `locale`, …) are set on the element,
 * and each `parley-*` event is an `on…` prop whose event is typed.
 */
import { createComponent, type EventName } from "@lit/react";
import {
  ParleyChat as ChatElement,
  ParleyComposer as ComposerElement,
  ParleyConnectionStatus as ConnectionStatusElement,
  ParleyConversationList as ConversationListElement,
  ParleyMessageList as MessageListElement,
  type ParleyEventMap,
  ParleyPresence as PresenceElement,
  ParleyTypingIndicator as TypingIndicatorElement,
} from "@parley/widget/components";
import * as React from "react";

const event = <K extends keyof ParleyEventMap>(name: K) => name as EventName<ParleyEventMap[K]>;

/** `<parley-chat>`: the whole chat. `onUnread` gets the unread count, `onClose` the header's close button. */
export const ParleyChat = createComponent({
  tagName: "parley-chat",
  elementClass: ChatElement,
  react: React,
  events: {
    /** `parley-unread`: the number of unread messages changed (`detail.count`). */
    onUnread: event("parley-unread"),
    /** `parley-close`: the header's close button was pressed. */
    onClose: event("parley-close"),
  },
});

/** `<parley-conversation-list>`: an agent's conversations; `onSelect` gets the chosen conversation's id. */
export const ParleyConversationList = createComponent({
  tagName: "parley-conversation-list",
  elementClass: ConversationListElement,
  react: React,
  events: {
    /** `parley-select`: a conversation was chosen (`detail.conversationId`). */
    onSelect: event("parley-select"),
  },
});

/** `<parley-message-list>`: one conversation's messages. */
export const ParleyMessageList = createComponent({
  tagName: "parley-message-list",
  elementClass: MessageListElement,
  react: React,
});

/** `<parley-composer>`: the text box and send button; `onInvited` follows an `@handle` invite. */
export const ParleyComposer = createComponent({
  tagName: "parley-composer",
  elementClass: ComposerElement,
  react: React,
  events: {
    /** `parley-invited`: an invite from the `@handle` rule was sent (`detail.handle`, `detail.history`). */
    onInvited: event("parley-invited"),
  },
});

/** `<parley-typing-indicator>`: who is typing. */
export const ParleyTypingIndicator = createComponent({
  tagName: "parley-typing-indicator",
  elementClass: TypingIndicatorElement,
  react: React,
});

/** `<parley-presence>`: who of the team is online. */
export const ParleyPresence = createComponent({
  tagName: "parley-presence",
  elementClass: PresenceElement,
  react: React,
});

/** `<parley-connection-status>`: the connecting, reconnecting and offline banners. */
export const ParleyConnectionStatus = createComponent({
  tagName: "parley-connection-status",
  elementClass: ConnectionStatusElement,
  react: React,
});
