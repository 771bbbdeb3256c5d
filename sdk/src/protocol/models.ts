/** Data the gateway returns: ids, names and states, never message content. */

export const PrincipalKinds = ["customer", "guest", "agent", "bot"] as const;
export type PrincipalKind = (typeof PrincipalKinds)[number];

export interface PrincipalInfo {
  id: string;
  kind: PrincipalKind;
  /** The shop this principal belongs to (customers, guests and team members alike). */
  shopId: string;
  displayName: string;
  handle?: string;
}

export const ConversationStatuses = ["open", "closed"] as const;
export type ConversationStatus = (typeof ConversationStatuses)[number];

export interface ConversationInfo {
  id: string;
  shopId: string;
  status: ConversationStatus;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  /** Highest seq stored so far (0 when empty). */
  lastSeq: number;
}

export const MemberRoles = ["owner", "member", "agent", "bot"] as const;
export type MemberRole = (typeof MemberRoles)[number];

export interface MemberInfo {
  principalId: string;
  displayName: string;
  handle?: string;
  role: MemberRole;
  joinedAt: number;
  invitedBy?: string;
}

export const InviteStatuses = ["pending", "accepted", "declined", "revoked"] as const;
export type InviteStatus = (typeof InviteStatuses)[number];

export interface InviteInfo {
  id: string;
  convId: string;
  shopId: string;
  inviter: string;
  inviterName: string;
  invitee: string;
  status: InviteStatus;
  createdAt: number;
}

/** A device's public keys, registered at session start. */
export interface DeviceKeys {
  deviceId: string;
  /** base64url Ed25519 public key (32 bytes). */
  sigPk: string;
  /** base64url X25519 public key (32 bytes). */
  boxPk: string;
}
