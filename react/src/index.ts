/**
 * `@parley/react`: the Parley widget's elements as React components and hooks
 * over the SDK's state. Importing this module registers the `parley-*`
 * elements in the page's registry (once; nothing happens where there is no
 * `customElements`, as in server rendering).
 *
 * ```tsx
 * const client = useMemo(() => createClient({ gatewayUrl, auth, encryption: true }), []);
 * const parley = useParley(client);
 * return <ParleyChat client={client} locale="de" onUnread={(e) => setUnread(e.detail.count)} />;
 * ```
 *
 * @module @parley/react
 */
import { defineParleyElements } from "@parley/widget/components";

export {
  ParleyChat,
  ParleyComposer,
  ParleyConnectionStatus,
  ParleyConversationList,
  ParleyMessageList,
  ParleyPresence,
  ParleyTypingIndicator,
} from "./elements.js";
export { type ParleyState, useConversation, useParley, useStore } from "./hooks.js";

if (typeof customElements !== "undefined") defineParleyElements();
