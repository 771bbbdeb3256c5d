/**
 * The embedded store's rows and their mapping to the port's records: one row
 * type per table (snake_case columns as SQLite returns them) and one `toX` per
 * record. `MessageRow` and `toMessage` are shared by the store's reads and its
 * writer thread's answers.
 */
import type {
  InviteInfo,
  InviteStatus,
  MapTiles,
  ShopMedia,
  StoredMessage,
  StoredNote,
  TeamKeyRecord,
  TeamKeyWrap,
} from "@parley/sdk/protocol";
import type { AgentRecord } from "../port/agents.js";
import type { ConversationRecord } from "../port/conversations.js";
import type { DeviceRecord } from "../port/devices.js";
import type { InviteRecord } from "../port/invites.js";
import type { MemberRecord } from "../port/members.js";
import type { MembershipRecord } from "../port/membership-log.js";
import type { PrincipalRecord } from "../port/principals.js";
import type { SessionRecord, SessionRevokeReason } from "../port/sessions.js";
import type { ShopRecord } from "../port/shops.js";
import { inviteDoc } from "../rules/records.js";

export type MessageRow = { conv_id: string; seq: number; msg_id: string; sender: string; ts: number; envelope: string };

export const toMessage = (r: MessageRow): StoredMessage => ({
  convId: r.conv_id,
  seq: r.seq,
  msgId: r.msg_id,
  sender: r.sender,
  ts: r.ts,
  envelope: JSON.parse(r.envelope) as StoredMessage["envelope"],
});

export type ShopRow = {
  id: string;
  name: string;
  token_key: string;
  allowed_origins: string;
  allow_guests: number;
  created_at: number;
  map_tiles: string | null;
  media: string | null;
};
export type PrincipalRow = {
  id: string;
  kind: PrincipalRecord["kind"];
  shop_id: string;
  external_id: string;
  display_name: string;
  handle: string | null;
  created_at: number;
  handle_skeleton: string | null;
  last_ip: string | null;
};
export type AgentRow = {
  shop_id: string;
  login: string;
  principal_id: string;
  password_hash: string;
  role: "admin" | "agent";
};
export type DeviceRow = {
  principal_id: string;
  device_id: string;
  sig_pk: string;
  box_pk: string;
  created_at: number;
  last_seen_at: number;
  sig: string | null;
};
export type ConversationRow = {
  id: string;
  shop_id: string;
  status: ConversationRecord["status"];
  created_by: string;
  created_at: number;
  updated_at: number;
  last_seq: number;
  epoch: number;
  assignee: string | null;
  handover: number;
};
export type NoteRow = { conv_id: string; id: string; author: string; ts: number; envelope: string };
export const toNote = (r: NoteRow): StoredNote => ({
  convId: r.conv_id,
  id: r.id,
  author: r.author,
  ts: r.ts,
  envelope: JSON.parse(r.envelope) as StoredNote["envelope"],
});
export type MemberRow = {
  conv_id: string;
  principal_id: string;
  role: MemberRecord["role"];
  joined_at: number;
  invited_by: string | null;
  history_from: number | null;
};
export type InviteRow = {
  id: string;
  conv_id: string;
  shop_id: string;
  inviter: string;
  inviter_name: string;
  invitee: string;
  status: InviteStatus;
  created_at: number;
  settled_at: number | null;
  history: string;
  expires_at: number | null;
  dropped: number;
};
export type TeamKeyRow = {
  shop_id: string;
  version: number;
  box_pk: string;
  sig_pk: string;
  created_by_principal: string;
  created_by_device: string;
  ts: number;
  sig: string;
  prev_sig: string | null;
};
export type BlockRow = { blocker: string; blocked: string; blocked_at: number };
export type MembershipRow = {
  n: number;
  conv_id: string;
  principal_id: string;
  change: MembershipRecord["change"];
  by_principal: string;
  ts: number;
};
export type TeamWrapRow = {
  shop_id: string;
  version: number;
  device_id: string;
  principal_id: string;
  sealed: string;
  wrapped_by_principal: string;
  wrapped_by_device: string;
  ts: number;
  sig: string;
};

