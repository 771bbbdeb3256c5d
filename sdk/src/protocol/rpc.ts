import type { StoredMessage, StoredNote } from "./envelope.js";
import type { KeyBackupEntry } from "./key-backup.js";
import type {
  ConversationInfo,
  DeviceRecord,
  EpochCommit,
  InviteInfo,
  MemberInfo,
  PrincipalInfo,
  ReadMark,
  TeamKeyRecord,
  TeamKeyWrap,
  TeamPresence,
} from "./models.js";

/** Results of the RPC operations, by op. */
export interface RpcResults {
  "conv.open": { conversation: ConversationInfo };
  "conv.list": { conversations: ConversationInfo[] };
  "conv.get": {
    conversation: ConversationInfo;
    members: MemberInfo[];
    /** Every read marker set in the conversation (members and team), the caller's own included. */
    reads: ReadMark[];
  };
  "conv.leave": { ok: true };
  "conv.remove": { ok: true };
  /** Team only: the updated conversation (as the caller sees it). */
  "conv.assign": { conversation: ConversationInfo };
  "conv.close": { conversation: ConversationInfo };
  "conv.reopen": { conversation: ConversationInfo };
  /** Team only: unassigned, open, and flagged so that bots stay out of it. */
  "conv.handover": { conversation: ConversationInfo };
  "msg.send": { seq: number; ts: number; duplicate: boolean };
  /** The shop's team only. A repeat of the same note id answers the stored note with `duplicate: true`. */
  "note.add": { note: StoredNote; duplicate: boolean };
  /** The shop's team only: the newest notes, oldest first. */
  "note.list": { notes: StoredNote[] };
  "msg.history": { messages: StoredMessage[]; hasMore: boolean };
  "msg.since": { messages: StoredMessage[]; hasMore: boolean };
  "invite.create": { invite: InviteInfo };
  "invite.accept": { conversation: ConversationInfo };
  "invite.decline": { ok: true };
  "invite.list": { invites: InviteInfo[] };
  "invite.history": { invites: InviteInfo[] };
  "device.register": { ok: true };
  /** Registered (signed) device records of the named principals; principals without any are absent. */
  "device.list": { devices: DeviceRecord[] };
  /** The accepted commit's epoch; a losing concurrent commit gets `conflict` instead. */
  "epoch.commit": { epoch: number };
  "epoch.list": { commits: EpochCommit[]; hasMore: boolean };
  /** The shop team's current public key; null before an admin made one. Public: any signed-in principal may read it. */
  "team.get": { key: TeamKeyRecord | null };
  /** Admin agents only; accepted only as version current+1 (`conflict` otherwise). */
  "team.init": { version: number };
  /** Admin agents only: every registered device of the shop's team, and whether it holds the current team key. */
  "team.devices": { key: TeamKeyRecord | null; devices: Array<{ device: DeviceRecord; wrapped: boolean }> };
  /** Admin agents only: seal the current team key to a team device. */
  "team.wrap.put": { ok: true };
  /** Team members: the wraps of the current team key for the caller's devices. */
  "team.wrap.get": { key: TeamKeyRecord | null; wraps: TeamKeyWrap[] };
  /** Customers only: stores (or replaces) sealed epoch keys of conversations the caller is a member of. */
  "keys.backup.put": { stored: number };
  /** Customers only: the caller's sealed epoch keys of one conversation, by epoch ascending. */
  "keys.backup.list": { entries: KeyBackupEntry[]; hasMore: boolean };
  "profile.get": { principal: PrincipalInfo };
  "profile.update": { principal: PrincipalInfo };
  /** Fire and forget: typing signals above ~1 per second per conversation are dropped without an error. */
  "signal.typing": { ok: true };
  /** The caller's marker after the call: never lower than before (a lower seq leaves it as it was). */
  "signal.read": { seq: number };
  /** The caller's shop team: who is online. */
  "presence.get": { presence: TeamPresence };
  /** A heartbeat: ping again every `intervalMs`; a connection not heard from for `ttlMs` counts as gone. */
  "presence.ping": { intervalMs: number; ttlMs: number; presence: TeamPresence };
  /** The connection goes offline now (a client closing). */
  "presence.leave": { ok: true };
}

/** Events pushed on `user.<principal>.ev` and `team.<shopId>.ev`. */
export type ServerEvent =
  | { type: "message"; message: StoredMessage }
  | {
      type: "membership";
      convId: string;
      principalId: string;
      change: "joined" | "left" | "removed";
      by: string;
      ts: number;
    }
  | { type: "invite"; invite: InviteInfo }
  /** To the conversation's members and the shop's team: an invite into it was sent, accepted or declined. */
  | { type: "invitation"; invite: InviteInfo }
  | { type: "commit"; commit: EpochCommit }
  /** To the shop's team only: an internal note was added. */
  | { type: "note"; note: StoredNote }
  /** To the shop's team: a device waits for the team key, or the team key changed. */
  | { type: "team"; change: "device-waiting" | "key-changed" | "wrapped"; shopId: string; deviceId?: string }
  | { type: "conversation"; conversation: ConversationInfo }
  /** Someone started or stopped typing; never stored. */
  | { type: "typing"; convId: string; principalId: string; active: boolean; ts: number }
  /** A member's read marker moved forward (also to the principal's own other devices). */
  | { type: "read"; convId: string; principalId: string; seq: number; ts: number }
  /** The shop team's presence changed (to the team and to the shop's connected customers). */
  | { type: "presence"; presence: TeamPresence };

/** What `POST /v1/session`, `/v1/agent/session` and `/v1/session/refresh` return. */
export interface SessionResponse {
  principal: PrincipalInfo;
  nats: {
    /** WebSocket URL(s) of the NATS servers. */
    servers: string[];
    /** Bearer user JWT, WebSocket-only, short-lived. */
    jwt: string;
    /** Milliseconds since the epoch at which `jwt` expires. */
    expiresAt: number;
    /** The private inbox prefix the client must use for requests. */
    inboxPrefix: string;
  };
  /** Bearer token for `POST /v1/rpc/<op>`; expires with the NATS JWT. */
  apiToken: string;
  /** Exchanged at `POST /v1/session/refresh` for fresh credentials. */
  refreshToken: string;
  refreshExpiresAt: number;
}
