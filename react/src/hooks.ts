/**
 * Hooks over the SDK's state stores (`StateStore`: `value` and `subscribe`),
 * through React's `useSyncExternalStore`: a component re-renders when the
 * store changes and never shows a torn value.
 */
import type {
  ConnectionStatus,
  ConversationState,
  InviteInfo,
  ParleyClient,
  StateStore,
  TeamPresence,
} from "@parley/sdk";
import { useCallback, useMemo, useSyncExternalStore } from "react";

const NO_SUBSCRIPTION = () => () => undefined;

/** The current value of an SDK state store (undefined without a store), kept current. */
export function useStore<T>(store: StateStore<T>): T;
export function useStore<T>(store: StateStore<T> | undefined): T | undefined;
export function useStore<T>(store: StateStore<T> | undefined): T | undefined {
  const subscribe = useCallback(
    (onChange: () => void) => (store ? store.subscribe(() => onChange()) : NO_SUBSCRIPTION()),
    [store],
  );
  const snapshot = useCallback(() => store?.value, [store]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/** What {@link useParley} follows of a client. */
export interface ParleyState {
  /** The connection: `idle`, `connecting`, `connected`, `reconnecting` or `closed`. */
  status: ConnectionStatus;
  /** Who of the shop's team is online. */
  presence: TeamPresence;
  /** Invites waiting for this principal's answer, newest first. */
  invites: readonly InviteInfo[];
}

/** A client's connection status, team presence and pending invites, kept current (undefined without a client). */
export function useParley(client: ParleyClient): ParleyState;
export function useParley(client: ParleyClient | undefined): ParleyState | undefined;
export function useParley(client: ParleyClient | undefined): ParleyState | undefined {
  const status = useStore(client?.status);
  const presence = useStore(client?.presence);
  const invites = useStore(client?.invites);
  return useMemo(
    () => (status && presence && invites ? { status, presence, invites } : undefined),
    [status, presence, invites],
  );
}

/** One conversation's state (messages, members, unread), kept current; undefined without a client or id. */
export function useConversation(
  client: ParleyClient | undefined,
  conversationId: string | undefined,
): ConversationState | undefined {
  const store = useMemo(
    () => (client && conversationId ? client.conversation(conversationId) : undefined),
    [client, conversationId],
  );
  return useStore(store);
}
