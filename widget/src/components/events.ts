/**
 * The events the `parley-*` elements fire, with their details. Every one
 * bubbles and crosses shadow roots (`composed`), so a page can listen on the
 * element or on any ancestor. Declared in `HTMLElementEventMap` too, so
 * `chat.addEventListener("parley-unread", (e) => e.detail.count)` is typed.
 */
import type { InviteHistory } from "@parley/sdk/protocol";

/** The detail of `parley-unread`. */
export interface UnreadDetail {
  /** Unread messages in the chat's conversations. */
  count: number;
}

/** The detail of `parley-select`. */
export interface SelectDetail {
  /** The chosen conversation. */
  conversationId: string;
}

/** The detail of `parley-invited`. */
export interface InvitedDetail {
  /** The invited handle, without `@`. */
  handle: string;
  /** How much of the conversation the invitee may read. */
  history: InviteHistory;
}

/** The detail of `parley-retry` and `parley-discard`. */
export interface MessageActionDetail {
  /** The message's id. */
  msgId: string;
}

/** Each `parley-*` event by name. */
export interface ParleyEventMap {
  /** `<parley-chat>`: the number of unread messages changed. */
  "parley-unread": CustomEvent<UnreadDetail>;
  /** `<parley-chat>`: the visitor pressed the header's close button (no detail). */
  "parley-close": CustomEvent<null>;
  /** `<parley-conversation-list>`: a conversation was chosen. */
  "parley-select": CustomEvent<SelectDetail>;
  /** `<parley-composer>`: an invite from the `@handle` rule was sent. */
  "parley-invited": CustomEvent<InvitedDetail>;
  /** `<parley-message>`: Retry on a message that was not sent. */
  "parley-retry": CustomEvent<MessageActionDetail>;
  /** `<parley-message>`: Discard on a message that was not sent. */
  "parley-discard": CustomEvent<MessageActionDetail>;
}

declare global {
  interface HTMLElementEventMap {
    "parley-unread": ParleyEventMap["parley-unread"];
    "parley-close": ParleyEventMap["parley-close"];
    "parley-select": ParleyEventMap["parley-select"];
    "parley-invited": ParleyEventMap["parley-invited"];
    "parley-retry": ParleyEventMap["parley-retry"];
    "parley-discard": ParleyEventMap["parley-discard"];
  }
}
