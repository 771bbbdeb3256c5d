/**
 * `ParleyClient`: the public API, wired from one module per concern in
 * `client/` (session, RPC channel, event routing, conversation sync, message
 * decoding, the outbox sender, signals, presence, notes, files). One code path
 * for browsers and Node; platform APIs (WebSocket, fetch, storage) come in
 * through the options.
 */
import type { CallsApi } from "./calls/api.js";
import type { CardsApi } from "./cards/api.js";
import { checkSender } from "./client/body-kind-rules.js";
import type { ClientEvents, ConnectionStatus, Note } from "./client/client-events.js";
import { PAGE } from "./client/conversation-sync.js";
import { closeClient, connectClient } from "./client/lifecycle.js";
import type { LiveChannel } from "./client/live-channel.js";
import { type ClientModules, createModules } from "./client/modules.js";
import { rpcRequest } from "./client/rpc-channel.js";
import type { SharedClockApi } from "./clock-api.js";
import type { MessageBody } from "./codec.js";
import type { ChatMessage, ConversationState } from "./conversation-tracker.js";
import type { DownloadOptions, FileMeta, UploadOptions } from "./files.js";
import type { ListenApi } from "./listen/api.js";
import type { LocationApi } from "./location/api.js";
import { type ClientOptions, parseOptions } from "./options.js";
import type { FileRef } from "./protocol/files.js";
import type {
  BlockedInfo,
  ConversationInfo,
  HandleCheck,
  HistoryPolicy,
  InviteHistory,
  InviteInfo,
  MembershipEvent,
  PrincipalInfo,
  TeamPresence,
} from "./protocol/models.js";
import type { RpcResults } from "./protocol/rpc.js";
import type { RpcOp, RpcRequest } from "./protocol/schemas.js";
import type { StateStore } from "./state-store.js";

export type { ClientEvents, ConnectionStatus, Note } from "./client/client-events.js";

/** Each client's modules, for {@link liveChannelOf}: never reachable from the public facade. */
const modulesOf = new WeakMap<ParleyClient, ClientModules>();

/**
 * The live-signal channel of `client` (`@parley/sdk/internal`): for the other Parley packages and the
 * cross-package tests. Features use it through their modules (`createModules`).
 */
export function liveChannelOf(client: ParleyClient): LiveChannel {
  const modules = modulesOf.get(client);
  if (!modules) throw new TypeError("not a ParleyClient");
  return modules.live;
}

/** A Parley client: one signed-in principal, its conversations, outbox and events. Made by {@link createClient}. */
export class ParleyClient {
  /** The connection's status; `subscribe` to follow it (changes also come as `status` events). */
  readonly status: StateStore<ConnectionStatus>;
  /** Who of the shop's team (agents, bots) is online: fetched after connect, kept current by events and heartbeats. */
  readonly presence: StateStore<TeamPresence>;
  /**
   * The invites waiting for this principal's answer, newest first (revoked, answered and expired ones
   * leave it): loaded on connect and after a reconnect, kept current by `invite` events. The launcher
   * badge and the invites list read it.
   */
  readonly invites: StateStore<readonly InviteInfo[]>;
  /** Cards (orders, menus, group carts, bill splits): each conversation's board, and posting and acting on cards. */
  readonly cards: CardsApi;
  /** Listening together: each conversation's sessions, and starting, joining, leaving, ending and controlling one. */
  readonly listen: ListenApi;
  /**
   * The shared clock of live features (locations, listening together): the gateway's time as this device
   * estimates it. `sync()` measures the offset (and, from then on, again after each reconnect); `now()`
   * reads it.
   */
  readonly clock: SharedClockApi;
  /** Places shared in a conversation, once or live: each conversation's board, sharing, live shares and their updates. */
  readonly location: LocationApi;
  /**
   * Voice and video calls (end-to-end encrypted signalling, WebRTC media): each conversation's calls, the
   * calls ringing on this device, and this device's call with its controls.
   */
  readonly calls: CallsApi;
  readonly #m: ClientModules;

