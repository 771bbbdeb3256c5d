/**
 * The client's public types: its connection status, its typed event map and
 * the decrypted internal note. Types only; the facade (`client.ts`) re-exports them.
 */
import type { ChatMessage } from "../conversation-tracker.js";
import type { DeviceSetChange } from "../crypto/device-directory.js";
import type { ConversationInfo, EpochCommit, InviteInfo, PrincipalInfo, TeamPresence } from "../protocol/models.js";
import type { ServerEvent } from "../protocol/rpc.js";

/** An internal note of the shop's team, decrypted. */
export interface Note {
  /** The note's id (`n_…`). */
  id: string;
  /** The conversation it belongs to. */
  convId: string;
  /** Principal id of the author. */
  author: string;
  /** The author's display name when the note was written ("" when unknown). */
  authorName: string;
  /** Server time the note was stored, ms. */
  ts: number;
  /** The decrypted text. */
  text: string;
}

/** The client's connection, as a discriminated union on `state`. */
export type ConnectionStatus =
  | {
      /** Not connected yet: `connect()` was not called. */
      state: "idle";
    }
  | {
      /** `connect()` is under way. */
      state: "connecting";
    }
  | {
      /** Connected: the session is open. */
      state: "connected";
      /** Who this client is signed in as. */
      principal: PrincipalInfo;
    }
  | {
      /** The link dropped; the client is trying to get it back. */
      state: "reconnecting";
      /** When the link was lost (local time, ms since the epoch). */
      since: number;
    }
  | {
      /**
       * Closed by `close()`, by a failed `connect()`, because the connection ended for good, or because
       * the session ended at the gateway and could not be renewed (`error` is then `unauthorized`: the
       * session was logged out elsewhere, revoked, or reached its maximum age; sign in again).
       */
      state: "closed";
      /** Why, when it closed because of a failure. */
      error?: Error;
    };

/** Events, by name, with their payloads. */
export interface ClientEvents {
  /** A message new to this client (live, or recovered by backfill), once per seq. */
  message: {
    /** The conversation the message is in. */
    conversationId: string;
    /** The message, decoded (or marked unreadable). */
    message: ChatMessage;
  };
  /** Someone joined, left or was removed. */
  membership: Extract<ServerEvent, { type: "membership" }>;
  /** This principal was invited to a conversation. */
  invite: InviteInfo;
  /**
   * An invite into a conversation this principal is in (or the shop's team sees) was sent,
   * accepted or declined; with `invitations(convId)`, what the timeline's invite lines are made of.
   */
  invitation: InviteInfo;
  /** A conversation's epoch chain moved (end-to-end encryption); verified by the crypto layer. */
  commit: EpochCommit;
  /** A conversation this principal can see was opened (also in another tab or on another device), changed, or joined through an accepted invite. */
  conversation: ConversationInfo;
  /** The connection status changed. */
  status: ConnectionStatus;
  /**
   * End-to-end encryption: a member's device set changed (a device added,
   * retired, or offered with new keys, which are not adopted). Show a notice.
   */
  "devices-changed": DeviceSetChange[];
  /** The shop team's key: a device waits for it, it changed, or it was wrapped to a device (agents and bots). */
  team: Extract<ServerEvent, { type: "team" }>;
  /** An envelope could not be read (forged, damaged, or no key for its epoch on this device); the message shows no content. */
  "decode-failed": {
    /** The conversation the envelope is in. */
    conversationId: string;
    /** The message's seq in that conversation. */
    seq: number;
    /** The message's id. */
    msgId: string;
    /** Why it could not be read. */
    error: Error;
  };
  /**
   * A `sendFile` upload moved on: plaintext bytes handed to the network out of
   * the file's size, never decreasing; `done` once the gateway stored the blob
   * (the file message is then sent like any other). A failed upload rejects
   * `sendFile` and sends no `done`.
   */
  "upload-progress": {
    /** The conversation the file is sent to. */
    conversationId: string;
    /** Tells this upload's events from others' (`up_…`, made by the client for each `sendFile`). */
    uploadId: string;
    /** The file's name. */
    name: string;
    /** Plaintext bytes handed to the network so far. */
    sent: number;
    /** The file's size in bytes. */
    total: number;
    /** True once, when the gateway has stored the blob. */
    done: boolean;
  };
  /** The shop's team (agents, bots): an internal note was added to a conversation. Never sent to customers. */
  note: {
    /** The conversation the note was added to. */
    conversationId: string;
    /** The note, decrypted. */
    note: Note;
  };
  /** A background failure (refresh, backfill, delivery) the app may want to show. */
  error: Error;
  /**
   * Another principal started or stopped typing. Every "typing" signal is passed on
   * (about one per 3 s while it lasts); active:false comes when it stops, or from
   * the SDK itself 6 s after the last "typing".
   */
  typing: {
    /** The conversation. */
    conversationId: string;
    /** Who is typing (never this principal). */
    principalId: string;
    /** True while they type; false once they stopped. */
    active: boolean;
  };
  /** Another principal's read marker moved forward (read receipts; this principal's own go to `readUpTo`). */
  read: {
    /** The conversation. */
    conversationId: string;
    /** Whose read marker moved. */
    principalId: string;
    /** The highest seq they have read. */
    seq: number;
  };
  /** Who of the shop's team is online changed (also in `client.presence`). */
  presence: TeamPresence;
}
