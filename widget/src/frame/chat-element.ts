/**
 * Which element renders the chat: the Lit `<parley-chat>` from the
 * components, or the plain stand-in until they land.
 */
import { definePlaceholderChat } from "./placeholder-chat.js";

export function defineChat(): void {
  definePlaceholderChat();
}