  /** Validates the options (a bad one throws `TypeError` naming it); call `connect()` to sign in. */
  constructor(options: ClientOptions) {
    this.#m = createModules(parseOptions(options), {
      request: (op, body) => this.request(op, body),
      send: (convId, body) => this.send(convId, body),
    });
    this.status = this.#m.core.status;
    this.presence = this.#m.presence.store;
    this.invites = this.#m.invites.store;
    this.cards = this.#m.cards;
    this.listen = this.#m.listen;
    this.clock = this.#m.clock;
    modulesOf.set(this, this.#m);
    this.location = this.#m.location;
    this.calls = this.#m.calls;
  }

  /** This device's id (its end-to-end identity once connected with encryption on). */
  get deviceId(): string {
    return this.#m.core.deviceId;
  }

  /** The signed-in principal; throws `NotConnectedError` before `connect` resolves. */
  get principal(): PrincipalInfo {
    return this.#m.core.requireSession().principal;
  }

  /** Listens to an event (see {@link ClientEvents}); returns the function that stops listening. */
  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): () => void {
    return this.#m.core.events.on(event, handler);
  }

  /** Opens a session, connects to NATS and sends whatever the outbox still holds. */
  connect(): Promise<PrincipalInfo> {
    return connectClient(this.#m);
  }

  /** Stops timers, drains the connection; the outbox stays in storage for next time. */
  close(): Promise<void> {
    return closeClient(this.#m);
  }

  /**
   * Logout: closes the client, ends its session at the gateway (the refresh token and API token stop
   * working, in every tab sharing the session) and forgets a saved agent or guest session: the next
   * client must sign in again.
   */
  async signOut(): Promise<void> {
    await this.close();
    await this.#m.session.forget();
  }

  /** A customer opens a new conversation with the shop; with encryption, also commits its first epoch. */
  openConversation(): Promise<ConversationInfo> {
    return this.#m.sync.open();
  }

  /** This principal's conversations (at most `limit`); each conversation's state takes its details. */
  listConversations(limit = 50): Promise<ConversationInfo[]> {
    return this.#m.sync.list(limit);
  }

  /** The live state of a conversation (empty until loaded or a message arrives). */
  conversation(convId: string): StateStore<ConversationState> {
    return this.#m.core.tracker(convId).state;
  }

  /** Loads the conversation's details and newest page, and follows it from there. */
  loadConversation(convId: string): Promise<ConversationState> {
    return this.#m.sync.load(convId);
  }

  /**
   * Loads up to `limit` messages before the oldest loaded one: fewer when they are large (the gateway
   * keeps each page within one NATS message). Resolves false when there is nothing older.
   */
  loadOlder(convId: string, limit = PAGE): Promise<boolean> {
    return this.#m.sync.loadOlder(convId, limit);
  }

  /** The conversation's members. */
  async members(convId: string): Promise<RpcResults["conv.get"]["members"]> {
    return (await this.request("conv.get", { convId })).members;
  }

  /**
   * Sends a message (a string is a text message). It is written to the outbox first and retried until the
   * gateway acknowledges it; resolves with the stored message (with its seq). Rejects only when the gateway
   * refuses it for good; the message then stays listed as failed until `retry` or `discard`. A body kind
   * this principal may not send is refused (`ParleyError` `forbidden`) before it is queued.
   */
  async send(convId: string, body: MessageBody | string): Promise<ChatMessage> {
    const { core, signals, sender } = this.#m;
    core.requireOutbox();
    signals.typing(convId, false);
    const content: MessageBody = typeof body === "string" ? { type: "text", text: body } : body;
    checkSender(content, core.requireSession().principal.kind);
    return sender.send(convId, content);
  }

  /** Sends a failed message again, with the same msgId. */
  retry(msgId: string): Promise<void> {
    return this.#m.sender.retry(msgId);
  }

  /** Drops a message from the outbox. */
  discard(msgId: string): Promise<void> {
    return this.#m.sender.discard(msgId);
  }

  /**
   * Encrypts a file with a fresh key (64 KiB secretstream chunks), uploads the ciphertext, then sends a
   * `file` message carrying the key through the outbox like any message. Only with `encryption` is that
   * message sealed end to end; without it the gateway could read the key. Progress goes to `onProgress`
   * and to `upload-progress` events.
   */
  sendFile(convId: string, data: Blob | Uint8Array, meta: FileMeta, opts: UploadOptions = {}): Promise<ChatMessage> {
    return this.#m.files.send(convId, data, meta, opts);
  }

  /**
   * Downloads and decrypts a file from a message. Resolves only with the whole, verified plaintext; rejects
   * with `ParleyError` `file_corrupt` when any check fails (no partial plaintext), or with the gateway's error.
   */
  downloadFile(convId: string, file: FileRef, opts: DownloadOptions = {}): Promise<Uint8Array> {
    return this.#m.files.download(convId, file, opts);
  }

  /**
   * Tells the conversation's other members this principal is typing (`true`) or stopped (`false`).
   * Throttled to one "typing" per conversation every 3 s; a "stopped" goes once when typing stops, and by
   * itself when a message is sent. Fire and forget: failures go to the `error` event.
   */
  typing(convId: string, active: boolean): void {
    if (!this.#m.core.closed) this.#m.signals.typing(convId, active);
  }

  /**
   * Marks the conversation read up to `seq`. The marker only moves forward (a lower seq is ignored), calls
   * within ~500 ms become one request with the highest seq, and the gateway keeps it per (conversation,
   * principal), so it survives reloads and reaches this principal's other devices. `readUpTo` and `unread`
   * in the conversation's state move at once.
   */
  markRead(convId: string, seq: number): Promise<void> {
    return this.#m.signals.markRead(convId, seq);
  }

  /**
   * Invites the principal with this handle (in this shop) into the conversation, offering `history`:
   * `none` (the default: from the moment they join), `7d` or `all`. Resolves with the pending invite
   * (the one already pending for that person, if any).
   */
  async invite(convId: string, handle: string, options: { history?: InviteHistory } = {}): Promise<InviteInfo> {
    const body = options.history ? { convId, handle, history: options.history } : { convId, handle };
    return (await this.request("invite.create", body)).invite;
  }

  /**
   * Who holds this exact handle in the shop, to show before inviting them (display name, and `kind`:
   * agents and bots are the shop's team). Rejects with code `unknown_handle`, or `rate_limited`.
   */
  async lookupHandle(convId: string, handle: string): Promise<PrincipalInfo> {
    return (await this.request("handle.lookup", { convId, handle })).principal;
  }

  /** Whether this principal could claim the handle now, and why not (rate-limited like every handle probe). */
  checkHandle(handle: string): Promise<HandleCheck> {
    return this.request("handle.check", { handle });
  }

  /** Withdraws a pending invite (the inviter's, or any into the conversation for its owner and the shop's team). */
  async revokeInvite(inviteId: string): Promise<void> {
    await this.request("invite.revoke", { inviteId });
  }

  /** Declines an invite and blocks its inviter: their later invites to this principal are dropped without a word. */
  async blockInviter(inviteId: string): Promise<void> {
    await this.#m.invites.answer(inviteId, () => this.request("invite.block", { inviteId }));
  }

  /** The principals this principal blocked, newest first. */
  async blocked(): Promise<BlockedInfo[]> {
    return (await this.request("block.list", {})).blocked;
  }

  /** Unblocks a principal. */
  async unblock(principalId: string): Promise<void> {
    await this.request("block.remove", { principalId });
  }

  /** Accepts an invite; the conversation is announced as a `conversation` event. */
  async acceptInvite(inviteId: string): Promise<ConversationInfo> {
    const reply = await this.#m.invites.answer(inviteId, () => this.request("invite.accept", { inviteId }));
    const conversation = this.#m.sync.setInfo(reply.conversation);
    this.#m.core.events.emit("conversation", conversation);
    return conversation;
  }

  /** Declines an invite. */
  async declineInvite(inviteId: string): Promise<void> {
    await this.#m.invites.answer(inviteId, () => this.request("invite.decline", { inviteId }));
  }

  /** The invites this principal has not answered yet (revoked and expired ones are left out), newest first. */
  async pendingInvites(): Promise<InviteInfo[]> {
    return (await this.request("invite.list", {})).invites;
  }

  /** Every invite into a conversation (any status), oldest first; live changes come as `invitation` events. */
  async invitations(convId: string): Promise<InviteInfo[]> {
    return (await this.request("invite.history", { convId })).invites;
  }

  /** The conversation's recorded joins, leaves and removals, the newest 200 at most, oldest first; live ones come as `membership` events. */
  async membershipHistory(convId: string): Promise<MembershipEvent[]> {
    return (await this.request("member.history", { convId })).events;
  }

  /** Leaves the conversation. */
  async leave(convId: string): Promise<void> {
    await this.request("conv.leave", { convId });
  }

  /** Team only, with encryption on: adds an internal note, sealed from customers and the gateway. Retried with the same id. */
  addNote(convId: string, text: string): Promise<Note> {
    return this.#m.notes.add(convId, text);
  }

  /**
   * Team only: the conversation's `limit` newest internal notes, oldest first, decrypted (unreadable ones
   * are left out and reported as `error`), fetched in as many pages as the gateway needs.
   */
  notes(convId: string, limit = 100): Promise<Note[]> {
    return this.#m.notes.list(convId, limit);
  }

  /** Team only: gives the conversation to a team member (agent or bot), or unassigns it with `null`. */
  async assign(convId: string, assignee: string | null): Promise<ConversationInfo> {
    return this.#m.sync.setInfo((await this.request("conv.assign", { convId, assignee })).conversation);
  }

  /** Team only: closes the conversation. A customer's next message opens it again. */
  async closeConversation(convId: string): Promise<ConversationInfo> {
    return this.#m.sync.setInfo((await this.request("conv.close", { convId })).conversation);
  }

  /** Team only: opens a closed conversation again. */
  async reopenConversation(convId: string): Promise<ConversationInfo> {
    return this.#m.sync.setInfo((await this.request("conv.reopen", { convId })).conversation);
  }

  /** Team only (meant for bots): hands the conversation to the human team; bots stay out of it from then on. */
  async handover(convId: string): Promise<ConversationInfo> {
    return this.#m.sync.setInfo((await this.request("conv.handover", { convId })).conversation);
  }

  /**
   * End-to-end encryption: commits a new epoch carrying the conversation's history policy (`none` or `full`).
   * @deprecated The policy no longer decides what history a new member receives: each invite's history choice
   * does (`invite(convId, handle, { history })`: `none`, `7d` or `all`; ADR 0025). The call still commits the
   * field, which stays in the signed commit format.
   */
  async setHistoryPolicy(convId: string, policy: HistoryPolicy): Promise<void> {
    await this.#m.core.requireE2E().setHistoryPolicy(convId, policy);
  }

  /** Removes a member from the conversation. */
  async removeMember(convId: string, principalId: string): Promise<void> {
    await this.request("conv.remove", { convId, principalId });
  }

  /** Changes this principal's profile (display name, handle); resolves with the updated principal. */
  async updateProfile(change: RpcRequest<"profile.update">): Promise<PrincipalInfo> {
    const { principal } = await this.request("profile.update", change);
    const core = this.#m.core;
    if (core.session) core.session = { ...core.session, principal };
    return principal;
  }

  /** A typed request to the gateway over NATS. Rejects with `ParleyError`, `ConnectionLostError` or `NotConnectedError`. */
  request<Op extends RpcOp>(op: Op, body: RpcRequest<Op>): Promise<RpcResults[Op]> {
    return rpcRequest(this.#m.core, op, body);
  }
}

/** Creates a client; call `connect()` to sign in. */
export function createClient(options: ClientOptions): ParleyClient {
  return new ParleyClient(options);
}
