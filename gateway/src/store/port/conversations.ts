/** Conversations: status, assignment, and the heads (`lastSeq`, `epoch`) other aggregates move. */
import type { ConversationInfo, ConversationStatus } from "@parley/sdk/protocol";

/** What {@link ConversationStore.updateConversation} may change. */
export interface ConversationPatch {
  status?: ConversationStatus;
  /** A team member's principal id, or `null` to unassign. */
  assignee?: string | null;
  handover?: boolean;
}

/** A conversation as stored: the per-caller figures (`readUpTo`, `unread`) are derived when it is served. */
export type ConversationRecord = Omit<ConversationInfo, "readUpTo" | "unread">;

export interface ConversationStore {
  createConversation(conv: ConversationRecord): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /**
   * Changes status, assignee (`null` unassigns) or the handover flag and sets
   * `updatedAt`; resolves the updated record. Rejects with
   * `StoreNotFoundError` when the conversation does not exist.
   */
  updateConversation(id: string, patch: ConversationPatch, at: number): Promise<ConversationRecord>;
  /** Conversations the principal is a member of, newest activity first. */
  listConversationsOf(principalId: string, limit: number): Promise<ConversationRecord[]>;
  /** Every conversation of a shop, newest activity first. */
  listConversationsOfShop(shopId: string, limit: number): Promise<ConversationRecord[]>;
}
