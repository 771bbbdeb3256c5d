/** Data the gateway returns: ids, names and states, never message content. */

/** Every kind of principal: customers and guests talk to a shop; agents and bots are its team. */
export const PrincipalKinds = ["customer", "guest", "agent", "bot"] as const;
/** One of {@link PrincipalKinds}. */
export type PrincipalKind = (typeof PrincipalKinds)[number];

/** The kinds on a shop's team: they serve its conversations and hear its `team.<shopId>.ev` subject. */
export const TeamKinds = ["agent", "bot"] as const satisfies readonly PrincipalKind[];
/** One of {@link TeamKinds}. */
export type TeamKind = (typeof TeamKinds)[number];

/** Whether a principal of this kind is on its shop's team (an agent or a bot). */
export function isTeamKind(kind: string): kind is TeamKind {
  return (TeamKinds as readonly string[]).includes(kind);
}

/** A principal (someone who signs in) as others see it. */
export interface PrincipalInfo {
  /** The principal id (`c_`, `g_`, `a_` or `b_` and 22 characters). */
  id: string;
  /** Customer, guest, agent or bot. */
  kind: PrincipalKind;
  /** The shop this principal belongs to (customers, guests and team members alike). */
  shopId: string;
  /** The name shown to others. */
  displayName: string;
  /** The self-chosen handle, without `@`, once set. */
  handle?: string;
}

/** A conversation is open, or closed by the shop's team. */
export const ConversationStatuses = ["open", "closed"] as const;
/** One of {@link ConversationStatuses}. */
export type ConversationStatus = (typeof ConversationStatuses)[number];

