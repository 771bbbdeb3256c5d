/** Data the gateway returns: ids, names and states, never message content. */

export const PrincipalKinds = ["customer", "guest", "agent", "bot"] as const;
export type PrincipalKind = (typeof PrincipalKinds)[number];

/** The kinds on a shop's team: they serve its conversations and hear its `team.<shopId>.ev` subject. */
export const TeamKinds = ["agent", "bot"] as const satisfies readonly PrincipalKind[];
export type TeamKind = (typeof TeamKinds)[number];

/** Whether a principal of this kind is on its shop's team (an agent or a bot). */
export function isTeamKind(kind: string): kind is TeamKind {
  return (TeamKinds as readonly string[]).includes(kind);
}

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
  /** The head of the conversation's epoch chain: 0 before the first commit (plaintext backbone). */
  epoch: number;
  /** Display name of the customer or guest who opened the conversation (`createdBy`), when served. */
  ownerName?: string;
  /** The team member (agent or bot principal id) in charge; absent while unassigned. */
  assignee?: string;
  /** A bot handed the conversation to the human team: bots stay out of it from then on. */
  handover?: boolean;
  /** The calling principal's read marker: the highest seq it marked read (0 when none). */
  readUpTo: number;
  /** For the calling principal: messages with seq > `readUpTo` sent by someone else. */
  unread: number;
}

export const MemberRoles = ["owner", "member", "agent", "bot"] as const;
export type MemberRole = (typeof MemberRoles)[number];

/** Whether a member with this role joined as the shop's team (the role is then the principal's team kind). */
export function isTeamRole(role: string): role is TeamKind {
  return isTeamKind(role);
}

export interface MemberInfo {
  principalId: string;
  displayName: string;
  handle?: string;
  role: MemberRole;
  joinedAt: number;
  invitedBy?: string;
  /** Customers, shown to the shop's own team only: the shop's id for the customer (the `sub` of their token). */
  externalId?: string;
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
  /** When it was accepted, declined or revoked (ms); absent while pending, and on invites settled before it was kept. */
  settledAt?: number;
  /** Filled in by the gateway when it answers (never stored): the invitee's display name and handle. */
  inviteeName?: string;
  inviteeHandle?: string;
}

/**
 * A device's self-signed registration: binds its two public keys to a principal
 * and a device id. The signature is checked by the clients that pin the keys;
 * the gateway only stores and serves the record.
 */
export interface DeviceRecord extends DeviceKeys {
  principal: string;
  /** base64url Ed25519 signature by `sigPk` over the canonical encoding of the other fields. */
  sig: string;
}

export const CommitReasons = ["create", "add", "remove", "rotate", "policy"] as const;
export type CommitReason = (typeof CommitReasons)[number];

export const HistoryPolicies = ["none", "full"] as const;
export type HistoryPolicy = (typeof HistoryPolicies)[number];

/**
 * One link of a conversation's epoch chain, made and signed by a member device.
 * The gateway accepts epoch e+1 only while its head is e (compare-and-set) and
 * stores the commit as it came; members verify the signature and the chain.
 */
export interface EpochCommit {
  v: 1;
  convId: string;
  /** 1 for the first commit, then +1 each. */
  epoch: number;
  /** base64url BLAKE2b-256 of the previous commit's canonical encoding; "" for epoch 1. */
  prevHash: string;
  committer: { principalId: string; deviceId: string };
  /** The members (not the shop team) this epoch is for, with the devices that got the key. */
  members: Array<{ principalId: string; deviceIds: string[] }>;
  /** The epoch key sealed (crypto_box_seal) to each listed device's X25519 key, base64url. */
  wraps: Array<{ deviceId: string; sealed: string }>;
  /** The epoch key sealed to the shop team's key; "" while the shop has no team key. */
  teamWrap: string;
  historyPolicy: HistoryPolicy;
  reason: CommitReason;
  /** Committer's clock, ms. */
  ts: number;
  /**
   * The shop team's key version whose signing key signed `teamSig`: how a team
   * member (agent or bot) who is not a listed member proves it may commit. 0
   * for commits by listed members.
   */
  teamVersion: number;
  /** base64url Ed25519 signature by the committer device over the canonical encoding of the fields above. */
  sig: string;
  /** base64url Ed25519 signature by the team key `teamVersion` over the same encoding; "" when `teamVersion` is 0. */
  teamSig: string;
}

/**
 * A shop team's public key (version n), made by an admin agent's device. Agents'
 * devices hold its secret halves (sent to each as a {@link TeamKeyWrap}), so a
 * conversation seals each epoch key to the team once instead of to every agent.
 */
export interface TeamKeyRecord {
  shopId: string;
  /** 1 for the first team key; +1 on every rotation. */
  version: number;
  /** base64url X25519 public key: epoch keys are sealed to it (`EpochCommit.teamWrap`). */
  boxPk: string;
  /** base64url Ed25519 public key of the team. */
  sigPk: string;
  createdBy: { principalId: string; deviceId: string };
  ts: number;
  /** base64url Ed25519 signature by the creating device over the canonical record. */
  sig: string;
}

/** A team key's secret halves sealed to one agent device by an admin device. */
export interface TeamKeyWrap {
  shopId: string;
  version: number;
  /** The agent device the secret is sealed to, and its principal. */
  deviceId: string;
  principalId: string;
  /** crypto_box_seal of boxSk (32 bytes) || sigSeed (32 bytes) to the device's boxPk: 112 bytes, base64url. */
  sealed: string;
  wrappedBy: { principalId: string; deviceId: string };
  ts: number;
  /** base64url Ed25519 signature by the wrapping device over the canonical wrap. */
  sig: string;
}

/** A device's public keys, registered at session start. */
export interface DeviceKeys {
  deviceId: string;
  /** base64url Ed25519 public key (32 bytes). */
  sigPk: string;
  /** base64url X25519 public key (32 bytes). */
  boxPk: string;
}

/** Team members (agents, bots) a principal may see as online. */
export interface TeamPresenceMember {
  principalId: string;
  displayName: string;
  kind: TeamKind;
}

/** Who of a shop's team is online: sent whole on every change (small: a shop's team). */
export interface TeamPresence {
  shopId: string;
  /** Sorted by display name, then id. */
  online: TeamPresenceMember[];
  /** Gateway time of the change this snapshot reflects, ms; a snapshot older than the one held is stale. */
  updatedAt: number;
}

/** A member's read marker (read receipts). */
export interface ReadMark {
  principalId: string;
  seq: number;
}
