/** Invites into a conversation, settled once from `pending`. */
import type { InviteInfo, InviteStatus } from "@parley/sdk/protocol";

/**
 * An invite as stored: the protocol's record plus `dropped`, set on an invite
 * whose invitee had blocked the inviter when it was made. Such an invite is
 * kept like any other (its inviter sees it pending, and it expires) but never
 * reaches the invitee. `dropped` is never sent to a client.
 */
export interface InviteRecord extends InviteInfo {
  /** Made while the invitee blocked the inviter: never shown to the invitee. */
  dropped?: true;
}

export interface InviteStore {
  createInvite(invite: InviteRecord): Promise<void>;
  getInvite(id: string): Promise<InviteRecord | undefined>;
  /**
   * Compare-and-set from `pending`; resolves false when the invite was not pending.
   * `at` (ms) is kept as the invite's `settledAt`.
   */
  settleInvite(id: string, status: Exclude<InviteStatus, "pending">, at?: number): Promise<boolean>;
  /**
   * The invitee's pending invites that reached it (not `dropped`), newest first, at most `limit`
   * (clamped like every other). Expired ones are still `pending` in the store: callers filter them.
   */
  listPendingInvites(invitee: string, limit: number): Promise<InviteRecord[]>;
  /**
   * The newest `limit` invites into the conversation (only those to `invitee` when given), whatever
   * their status, oldest first; `limit` is clamped like every other.
   */
  listInvitesOf(convId: string, limit: number, invitee?: string): Promise<InviteRecord[]>;
  /** The newest pending invite for (convId, invitee), if any. */
  findPendingInvite(convId: string, invitee: string): Promise<InviteRecord | undefined>;
  /**
   * The invite `inviter` sent `invitee` into `convId` that was declined last (the newest
   * `settledAt`), if any: the decline cooldown starts from it.
   */
  lastDeclined(convId: string, inviter: string, invitee: string): Promise<InviteRecord | undefined>;
}