/** A conversation as the calling principal sees it. */
export interface ConversationInfo {
  /** The conversation id (`cv_` and 22 characters). */
  id: string;
  /** The shop the conversation is with. */
  shopId: string;
  /** Open, or closed by the team (a customer's next message opens it again). */
  status: ConversationStatus;
  /** The customer or guest who opened it. */
  createdBy: string;
  /** When it was opened, ms since the epoch. */
  createdAt: number;
  /** The last message or triage change, ms since the epoch. */
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

/** The roles of a conversation's members: its owner (who opened it), invited members, and the shop's agents and bots. */
export const MemberRoles = ["owner", "member", "agent", "bot"] as const;
/** One of {@link MemberRoles}. */
export type MemberRole = (typeof MemberRoles)[number];

/** Whether a member with this role joined as the shop's team (the role is then the principal's team kind). */
export function isTeamRole(role: string): role is TeamKind {
  return isTeamKind(role);
}

/** A member of a conversation. */
export interface MemberInfo {
  /** The member's principal id. */
  principalId: string;
  /** The member's display name. */
  displayName: string;
  /** The member's handle, once set. */
  handle?: string;
  /** Owner, member, agent or bot. */
  role: MemberRole;
  /** When the member joined, ms since the epoch. */
  joinedAt: number;
  /** Who invited the member (absent for the owner and for the team). */
  invitedBy?: string;
  /**
   * The member's history floor (ms since the epoch): the gateway serves it no message stored before
   * this time. Set when someone outside the shop's team joins by an invite offering `none` (the time
   * they accepted) or `7d` (a week before that); absent when they may read everything.
   */
  historyFrom?: number;
  /** Customers, shown to the shop's own team only: the shop's id for the customer (the `sub` of their token). */
  externalId?: string;
}

/**
 * The states of an invite: `pending` until the invitee accepts or declines, the
 * inviter (or the conversation's owner, or the shop's team) revokes it, or it
 * passes its `expiresAt` (`expired` is what the gateway answers for such a
 * pending invite; it is never stored).
 */
export const InviteStatuses = ["pending", "accepted", "declined", "revoked", "expired"] as const;
/** One of {@link InviteStatuses}. */
export type InviteStatus = (typeof InviteStatuses)[number];

/**
 * How much of the conversation's history an invite offers, chosen by the
 * inviter for this invite: `none` (from the moment they join; the default),
 * `7d` (messages of the last 7 days before they accept), `all` (everything).
 * Carried out with history grants, and the gateway serves an invited member no
 * message older than the choice allows.
 */
export const InviteHistories = ["none", "7d", "all"] as const;
/** One of {@link InviteHistories}. */
export type InviteHistory = (typeof InviteHistories)[number];

/** How far back `7d` reaches, in ms. */
export const INVITE_HISTORY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** A member of the conversation as an invitee sees it before answering. */
export interface InviteMemberPreview {
  /** The member's display name. */
  displayName: string;
  /** The member's handle, once set. */
  handle?: string;
  /** Owner, member, agent or bot. */
  role: MemberRole;
}

/** An invite into a conversation, by handle. */
export interface InviteInfo {
  /** The invite id (`in_` and 22 characters). */
  id: string;
  /** The conversation the invitee is asked into. */
  convId: string;
  /** The conversation's shop. */
  shopId: string;
  /** Who invited (principal id). */
  inviter: string;
  /** The inviter's display name when the invite was made. */
  inviterName: string;
  /** Who is invited (principal id). */
  invitee: string;
  /** Pending, accepted, declined, revoked or expired. */
  status: InviteStatus;
  /** How much history the invite offers ({@link InviteHistories}); `none` on invites made before the choice existed. */
  history: InviteHistory;
  /** When it was made, ms since the epoch. */
  createdAt: number;
  /** When it stops being answerable, ms since the epoch (7 days after `createdAt` unless the gateway is configured otherwise). */
  expiresAt: number;
  /** When it was accepted, declined or revoked (ms); absent while pending, and on invites settled before it was kept. */
  settledAt?: number;
  /** Filled in by the gateway when it answers (never stored): the invitee's display name. */
  inviteeName?: string;
  /** Filled in by the gateway when it answers (never stored): the invitee's handle. */
  inviteeHandle?: string;
  /** Filled in by the gateway when it answers (never stored): the inviter's kind (agents and bots are the shop's team). */
  inviterKind?: PrincipalKind;
  /** Filled in by the gateway when it answers (never stored): the inviter's handle. */
  inviterHandle?: string;
  /** Filled in for the invitee only (never stored): the shop's display name. */
  shopName?: string;
  /** Filled in for the invitee only while pending (never stored): the conversation's members now. */
  members?: InviteMemberPreview[];
}

/** Why a handle cannot be claimed: not a handle, held by someone else, kept for the shop's team, confusable with one held, or the caller is a guest. */
export const HandleRefusals = ["invalid", "taken", "reserved", "confusable", "guest"] as const;
/** One of {@link HandleRefusals}. */
export type HandleRefusal = (typeof HandleRefusals)[number];

/** Whether the caller could claim a handle now (`handle.check`). */
export interface HandleCheck {
  /** The handle as it would be stored (normalised), or the input when it cannot be one. */
  handle: string;
  /** True when `profile.update` with this handle would succeed now. */
  available: boolean;
  /** Why not, when not available. */
  reason?: HandleRefusal;
}

/** What happened to a membership: the principal joined, left, or was removed by someone else. */
export type MembershipChange = "joined" | "left" | "removed";

/**
 * One change of a conversation's members as the gateway recorded it when it happened (`member.history`),
 * the same facts as the live `membership` event: metadata the gateway holds anyway, never message content.
 */
export interface MembershipEvent {
  /** The conversation. */
  convId: string;
  /** Who joined, left or was removed. */
  principalId: string;
  /** What happened. */
  change: MembershipChange;
  /** Who made it happen: the inviter for `joined` (the member itself without an invite), the member for `left`, the remover for `removed`. */
  by: string;
  /** Server time, ms since the epoch (the same as the live event's). */
  ts: number;
}

/** A principal the caller blocked: its invites to the caller are dropped without a word. */
export interface BlockedInfo {
  /** The blocked principal. */
  principalId: string;
  /** Its display name now. */
  displayName: string;
  /** Its handle, once set. */
  handle?: string;
  /** When it was blocked, ms since the epoch. */
  blockedAt: number;
}

/**
 * A device's self-signed registration: binds its two public keys to a principal
 * and a device id. The signature is checked by the clients that pin the keys;
 * the gateway only stores and serves the record.
 */
export interface DeviceRecord extends DeviceKeys {
  /** The principal the device belongs to. */
  principal: string;
  /** base64url Ed25519 signature by `sigPk` over the canonical encoding of the other fields. */
  sig: string;
}

/**
 * How many principals one `device.list` may name (the gateway's work per call is bounded by it;
 * the SDK asks in chunks of this size).
 */
export const MAX_DEVICE_LIST_PRINCIPALS = 32;

/** Why an epoch was committed: the conversation opened, a member was added or removed, the key aged (rotation), or the history policy changed. */
export const CommitReasons = ["create", "add", "remove", "rotate", "policy"] as const;
/** One of {@link CommitReasons}. */
export type CommitReason = (typeof CommitReasons)[number];

/**
 * A conversation's history policy as its commits carry it (`none` or `full`). Kept in the signed commit
 * format, but it no longer decides what a new member reads: each invite's {@link InviteHistory} does (ADR 0025).
 */
export const HistoryPolicies = ["none", "full"] as const;
/** One of {@link HistoryPolicies}. */
export type HistoryPolicy = (typeof HistoryPolicies)[number];

/**
 * One link of a conversation's epoch chain, made and signed by a member device.
 * The gateway accepts epoch e+1 only while its head is e (compare-and-set) and
 * stores the commit as it came; members verify the signature and the chain.
 */
export interface EpochCommit {
  /**
   * Commit format version: 2 carries `teamWrapVersion` (made since team keys rotate), 1 does not
   * (read by trying every team key version held).
   */
  v: 1 | 2;
  /** The conversation. */
  convId: string;
  /** 1 for the first commit, then +1 each. */
  epoch: number;
  /** base64url BLAKE2b-256 of the previous commit's canonical encoding; "" for epoch 1. */
  prevHash: string;
  /** The principal and device that made and signed the commit. */
  committer: {
    /** The principal id. */
    principalId: string;
    /** The device id. */
    deviceId: string;
  };
  /** The members (not the shop team) this epoch is for, with the devices that got the key. */
  members: Array<{
    /** A member of this epoch. */
    principalId: string;
    /** That member's devices sealed to. */
    deviceIds: string[];
  }>;
  /** The epoch key sealed (crypto_box_seal) to each listed device's X25519 key, base64url. */
  wraps: Array<{
    /** The device the key is sealed to. */
    deviceId: string;
    /** The sealed epoch key, base64url. */
    sealed: string;
  }>;
  /** The epoch key sealed to the shop team's key; "" while the shop has no team key. */
  teamWrap: string;
  /** The history policy (signed and chained; no longer decides history grants: the invite's choice does). */
  historyPolicy: HistoryPolicy;
  /** Why this epoch was committed. */
  reason: CommitReason;
  /** Committer's clock, ms. */
  ts: number;
  /**
   * The shop team's key version whose signing key signed `teamSig`: how a team
   * member (agent or bot) who is not a listed member proves it may commit. 0
   * for commits by listed members.
   */
  teamVersion: number;
  /**
   * Version 2 commits only: the team key version `teamWrap` is sealed to (0 when `teamWrap` is "").
   * Signed: readers open the team wrap with that version, and senders commit a new epoch before
   * sending when the team key has rotated past it.
   */
  teamWrapVersion?: number;
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
  /** The shop whose team the key is. */
  shopId: string;
  /** 1 for the first team key; +1 on every rotation. */
  version: number;
  /** base64url X25519 public key: epoch keys are sealed to it (`EpochCommit.teamWrap`). */
  boxPk: string;
  /** base64url Ed25519 public key of the team. */
  sigPk: string;
  /** The admin principal and device that made the key and signed the record. */
  createdBy: {
    /** The principal id. */
    principalId: string;
    /** The device id. */
    deviceId: string;
  };
  /** When the key was made, by the creating device's clock, ms. */
  ts: number;
  /** base64url Ed25519 signature by the creating device over the canonical record. */
  sig: string;
  /**
   * Versions after 1 (a rotation): base64url Ed25519 signature by the previous
   * version's team key over the same canonical record, so that only a holder of
   * version n can make version n + 1. Absent on version 1.
   */
  prevSig?: string;
}

/** A team key's secret halves sealed to one agent device by an admin device. */
export interface TeamKeyWrap {
  /** The shop whose team key this is. */
  shopId: string;
  /** The team key version sealed. */
  version: number;
  /** The agent device the secret is sealed to, and its principal. */
  deviceId: string;
  /** The principal of that device (an agent or bot of the shop). */
  principalId: string;
  /** crypto_box_seal of boxSk (32 bytes) || sigSeed (32 bytes) to the device's boxPk: 112 bytes, base64url. */
  sealed: string;
  /** The admin principal and device that sealed it and signed the wrap. */
  wrappedBy: {
    /** The principal id. */
    principalId: string;
    /** The device id. */
    deviceId: string;
  };
  /** When it was sealed, by the wrapping device's clock, ms. */
  ts: number;
  /** base64url Ed25519 signature by the wrapping device over the canonical wrap. */
  sig: string;
}

/** A device's public keys, registered at session start. */
export interface DeviceKeys {
  /** The device id, chosen by the device. */
  deviceId: string;
  /** base64url Ed25519 public key (32 bytes). */
  sigPk: string;
  /** base64url X25519 public key (32 bytes). */
  boxPk: string;
}

/** Team members (agents, bots) a principal may see as online. */
export interface TeamPresenceMember {
  /** The team member's principal id. */
  principalId: string;
  /** The team member's display name. */
  displayName: string;
  /** Agent or bot. */
  kind: TeamKind;
}

/** Who of a shop's team is online: sent whole on every change (small: a shop's team). */
export interface TeamPresence {
  /** The shop. */
  shopId: string;
  /** Sorted by display name, then id. */
  online: TeamPresenceMember[];
  /** Gateway time of the change this snapshot reflects, ms; a snapshot older than the one held is stale. */
  updatedAt: number;
}

/** A member's read marker (read receipts). */
export interface ReadMark {
  /** Whose marker. */
  principalId: string;
  /** The highest seq they marked read. */
  seq: number;
}
