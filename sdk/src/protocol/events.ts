/**
 * What the gateway pushes to clients: the events on `user.<principal>.ev`
 * and `team.<shopId>.ev` (re-exported by rpc.ts, where they used to live).
 */
import type { Envelope, StoredMessage, StoredNote } from "./envelope.js";
import type { ConversationInfo, EpochCommit, InviteInfo, MembershipChange, TeamPresence } from "./models.js";

/** Events pushed on `user.<principal>.ev` and `team.<shopId>.ev`. */
export type ServerEvent =
  | {
      /** A message was stored. */
      type: "message";
      /** The stored message, as history returns it. */
      message: StoredMessage;
    }
  | {
      /** Someone joined, left or was removed. */
      type: "membership";
      /** The conversation. */
      convId: string;
      /** Who joined, left or was removed. */
      principalId: string;
      /** What happened. */
      change: MembershipChange;
      /** Who made it happen: the inviter for `joined`, the member for `left`, the remover for `removed`. */
      by: string;
      /** Server time, ms. */
      ts: number;
    }
  | {
      /**
       * To the invitee only: they were invited (`pending`), or an invite to them was answered in
       * another session, or revoked (its status now). Never sent for a blocked inviter's invites.
       */
      type: "invite";
      /** The invite, with its status now. */
      invite: InviteInfo;
    }
  | {
      /** To the conversation's members and the shop's team: an invite into it was sent, accepted, declined or revoked. */
      type: "invitation";
      /** The invite, with its status now. */
      invite: InviteInfo;
    }
  | {
      /** A conversation's epoch chain moved. */
      type: "commit";
      /** The accepted commit. */
      commit: EpochCommit;
    }
  | {
      /** To the shop's team only: an internal note was added. */
      type: "note";
      /** The stored note, with its author's display name. */
      note: StoredNote;
    }
  | {
      /** To the shop's team: a device waits for the team key, or the team key changed. */
      type: "team";
      /**
       * A device waits for the key, the key changed, a device was given it, or a team member was
       * removed and an admin device should rotate the key (`rotation-due`).
       */
      change: "device-waiting" | "key-changed" | "wrapped" | "rotation-due";
      /** The shop. */
      shopId: string;
      /** The device concerned, for `device-waiting` and `wrapped`. */
      deviceId?: string;
    }
  | {
      /** A conversation opened or its triage changed. */
      type: "conversation";
      /** The conversation; the per-caller `readUpTo` and `unread` are 0 (receivers keep their own). */
      conversation: ConversationInfo;
    }
  | {
      /** Someone started or stopped typing; never stored. */
      type: "typing";
      /** The conversation. */
      convId: string;
      /** Who is typing. */
      principalId: string;
      /** True while typing, false once stopped. */
      active: boolean;
      /** Server time, ms. */
      ts: number;
    }
  | {
      /**
       * A live signal (a live location update): an envelope sealed like a
       * message whose body is a `live` body, relayed to the conversation's
       * other members and the team; never stored.
       */
      type: "live";
      /** The conversation. */
      convId: string;
      /** Who sent it (set by the gateway). */
      principalId: string;
      /** The sealed signal, as the sender sent it. */
      envelope: Envelope;
      /** Server time of relay, ms. */
      ts: number;
    }
  | {
      /** A member's read marker moved forward (also to the principal's own other devices). */
      type: "read";
      /** The conversation. */
      convId: string;
      /** Whose marker moved. */
      principalId: string;
      /** The highest seq they have read. */
      seq: number;
      /** Server time, ms. */
      ts: number;
    }
  | {
      /** The shop team's presence changed (to the team and to the shop's connected customers). */
      type: "presence";
      /** The new snapshot. */
      presence: TeamPresence;
    }
  | {
      /**
       * To the principal only: every sign-in of it was ended at the gateway (the login was removed
       * or its password changed); its live connections close right after this event.
       */
      type: "session";
      /** What happened to the sessions. */
      change: "ended";
      /** Why they ended. */
      reason: "removed" | "password_changed";
    };
