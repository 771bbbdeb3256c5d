/** Members: who is in a conversation, with which role. */
import type { MemberRole } from "@parley/sdk/protocol";

export interface MemberRecord {
  convId: string;
  principalId: string;
  role: MemberRole;
  joinedAt: number;
  invitedBy?: string;
  /**
   * The earliest stored message time (ms, the gateway's `ts`) this member may read: set when a
   * principal outside the shop's team joins by an invite offering `none` or `7d`; absent, no floor.
   */
  historyFrom?: number;
}

export interface MemberStore {
  /** Adds or re-adds a member; idempotent. */
  addMember(member: MemberRecord): Promise<void>;
  /** Resolves true when a member was removed. */
  removeMember(convId: string, principalId: string): Promise<boolean>;
  getMember(convId: string, principalId: string): Promise<MemberRecord | undefined>;
  listMembers(convId: string): Promise<MemberRecord[]>;
}
