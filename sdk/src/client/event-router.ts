/**
 * Routes the gateway's events (on the principal's subject, and the team's for
 * agents and bots) to the module that handles each type, and on to the app's
 * event listeners.
 */
import type { NatsConnection } from "../connection.js";
import { isTeamKind } from "../protocol/models.js";
import type { ServerEvent, SessionResponse } from "../protocol/rpc.js";
import { subjects } from "../protocol/subjects.js";
import type { ConversationSignals } from "./conversation-signals.js";
import type { ConversationSync } from "./conversation-sync.js";
import type { ClientCore } from "./core.js";
import type { InternalNotes } from "./internal-notes.js";
import type { InviteInbox } from "./invite-inbox.js";
import type { LiveSignals } from "./live-signals.js";
import type { MessageDecoder } from "./message-decoder.js";
import type { TeamPresenceBeat } from "./team-presence.js";

const decoder = new TextDecoder();

/** The modules events go to. */
export interface EventTargets {
  sync: ConversationSync;
  decoder: MessageDecoder;
  signals: ConversationSignals;
  notes: InternalNotes;
  presence: TeamPresenceBeat;
  invites: InviteInbox;
  live: LiveSignals;
  /** Every sign-in of this principal was ended at the gateway. */
  sessionEnded: (reason: Extract<ServerEvent, { type: "session" }>["reason"]) => Promise<void>;
  /** After this principal added someone: hands them the earlier keys, when allowed. */
  grantHistory: (event: Extract<ServerEvent, { type: "membership" }>) => Promise<void>;
}

export class EventRouter {
  readonly #core: ClientCore;
  readonly #to: EventTargets;

  constructor(core: ClientCore, targets: EventTargets) {
    this.#core = core;
    this.#to = targets;
  }

  /** Subscribes to the principal's events, and the team's for agents and bots. */
  subscribe(nc: NatsConnection, session: SessionResponse): void {
    const core = this.#core;
    const onEvent = (err: Error | null, msg: { data: Uint8Array }) => {
      if (err) {
        core.events.emit("error", err);
        return;
      }
      let event: ServerEvent;
      try {
        event = JSON.parse(decoder.decode(msg.data)) as ServerEvent;
      } catch {
        return;
      }
      void this.route(event).catch(core.report);
    };
    nc.subscribe(subjects.user(session.principal.id), { callback: onEvent });
    if (isTeamKind(session.principal.kind)) {
      nc.subscribe(subjects.team(session.principal.shopId), { callback: onEvent });
    }
  }

  async route(event: ServerEvent): Promise<void> {
    const core = this.#core;
    const { events } = core;
    switch (event.type) {
      case "message":
        return this.#to.sync.live(event.message);
      case "membership":
        core.e2e
          ?.onEvent(event)
          .then(() => this.#to.grantHistory(event))
          .catch(core.report);
        events.emit("membership", event);
        return;
      case "invite":
        this.#to.invites.received(event.invite);
        events.emit("invite", event.invite);
        return;
      case "invitation":
        // An invite to this principal answered in another session (or revoked) leaves the inbox here too.
        if (event.invite.status !== "pending" && event.invite.invitee === core.session?.principal.id) {
          this.#to.invites.received(event.invite);
        }
        events.emit("invitation", event.invite);
        return;
      case "note":
        this.#to.notes.received(event.note);
        return;
      case "commit": {
        const tracker = core.tracker(event.commit.convId);
        const info = tracker.state.value.info;
        if (info && info.epoch < event.commit.epoch) tracker.setInfo({ ...info, epoch: event.commit.epoch });
        core.e2e?.onEvent(event).catch(core.report);
        events.emit("commit", event.commit);
        return;
      }
      case "team": {
        const mine = event.change === "wrapped" && event.deviceId === core.deviceId;
        core.e2e
          ?.onEvent(event)
          // The team key just arrived on this device: what it could not read may open now.
          .then(() => (mine ? this.#to.decoder.reopenAll() : undefined))
          .catch(core.report);
        events.emit("team", event);
        return;
      }
      case "conversation": {
        // Status and assignment come from the event; the read marker and unread count stay this principal's own.
        const tracker = core.tracker(event.conversation.id);
        const known = tracker.state.value.info;
        const info = known
          ? { ...event.conversation, readUpTo: known.readUpTo, unread: known.unread }
          : event.conversation;
        tracker.setInfo(info);
        events.emit("conversation", info);
        return;
      }
      case "typing":
        if (event.principalId !== core.self)
          this.#to.signals.typingSignal(event.convId, event.principalId, event.active);
        return;
      case "read":
        core.tracker(event.convId).setReadBy(event.principalId, event.seq);
        if (event.principalId !== core.self) {
          events.emit("read", { conversationId: event.convId, principalId: event.principalId, seq: event.seq });
        }
        return;
      case "presence":
        this.#to.presence.set(event.presence);
        return;
      case "live":
        return this.#to.live.received(event);
      case "session":
        return this.#to.sessionEnded(event.reason);
    }
  }
}