export const toShop = (r: ShopRow): ShopRecord => ({
  id: r.id,
  name: r.name,
  tokenKey: JSON.parse(r.token_key) as ShopRecord["tokenKey"],
  allowedOrigins: JSON.parse(r.allowed_origins) as string[],
  allowGuests: r.allow_guests === 1,
  ...(r.map_tiles === null ? {} : { mapTiles: JSON.parse(r.map_tiles) as MapTiles }),
  ...(r.media === null ? {} : { media: JSON.parse(r.media) as ShopMedia }),
  createdAt: r.created_at,
});
export const toPrincipal = (r: PrincipalRow): PrincipalRecord => ({
  id: r.id,
  kind: r.kind,
  shopId: r.shop_id,
  externalId: r.external_id,
  displayName: r.display_name,
  ...(r.handle === null ? {} : { handle: r.handle }),
  ...(r.handle_skeleton === null ? {} : { handleSkeleton: r.handle_skeleton }),
  ...(r.last_ip === null ? {} : { lastIp: r.last_ip }),
  createdAt: r.created_at,
});
export const toAgent = (r: AgentRow): AgentRecord => ({
  shopId: r.shop_id,
  login: r.login,
  principalId: r.principal_id,
  passwordHash: r.password_hash,
  role: r.role,
});
export const toDevice = (r: DeviceRow): DeviceRecord => ({
  principalId: r.principal_id,
  deviceId: r.device_id,
  sigPk: r.sig_pk,
  boxPk: r.box_pk,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  ...(r.sig === null ? {} : { sig: r.sig }),
});
export const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id,
  shopId: r.shop_id,
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastSeq: r.last_seq,
  epoch: r.epoch,
  ...(r.assignee !== null ? { assignee: r.assignee } : {}),
  ...(r.handover ? { handover: true } : {}),
});
export const toMember = (r: MemberRow): MemberRecord => ({
  convId: r.conv_id,
  principalId: r.principal_id,
  role: r.role,
  joinedAt: r.joined_at,
  ...(r.invited_by === null ? {} : { invitedBy: r.invited_by }),
  ...(r.history_from === null ? {} : { historyFrom: r.history_from }),
});
export const toInvite = (r: InviteRow): InviteRecord =>
  inviteDoc({
    id: r.id,
    convId: r.conv_id,
    shopId: r.shop_id,
    inviter: r.inviter,
    inviterName: r.inviter_name,
    invitee: r.invitee,
    status: r.status,
    history: r.history as InviteInfo["history"],
    createdAt: r.created_at,
    ...(r.expires_at === null ? {} : { expiresAt: r.expires_at }),
    ...(r.settled_at === null ? {} : { settledAt: r.settled_at }),
    ...(r.dropped === 1 ? { dropped: true } : {}),
  } as InviteRecord);
export const toTeamKey = (r: TeamKeyRow): TeamKeyRecord => ({
  shopId: r.shop_id,
  version: r.version,
  boxPk: r.box_pk,
  sigPk: r.sig_pk,
  createdBy: { principalId: r.created_by_principal, deviceId: r.created_by_device },
  ts: r.ts,
  sig: r.sig,
  ...(r.prev_sig ? { prevSig: r.prev_sig } : {}),
});
export const toTeamWrap = (r: TeamWrapRow): TeamKeyWrap => ({
  shopId: r.shop_id,
  version: r.version,
  deviceId: r.device_id,
  principalId: r.principal_id,
  sealed: r.sealed,
  wrappedBy: { principalId: r.wrapped_by_principal, deviceId: r.wrapped_by_device },
  ts: r.ts,
  sig: r.sig,
});

export type SessionRow = {
  id: string;
  principal_id: string;
  created_at: number;
  expires_at: number;
  generation: number;
  rotated_at: number;
  keep_until: number;
  revoked_at: number | null;
  revoked_reason: string | null;
};

export const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  principalId: r.principal_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  generation: r.generation,
  rotatedAt: r.rotated_at,
  keepUntil: r.keep_until,
  ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at, revokedReason: r.revoked_reason as SessionRevokeReason }),
});
