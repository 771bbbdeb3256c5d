import type { StoredMessage, StoredNote } from "./envelope.js";
import type { KeyBackupEntry } from "./key-backup.js";
import type {
  BlockedInfo,
  ConversationInfo,
  DeviceRecord,
  EpochCommit,
  HandleCheck,
  InviteInfo,
  MemberInfo,
  MembershipEvent,
  PrincipalInfo,
  ReadMark,
  TeamKeyRecord,
  TeamKeyWrap,
  TeamPresence,
} from "./models.js";
import type { WebhookAttemptInfo, WebhookInfo } from "./webhooks.js";

/** One STUN or TURN server, as `RTCIceServer` takes it. */
export interface IceServer {
  /** `stun:host:port`, `turn:host:port?transport=udp|tcp` or `turns:host:port`. */
  urls: string[];
  /** TURN only: `<expiry in Unix seconds>:<principal id>`. */
  username?: string;
  /** TURN only: base64 HMAC-SHA1 of `username` under the TURN server's shared secret. */
  credential?: string;
}

/** Results of the RPC operations, by op. */
export interface RpcResults {
  /** Customers and guests: the new conversation, with the caller as its owner. */
  "conv.open": {
    /** The conversation just opened. */
    conversation: ConversationInfo;
  };
  /** The caller's conversations (the shop's team: every one of the shop), newest activity first. */
  "conv.list": {
    /** At most the requested limit, with the caller's unread count each. */
    conversations: ConversationInfo[];
  };
  /** One conversation with its members and read markers. */
  "conv.get": {
    /** The conversation as the caller sees it. */
    conversation: ConversationInfo;
    /** Every member, with `externalId` for customers when the caller is on the shop's team. */
    members: MemberInfo[];
    /** Every read marker set in the conversation (members and team), the caller's own included. */
    reads: ReadMark[];
  };
  /** The caller left the conversation. */
  "conv.leave": {
    /** Always `true`. */
    ok: true;
  };
  /** The member was removed. */
  "conv.remove": {
    /** Always `true`. */
    ok: true;
  };
  /** Team only: the updated conversation (as the caller sees it). */
  "conv.assign": {
    /** With its new `assignee` (absent when unassigned). */
    conversation: ConversationInfo;
  };
  /** Team only: the conversation, closed. */
  "conv.close": {
    /** With `status: "closed"`. */
    conversation: ConversationInfo;
  };
  /** Team only: the conversation, open again. */
  "conv.reopen": {
    /** With `status: "open"`. */
    conversation: ConversationInfo;
  };
  /** Team only: unassigned, open, and flagged so that bots stay out of it. */
  "conv.handover": {
    /** With `handover: true`. */
    conversation: ConversationInfo;
  };
  /** The message is stored (persist before acknowledge). */
  "msg.send": {
    /** The message's sequence number in its conversation. */
    seq: number;
    /** The gateway's time of acceptance, ms since the epoch. */
    ts: number;
    /** True when this `msgId` was stored before: `seq` and `ts` are the first time's. */
    duplicate: boolean;
  };
  /** The shop's team only. A repeat of the same note id answers the stored note with `duplicate: true`. */
  "note.add": {
    /** The stored note, with its author's display name. */
    note: StoredNote;
    /** True when this note id was stored before. */
    duplicate: boolean;
  };
  /** The shop's team only: the newest notes (before `before` when given), oldest first. */
  "note.list": {
    /** Each with its author's display name. */
    notes: StoredNote[];
    /**
     * True when older notes remain: the page ended at the limit or at the gateway's byte budget.
     * Continue with `before` set to the first (oldest) note's `ts` and `id`.
     */
    hasMore: boolean;
  };
  /** A page of older messages: at most `limit`, and only as many as fit the gateway's byte budget (at least one). */
  "msg.history": {
    /** Newest first, below the `before` seq. */
    messages: StoredMessage[];
    /** True when older messages remain: continue with `before` set to the last (oldest) message's seq. */
    hasMore: boolean;
  };
  /** A page of newer messages, for filling gaps: at most `limit`, and only as many as fit the gateway's byte budget (at least one). */
  "msg.since": {
    /** Oldest first, above the `after` seq. */
    messages: StoredMessage[];
    /** True when newer messages remain: continue with `after` set to the last (newest) message's seq. */
    hasMore: boolean;
  };
  /** The principal holding the handle in the caller's shop. */
  "handle.lookup": {
    /** As others see it; `kind` tells whether it is on the shop's team. */
    principal: PrincipalInfo;
  };
  /** Whether the handle could be claimed. */
  "handle.check": HandleCheck;
  /** The invite is revoked. */
  "invite.revoke": {
    /** Always `true`. */
    ok: true;
  };
  /** The invite is declined and its inviter blocked. */
  "invite.block": {
    /** Always `true`. */
    ok: true;
  };
  /** The caller's blocked principals. */
  "block.list": {
    /** Newest first: the newest 500 at most, and only as many as fit the gateway's byte budget. */
    blocked: BlockedInfo[];
    /** True when the caller blocked more principals than this reply holds. */
    hasMore: boolean;
  };
  /** The principal is unblocked (also when it was not blocked). */
  "block.remove": {
    /** Always `true`. */
    ok: true;
  };
  /** The invite made, or the one already pending for that invitee. */
  "invite.create": {
    /** A pending invite. */
    invite: InviteInfo;
  };
  /** The invitee joined. */
  "invite.accept": {
    /** The conversation the invitee is now a member of. */
    conversation: ConversationInfo;
  };
  /** The invitee said no. */
  "invite.decline": {
    /** Always `true`. */
    ok: true;
  };
  /** The caller's pending invites: the newest 50 at most, and only as many as fit the gateway's byte budget. */
  "invite.list": {
    /** Newest first. */
    invites: InviteInfo[];
    /** True when more invites wait than this reply holds: they show once some are answered. */
    hasMore: boolean;
  };
  /** Every invite into one conversation. */
  "invite.history": {
    /** Any status, oldest first: the newest 200 at most, and only as many as fit the gateway's byte budget. */
    invites: InviteInfo[];
    /** True when older invites were left out (by the count or the byte budget). */
    hasMore: boolean;
  };
  /** The conversation's recorded joins, leaves and removals. */
  "member.history": {
    /** The newest 200 at most, oldest first. */
    events: MembershipEvent[];
  };
  /** The caller's device record is stored. */
  "device.register": {
    /** Always `true`. */
    ok: true;
  };
  /** Registered (signed) device records of the named principals; principals without any are absent. */
  "device.list": {
    /** Only principals the caller may see (see docs/protocol.md). */
    devices: DeviceRecord[];
  };
  /** The accepted commit's epoch; a losing concurrent commit gets `conflict` instead. */
  "epoch.commit": {
    /** The conversation's new head epoch. */
    epoch: number;
  };
  /** A page of a conversation's epoch chain: at most `limit`, and only as many as fit the gateway's byte budget (at least one). */
  "epoch.list": {
    /** Oldest first, above the `after` epoch. */
    commits: EpochCommit[];
    /** True when more commits remain: continue with `after` set to the last commit's epoch. */
    hasMore: boolean;
  };
  /** The shop team's current public key; null before an admin made one. Public: any signed-in principal may read it. */
  "team.get": {
    /** The current record, the requested version, or `null`. */
    key: TeamKeyRecord | null;
  };
  /** Admin agents only; accepted only as version current+1 (`conflict` otherwise). */
  "team.init": {
    /** The version stored. */
    version: number;
  };
  /** Admin agents only: every registered device of the shop's team, and whether it holds the current team key. */
  "team.devices": {
    /** The current team key record, or `null` before there is one. */
    key: TeamKeyRecord | null;
    /** Every signed device of the shop's current agents and bots (not of removed logins). */
    devices: Array<{
      /** The device's signed record. */
      device: DeviceRecord;
      /** True when the current team key is sealed to it. */
      wrapped: boolean;
    }>;
    /**
     * True when the current team key was sealed to a device of a login that has since been removed:
     * an admin device should rotate the key (make version + 1, vouched for by the current one).
     */
    rotationDue?: boolean;
  };
  /** Admin agents only: seal the current team key to a team device. */
  "team.wrap.put": {
    /** Always `true`. */
    ok: true;
  };
  /** Team members: the wraps of the current team key for the caller's devices. */
  "team.wrap.get": {
    /** The current team key record, or `null` before there is one. */
    key: TeamKeyRecord | null;
    /** The team key sealed to each of the caller's devices that has it. */
    wraps: TeamKeyWrap[];
  };
  /** Admin agents only: the shop's agent and bot logins, oldest first. */
  "team.members": {
    /** Each login with its role and principal. */
    members: Array<{
      /** The sign-in name. */
      login: string;
      /** `admin` manages the team (and its key); `agent` answers conversations. */
      role: "admin" | "agent";
      /** The login's principal as others see it. */
      principal: PrincipalInfo;
    }>;
  };
  /** Admin agents only: the shop's webhook (never its secret) and its newest delivery attempts, newest first. */
  "webhook.log": {
    /** The configured webhook; `null` when the shop has none. */
    webhook: WebhookInfo | null;
    /** The newest attempts (at most `WEBHOOK_LOG_LIMIT`), newest first. */
    attempts: WebhookAttemptInfo[];
  };
  /** Admin agents only: the login was removed and its sessions revoked. */
  "team.remove": {
    /** Always `true`. */
    ok: true;
  };
  /** Customers only: stores (or replaces) sealed epoch keys of conversations the caller is a member of. */
  "keys.backup.put": {
    /** How many entries were stored. */
    stored: number;
  };
  /** Customers only: the caller's sealed epoch keys of one conversation, by epoch ascending. */
  "keys.backup.list": {
    /** Above the `after` epoch (at most `limit`, and only as many as fit the gateway's byte budget). */
    entries: KeyBackupEntry[];
    /** True when more entries remain: continue with `after` set to the last entry's epoch. */
    hasMore: boolean;
  };
  /** The caller's own principal. */
  "profile.get": {
    /** As stored now. */
    principal: PrincipalInfo;
  };
  /** The caller's principal after the update. */
  "profile.update": {
    /** With the new handle or display name. */
    principal: PrincipalInfo;
  };
  /** Fire and forget: typing signals above ~1 per second per conversation are dropped without an error. */
  "signal.typing": {
    /** Always `true`, dropped or not. */
    ok: true;
  };
  /** The caller's marker after the call: never lower than before (a lower seq leaves it as it was). */
  "signal.read": {
    /** The caller's read marker now. */
    seq: number;
  };
  /** The live signal was relayed to the conversation's other members and the team (never stored). */
  "signal.live": {
    /** Always `true`. */
    ok: true;
  };
  /**
   * Where a call's peers find each other (`RTCConfiguration.iceServers`): the gateway's STUN servers,
   * and its TURN servers with a credential minted for the caller that works until `expiresAt` (the
   * time-limited shared-secret scheme coturn's `use-auth-secret` checks). Empty when none are configured.
   */
  "call.ice": {
    /** The servers, as `RTCPeerConnection` takes them. */
    iceServers: IceServer[];
    /** When the TURN credentials stop working, ms since the Unix epoch (fetch again before). */
    expiresAt: number;
  };
  /** The gateway's clock, for estimating the shared clock (`client.clock`). */
  "time.now": {
    /** The gateway's time when it answered, milliseconds since the Unix epoch. */
    now: number;
  };
  /** The caller's shop team: who is online. */
  "presence.get": {
    /** The current snapshot. */
    presence: TeamPresence;
  };
  /**
   * The team's presence for this connection. With `heartbeat: false` the gateway follows the connection
   * itself (ADR 0053): ask once per connection, then events tell every change. Otherwise (a gateway
   * without a connection watcher, or one older than the field) it is a heartbeat: ping again every
   * `intervalMs`; a connection not heard from for `ttlMs` counts as gone.
   */
  "presence.ping": {
    /** How often to ping if pinging, ms (SDKs before ADR 0053 always ping). */
    intervalMs: number;
    /** How long a silent connection stays online, ms. */
    ttlMs: number;
    /** Whether this connection must keep pinging to stay online; absent from older gateways (then true). */
    heartbeat?: boolean;
    /** The current snapshot. */
    presence: TeamPresence;
  };
  /** The connection goes offline now (a client closing). */
  "presence.leave": {
    /** Always `true`. */
    ok: true;
  };
}

export type { ServerEvent } from "./events.js";

/** What `POST /v1/session`, `/v1/agent/session` and `/v1/session/refresh` return. */
export interface SessionResponse {
  /** Who signed in. */
  principal: PrincipalInfo;
  /** How to connect to NATS. */
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
  /** Milliseconds since the epoch at which `refreshToken` expires. */
  refreshExpiresAt: number;
}
