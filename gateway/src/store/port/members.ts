/** Members: who is in a conversation, with which role. */
import type { MemberRole } from "@parley/sdk/protocol";

export interface MemberRecord {
  convId: string;
  principalId: string;
  role: MemberRole;
  joinedAt: number;
  invitedBy?: string;
}

export interface MemberStore {
  /** Adds or re-adds a member; idempotent. */
  addMember(member: MemberRecord): Promise<void>;
  /** Resolves true when a member was removed. */
  removeMember(convId: string, principalId: string): Promise<boolean>;
  getMember(convId: string, principalId: string): Promise<MemberRecord | undefined>;
  listMembers(convId: string): Promise<MemberRecord[]>;
}
