/** Invites into a conversation, settled once from `pending`. */
import type { InviteInfo, InviteStatus } from "@parley/sdk/protocol";

export interface InviteStore {
  createInvite(invite: InviteInfo): Promise<void>;
  getInvite(id: string): Promise<InviteInfo | undefined>;
  /**
   * Compare-and-set from `pending`; resolves false when the invite was not pending.
   * `at` (ms) is kept as the invite's `settledAt`.
   */
  settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean>;
  listPendingInvites(invitee: string): Promise<InviteInfo[]>;
  /** Every invite into the conversation, whatever its status: the oldest first, at most `limit`. */
  listInvitesOf(convId: string, limit: number): Promise<InviteInfo[]>;
  /** The pending invite for (convId, invitee), if any. */
  findPendingInvite(convId: string, invitee: string): Promise<InviteInfo | undefined>;
}
