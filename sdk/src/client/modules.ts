/**
 * The client's modules, made and wired to each other once per client. The
 * facade passes in its own `send` and `request` so that everything sent or
 * requested goes through its public methods.
 */
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import { ClientCalls } from "./calls.js";
import { ClientCards } from "./cards.js";
import { ConversationSignals } from "./conversation-signals.js";
import { ConversationSync } from "./conversation-sync.js";
import { ClientCore, type Requester } from "./core.js";
import { grantHistory } from "./e2e-start.js";
import { EventRouter } from "./event-router.js";
import { FileTransfer } from "./file-transfer.js";
import { InternalNotes } from "./internal-notes.js";
import { InviteInbox } from "./invite-inbox.js";
import { LinkWatch } from "./link-watch.js";
import { ClientListen } from "./listen.js";
import { LiveSignals } from "./live-signals.js";
import { ClientLocation } from "./location.js";
import { MessageDecoder } from "./message-decoder.js";
import { OutboxSender } from "./outbox-sender.js";
import { SessionKeeper } from "./session-keeper.js";
import { SharedClock } from "./shared-clock.js";
import { TeamPresenceBeat } from "./team-presence.js";

/** Everything a client is made of. */
export interface ClientModules {
  core: ClientCore;
  session: SessionKeeper;
  decoder: MessageDecoder;
  sync: ConversationSync;
  sender: OutboxSender;
  signals: ConversationSignals;
  presence: TeamPresenceBeat;
  invites: InviteInbox;
  notes: InternalNotes;
  files: FileTransfer;
  router: EventRouter;
  link: LinkWatch;
  cards: ClientCards;
  listen: ClientListen;
  /** Live signals (`signal.live`): the seam the location runtime sends and hears live updates through; not public. */
  live: LiveSignals;
  /** `client.clock`. */
  clock: SharedClock;
  location: ClientLocation;
  /** `client.calls`. */
  calls: ClientCalls;
}

/** What the modules call back on the facade. */
export interface FacadeHooks {
  request: Requester;
  send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
}

export function createModules(options: ResolvedOptions, hooks: FacadeHooks): ClientModules {
  const core = new ClientCore(options, hooks.request);
  const decoder = new MessageDecoder(core);
  const sync = new ConversationSync(core, decoder);
  const sender = new OutboxSender(core, sync);
  const signals = new ConversationSignals(core);
  const presence = new TeamPresenceBeat(core);
  const live = new LiveSignals(core);
  const clock = new SharedClock(core);
  const notes = new InternalNotes(core);
  const invites = new InviteInbox(core);
  const session = new SessionKeeper(core);
  const router = new EventRouter(core, {
    sync,
    decoder,
    signals,
    notes,
    presence,
    invites,
    live,
    sessionEnded: (reason) => session.ended(new ParleyError("unauthorized", `the session was ended (${reason})`)),
    grantHistory: (event) => grantHistory(core, event, hooks.send),
  });
  // After a reconnect: catch up, beat presence, send what waited in the outbox, measure the clock again.
  const link = new LinkWatch(core, () => {
    core.sendAcks.reconnected();
    sync.catchUp();
    void presence.ping();
    void invites.load();
    sender.resume();
    clock.resync();
  });
  const files = new FileTransfer(core, hooks.send);
  core.status.subscribe((next, prev) => {
    if (prev !== undefined) core.events.emit("status", next);
  });
  return {
    core,
    session,
    decoder,
    sync,
    sender,
    signals,
    presence,
    invites,
    notes,
    files,
    router,
    link,
    cards: new ClientCards(core, hooks.send),
    listen: new ClientListen(core, hooks.send, () => clock.now()),
    live,
    clock,
    location: new ClientLocation(core, hooks.send, { live, clock }),
    calls: new ClientCalls(core, hooks.send, { live, clock }),
  };
}
