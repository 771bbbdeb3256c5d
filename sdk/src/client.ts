/**
 * `ParleyClient`: sessions, the NATS link, conversation state, the outbox and
 * the typed event map. One code path for browsers and Node; platform APIs
 * (WebSocket, fetch, storage) come in through the options.
 */
import type { MessageBody } from "./codec.js";
import { connectNats, type NatsConnection } from "./connection.js";
import {
  type ChatMessage,
  type ConversationState,
  ConversationTracker,
  type PendingMessage,
} from "./conversation-tracker.js";
import type { DeviceSetChange } from "./crypto/device-directory.js";
import { SealError } from "./crypto/message-crypto.js";
import { EncryptionUnavailableError } from "./e2e/errors.js";
import type { E2ESession } from "./e2e/session.js";
import { Emitter } from "./emitter.js";
import { ConnectionLostError, ParleyError } from "./errors.js";
import type { DownloadOptions, FileMeta, FileTransport, UploadOptions } from "./files.js";
import { watchNetwork } from "./network-watch.js";
import { type ClientOptions, parseOptions, type ResolvedOptions } from "./options.js";
import { Outbox, type OutboxEntry, ownSealedBody } from "./outbox.js";
// Value imports come from the protocol's leaf modules, never its index: the
// index also exports the zod schemas, which browsers should not have to load.
import { ENVELOPE_VERSION, type Envelope, type StoredMessage, type StoredNote } from "./protocol/envelope.js";
import type { FileRef } from "./protocol/files.js";
import { randomId } from "./protocol/ids.js";
import type {
  ConversationInfo,
  EpochCommit,
  HistoryPolicy,
  InviteInfo,
  PrincipalInfo,
  TeamPresence,
} from "./protocol/models.js";
import type { RpcResults, ServerEvent, SessionResponse } from "./protocol/rpc.js";
import { parseRpcReply, type RpcReply } from "./protocol/rpc-reply.js";
import type { RpcOp, RpcRequest } from "./protocol/schemas.js";
import { subjects } from "./protocol/subjects.js";
import { SessionApi } from "./session-api.js";
import { ReadCoalescer, TypingSender, TypingWatch } from "./signals.js";
import type { StateStore } from "./state-store.js";
import { StateStore as Store } from "./state-store.js";

/** An internal note of the shop's team, decrypted. */
export interface Note {
  id: string;
  convId: string;
  /** Principal id of the author. */
  author: string;
  authorName: string;
  ts: number;
  text: string;
}

/** The client's connection, as a discriminated union on `state`. */
export type ConnectionStatus =
  | { state: "idle" }
  | { state: "connecting" }
  | { state: "connected"; principal: PrincipalInfo }
  | { state: "reconnecting"; since: number }
  | { state: "closed"; error?: Error };

/** Events, by name, with their payloads. */
export interface ClientEvents {
  /** A message new to this client (live, or recovered by backfill), once per seq. */
  message: { conversationId: string; message: ChatMessage };
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
  "decode-failed": { conversationId: string; seq: number; msgId: string; error: Error };
  /**
   * A `sendFile` upload moved on: plaintext bytes handed to the network out of
   * the file's size, never decreasing; `done` once the gateway stored the blob
   * (the file message is then sent like any other). A failed upload rejects
   * `sendFile` and sends no `done`.
   */
  "upload-progress": {
    conversationId: string;
    uploadId: string;
    name: string;
    sent: number;
    total: number;
    done: boolean;
  };
  /** The shop's team (agents, bots): an internal note was added to a conversation. Never sent to customers. */
  note: { conversationId: string; note: Note };
  /** A background failure (refresh, backfill, delivery) the app may want to show. */
  error: Error;
  /**
   * Another principal started or stopped typing. Every "typing" signal is passed on
   * (about one per 3 s while it lasts); active:false comes when it stops, or from
   * the SDK itself 6 s after the last "typing".
   */
  typing: { conversationId: string; principalId: string; active: boolean };
  /** Another principal's read marker moved forward (read receipts; this principal's own go to `readUpTo`). */
  read: { conversationId: string; principalId: string; seq: number };
  /** Who of the shop's team is online changed (also in `client.presence`). */
  presence: TeamPresence;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PAGE = 50;
/** Unreadable envelopes kept per conversation for a later history grant. */
const MAX_HELD_UNREADABLE = 5_000;
/** Times one message is sealed again after `stale_epoch` before it is marked failed. */
const MAX_RESEALS = 5;

export class ParleyClient {
  readonly status: StateStore<ConnectionStatus> = new Store<ConnectionStatus>({ state: "idle" });
  /** Who of the shop's team (agents, bots) is online: fetched after connect, kept current by events and heartbeats. */
  readonly presence: StateStore<TeamPresence> = new Store<TeamPresence>({ shopId: "", online: [], updatedAt: 0 });
  readonly #o: ResolvedOptions;
  readonly #events = new Emitter<ClientEvents>();
  readonly #api: SessionApi;
  readonly #trackers = new Map<string, ConversationTracker>();
  readonly #backfills = new Map<string, Promise<void>>();
  readonly #waiters = new Map<string, { resolve: (m: ChatMessage) => void; reject: (e: Error) => void }>();
  #session: SessionResponse | undefined;
  #nc: NatsConnection | undefined;
  #outbox: Outbox | undefined;
  #e2e: E2ESession | undefined;
  #files: FileTransport | undefined;
  readonly #reseals = new Map<string, number>();
  /** Envelopes this device could not open, per conversation: a history grant may open them later. */
  readonly #unreadable = new Map<string, Map<number, StoredMessage>>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #retryDelay = 250;
  #deviceId: string;
  #closed = false;
  /** Names this client's connection in presence heartbeats, so one device closing leaves the others online. */
  readonly #conn = randomId("cn_");
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether nats.js itself reported the connection down (and has not reconnected since). */
  #natsDown = false;
  #unwatchNetwork: (() => void) | undefined;
  readonly #typingOut = new TypingSender((convId, active) => this.#sendTyping(convId, active));
  readonly #typingIn = new TypingWatch((convId, principalId, active) => {
    this.#tracker(convId).setTyping(this.#typingIn.typing(convId));
    this.#events.emit("typing", { conversationId: convId, principalId, active });
  });
  readonly #reads = new ReadCoalescer(async (convId, seq) => {
    const result = await this.request("signal.read", { convId, seq });
    this.#tracker(convId).setReadUpTo(result.seq);
  });

  constructor(options: ClientOptions) {
    this.#o = parseOptions(options);
    this.#api = new SessionApi(this.#o);
    this.#deviceId = this.#o.device?.deviceId ?? randomId("d_");
    this.status.subscribe((next, prev) => {
      if (prev !== undefined) this.#events.emit("status", next);
    });
  }

  /** This device's id (its end-to-end identity once connected with encryption on). */
  get deviceId(): string {
    return this.#deviceId;
  }

  /** The signed-in principal; throws before `connect` resolves. */
  get principal(): PrincipalInfo {
    if (!this.#session) throw new ParleyError("unauthorized", "not connected");
    return this.#session.principal;
  }

  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /** Opens a session, connects to NATS and sends whatever the outbox still holds. */
  async connect(): Promise<PrincipalInfo> {
    if (this.#closed) throw new ParleyError("bad_request", "client is closed");
    this.status.set({ state: "connecting" });
    try {
      this.#session = await this.#openSession();
      const session = this.#session;
      this.#outbox = new Outbox(this.#o.storage, `parley:outbox:${session.principal.id}`);
      await this.#outbox.load();
      for (const entry of this.#outbox.entries) this.#showPending(entry);
      this.#nc = await connectNats({
        session,
        WebSocket: this.#o.WebSocket,
        origin: this.#o.origin,
        currentJwt: () => this.#session?.nats.jwt ?? "",
        seed: this.#api.natsSeed,
      });
      this.#subscribe(this.#nc, session);
      this.#watchStatus(this.#nc);
      if (this.#o.encryption) {
        // Loaded lazily: plaintext clients never pull in the crypto layer or libsodium.
        const { E2ESession } = await import("./e2e/session.js");
        const keyBackupSecret = await this.#keyBackupSecret();
        this.#e2e = await E2ESession.open({
          ...(keyBackupSecret === undefined ? {} : { keyBackupSecret }),
          request: (op, body) => this.request(op, body),
          storage: this.#o.storage,
          principal: session.principal,
          onDevicesChanged: (changes) => this.#events.emit("devices-changed", changes),
          onError: (error) => this.#events.emit("error", error),
          onGrant: (convId) => {
            this.#reopenUnread(convId).catch((err: Error) => this.#events.emit("error", err));
          },
        });
        this.#deviceId = this.#e2e.identity.deviceId;
      }
      this.#scheduleRefresh();
      for (const tracker of this.#trackers.values()) tracker.setSelf(session.principal.id);
      this.status.set({ state: "connected", principal: session.principal });
      void this.#flush();
      await this.#ping();
      return session.principal;
    } catch (err) {
      this.status.set({ state: "closed", error: err as Error });
      throw err;
    }
  }

  /** The customer's key backup secret from `auth.getKeyBackupSecret`, if any (a failure is reported, not fatal). */
  async #keyBackupSecret(): Promise<string | undefined> {
    const { auth } = this.#o;
    if (auth.kind !== "customer" || !auth.getKeyBackupSecret) return undefined;
    try {
      return await auth.getKeyBackupSecret();
    } catch (err) {
      this.#events.emit("error", new Error(`getKeyBackupSecret failed: ${(err as Error).message}`, { cause: err }));
      return undefined;
    }
  }

  /** Stops timers, drains the connection; the outbox stays in storage for next time. */
  async close(): Promise<void> {
    const wasConnected = this.status.value.state === "connected";
    this.#closed = true;
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#pingTimer);
    this.#unwatchNetwork?.();
    this.#typingIn.clear();
    this.#typingOut.clear();
    if (wasConnected) {
      // Read markers still waiting go out now; then this connection leaves the team's presence at once.
      await this.#reads.flush();
      await this.request("presence.leave", { conn: this.#conn }).catch(() => undefined);
    }
    this.#reads.clear(new ParleyError("unavailable", "client closed"));
    this.#e2e?.close();
    const nc = this.#nc;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
    for (const waiter of this.#waiters.values()) waiter.reject(new ParleyError("unavailable", "client closed"));
    this.#waiters.clear();
    this.status.set({ state: "closed" });
    this.#events.clear();
  }

  // -- conversations --------------------------------------------------------------------

  /** A customer opens a new conversation with the shop; with encryption, also commits its first epoch. */
  async openConversation(): Promise<ConversationInfo> {
    const { conversation } = await this.request("conv.open", {});
    const tracker = this.#tracker(conversation.id);
    tracker.setInfo(conversation);
    tracker.anchor(conversation.lastSeq, false);
    // Should this fail (offline), the first send commits the epoch instead.
    if (this.#e2e) await this.#e2e.created(conversation).catch((err: Error) => this.#events.emit("error", err));
    return conversation;
  }

  async listConversations(limit = 50): Promise<ConversationInfo[]> {
    const { conversations } = await this.request("conv.list", { limit });
    for (const c of conversations) this.#tracker(c.id).setInfo(c);
    return conversations;
  }

  /** The live state of a conversation (empty until loaded or a message arrives). */
  conversation(convId: string): StateStore<ConversationState> {
    return this.#tracker(convId).state;
  }

  /** Loads the conversation's details and newest page, and follows it from there. */
  async loadConversation(convId: string): Promise<ConversationState> {
    const tracker = this.#tracker(convId);
    const [{ conversation, reads }, page] = await Promise.all([
      this.request("conv.get", { convId }),
      this.request("msg.history", { convId, limit: PAGE }),
    ]);
    tracker.setInfo(conversation);
    for (const r of reads ?? []) tracker.setReadBy(r.principalId, r.seq);
    const newest = page.messages[0]?.seq ?? 0;
    await this.#ingestMany(convId, page.messages, false);
    if (!tracker.anchored) tracker.anchor(newest, page.hasMore);
    else tracker.setHasOlder(page.hasMore);
    if (tracker.hasGap() || tracker.state.value.lastSeq < conversation.lastSeq) await this.#backfill(convId);
    return tracker.state.value;
  }

  /** Loads the page before the oldest loaded message. Resolves false when there is nothing older. */
  async loadOlder(convId: string, limit = PAGE): Promise<boolean> {
    const tracker = this.#tracker(convId);
    const oldest = tracker.state.value.messages[0]?.seq;
    if (oldest === undefined) {
      await this.loadConversation(convId);
      return tracker.state.value.hasOlder;
    }
    const page = await this.request("msg.history", { convId, before: oldest, limit });
    await this.#ingestMany(convId, page.messages, false);
    tracker.setHasOlder(page.hasMore);
    return page.hasMore;
  }

  async members(convId: string): Promise<RpcResults["conv.get"]["members"]> {
    return (await this.request("conv.get", { convId })).members;
  }

  // -- sending --------------------------------------------------------------------------

  /**
   * Sends a message. It is written to the outbox first and retried until the
   * gateway acknowledges it; resolves with the stored message (with its seq).
   * Rejects only when the gateway refuses it for good; the message then stays
   * listed as failed until `retry` or `discard`.
   */
  async send(convId: string, body: MessageBody | string): Promise<ChatMessage> {
    const outbox = this.#requireOutbox();
    this.#typingOut.set(convId, false);
    const content: MessageBody = typeof body === "string" ? { type: "text", text: body } : body;
    const header = {
      v: ENVELOPE_VERSION,
      convId,
      epoch: 0,
      msgId: randomId(),
      senderDevice: this.#deviceId,
      ts: Date.now(),
    } as const;
    // End-to-end entries are sealed when they are sent (see #sealed), so a newer epoch only means sealing again.
    const entry: OutboxEntry = this.#o.encryption
      ? { convId, envelope: unsealed(header), body: content, queuedAt: Date.now(), attempts: 0 }
      : { convId, envelope: await this.#o.codec.seal(header, content), queuedAt: Date.now(), attempts: 0 };
    const envelope = entry.envelope;
    const done = new Promise<ChatMessage>((resolve, reject) => {
      this.#waiters.set(envelope.msgId, { resolve, reject });
    });
    await outbox.add(entry);
    this.#showPending(entry, content);
    void this.#flush();
    return done;
  }

  /** Sends a failed message again, with the same msgId. */
  async retry(msgId: string): Promise<void> {
    const outbox = this.#requireOutbox();
    const entry = outbox.find(msgId);
    if (!entry) return;
    await outbox.setFailed(msgId, undefined);
    this.#tracker(entry.convId).setPending((p) =>
      p.map((m) => (m.msgId === msgId ? { ...m, state: "sending", error: undefined } : m)),
    );
    void this.#flush();
  }

  /** Drops a message from the outbox. */
  async discard(msgId: string): Promise<void> {
    const outbox = this.#requireOutbox();
    const entry = outbox.find(msgId);
    if (!entry) return;
    await outbox.remove(msgId);
    this.#tracker(entry.convId).setPending((p) => p.filter((m) => m.msgId !== msgId));
  }

  // -- files ----------------------------------------------------------------------------

  /**
   * Encrypts a file with a fresh key (64 KiB secretstream chunks), uploads the
   * ciphertext, then sends a `file` message carrying the key through the
   * outbox like any message. Only with `encryption` is that message sealed
   * end to end; without it the gateway could read the key. Progress goes to
   * `onProgress` and to `upload-progress` events.
   */
  async sendFile(
    convId: string,
    data: Blob | Uint8Array,
    meta: FileMeta,
    opts: UploadOptions = {},
  ): Promise<ChatMessage> {
    const files = await import("./files.js");
    const uploadId = randomId("up_");
    const progress = (sent: number, total: number, done: boolean) =>
      this.#events.emit("upload-progress", { conversationId: convId, uploadId, name: meta.name, sent, total, done });
    const file = await files.uploadFile(
      this.#fileTransport(),
      convId,
      { data, meta },
      {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (p) => {
          opts.onProgress?.(p);
          progress(p.sent, p.total, false);
        },
      },
    );
    progress(file.size, file.size, true);
    return this.send(
      convId,
      meta.caption === undefined ? { type: "file", file } : { type: "file", file, caption: meta.caption },
    );
  }

  /**
   * Downloads and decrypts a file from a message. Resolves only with the whole,
   * verified plaintext; rejects with `ParleyError` `file_corrupt` when any
   * check fails (no partial plaintext), or with the gateway's error.
   */
  async downloadFile(convId: string, file: FileRef, opts: DownloadOptions = {}): Promise<Uint8Array> {
    const files = await import("./files.js");
    return files.downloadFile(this.#fileTransport(), convId, file, opts);
  }

  #fileTransport(): FileTransport {
    if (!this.#session) throw new ParleyError("unauthorized", "connect() first");
    this.#files ??= {
      fetch: this.#o.fetch,
      gatewayUrl: this.#o.gatewayUrl,
      apiToken: () => this.#session?.apiToken ?? "",
    };
    return this.#files;
  }

  // -- signals --------------------------------------------------------------------------

  /**
   * Tells the conversation's other members this principal is typing (`true`) or
   * stopped (`false`). Throttled to one "typing" per conversation every 3 s; a
   * "stopped" goes once when typing stops, and by itself when a message is sent.
   * Fire and forget: failures go to the `error` event.
   */
  typing(convId: string, active: boolean): void {
    if (this.#closed) return;
    this.#typingOut.set(convId, active);
  }

  /**
   * Marks the conversation read up to `seq`. The marker only moves forward (a
   * lower seq is ignored), calls within ~500 ms become one request with the
   * highest seq, and the gateway keeps it per (conversation, principal), so it
   * survives reloads and reaches this principal's other devices. `readUpTo` and
   * `unread` in the conversation's state move at once.
   */
  markRead(convId: string, seq: number): Promise<void> {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      return Promise.reject(new ParleyError("bad_request", "seq must be a whole number >= 0"));
    }
    const tracker = this.#tracker(convId);
    const { messages, info } = tracker.state.value;
    // Shown read at once, up to what this client knows exists; the gateway has the last word.
    tracker.setReadUpTo(Math.min(seq, Math.max(messages.at(-1)?.seq ?? 0, info?.lastSeq ?? 0)));
    return this.#reads.mark(convId, seq);
  }

  // -- invites and profile --------------------------------------------------------------

  async invite(convId: string, handle: string): Promise<InviteInfo> {
    return (await this.request("invite.create", { convId, handle })).invite;
  }

  async acceptInvite(inviteId: string): Promise<ConversationInfo> {
    const { conversation } = await this.request("invite.accept", { inviteId });
    this.#tracker(conversation.id).setInfo(conversation);
    this.#events.emit("conversation", conversation);
    return conversation;
  }

  async declineInvite(inviteId: string): Promise<void> {
    await this.request("invite.decline", { inviteId });
  }

  async pendingInvites(): Promise<InviteInfo[]> {
    return (await this.request("invite.list", {})).invites;
  }

  /** Every invite into a conversation (sent, accepted, declined), oldest first; live changes come as `invitation` events. */
  async invitations(convId: string): Promise<InviteInfo[]> {
    return (await this.request("invite.history", { convId })).invites;
  }

  async leave(convId: string): Promise<void> {
    await this.request("conv.leave", { convId });
  }

  // -- internal notes (the shop's team) -------------------------------------------------

  /**
   * Team only, with end-to-end encryption on: adds an internal note to a
   * conversation, sealed with a key derived from the shop's team key. Customers
   * never receive it, and the gateway cannot read it. Retried with the same id.
   */
  async addNote(convId: string, text: string): Promise<Note> {
    const e2e = this.#requireE2E();
    const id = randomId("n_");
    const envelope = await e2e.sealNote(convId, id, text);
    const { note } = await this.request("note.add", { convId, envelope });
    return noteOf(note, text);
  }

  /** Team only: the conversation's newest internal notes, oldest first, decrypted (unreadable ones are left out and reported as `error`). */
  async notes(convId: string, limit = 100): Promise<Note[]> {
    const { notes } = await this.request("note.list", { convId, limit });
    const opened = await Promise.allSettled(notes.map((n) => this.#openNote(n)));
    const out: Note[] = [];
    for (const r of opened) {
      if (r.status === "fulfilled") out.push(r.value);
      else this.#events.emit("error", r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
    }
    return out;
  }

  async #openNote(note: StoredNote): Promise<Note> {
    return noteOf(note, await this.#requireE2E().openNote(note));
  }

  // -- triage (the shop's team) --------------------------------------------------------

  /** Team only: gives the conversation to a team member (agent or bot), or unassigns it with `null`. */
  async assign(convId: string, assignee: string | null): Promise<ConversationInfo> {
    return this.#conversationInfo((await this.request("conv.assign", { convId, assignee })).conversation);
  }

  /** Team only. A customer's next message opens it again. */
  async closeConversation(convId: string): Promise<ConversationInfo> {
    return this.#conversationInfo((await this.request("conv.close", { convId })).conversation);
  }

  /** Team only. */
  async reopenConversation(convId: string): Promise<ConversationInfo> {
    return this.#conversationInfo((await this.request("conv.reopen", { convId })).conversation);
  }

  /** Team only (meant for bots): hands the conversation to the human team; bots stay out of it from then on. */
  async handover(convId: string): Promise<ConversationInfo> {
    return this.#conversationInfo((await this.request("conv.handover", { convId })).conversation);
  }

  #conversationInfo(info: ConversationInfo): ConversationInfo {
    this.#tracker(info.id).setInfo(info);
    return info;
  }

  /**
   * End-to-end encryption: whether members may hand the conversation's history
   * to people they invite (`full`) or not (`none`, the default for customers).
   * Commits a new epoch. The shop's team may always hand history over.
   */
  async setHistoryPolicy(convId: string, policy: HistoryPolicy): Promise<void> {
    await this.#requireE2E().setHistoryPolicy(convId, policy);
  }

  async removeMember(convId: string, principalId: string): Promise<void> {
    await this.request("conv.remove", { convId, principalId });
  }

  async updateProfile(change: RpcRequest<"profile.update">): Promise<PrincipalInfo> {
    const { principal } = await this.request("profile.update", change);
    if (this.#session) this.#session = { ...this.#session, principal };
    return principal;
  }

  /** A typed request to the gateway over NATS. Rejects with {@link ParleyError} or {@link ConnectionLostError}. */
  async request<Op extends RpcOp>(op: Op, body: RpcRequest<Op>): Promise<RpcResults[Op]> {
    const nc = this.#nc;
    const session = this.#session;
    if (!nc || !session || nc.isClosed()) throw new ConnectionLostError("not connected");
    let data: Uint8Array;
    try {
      const reply = await nc.request(subjects.api(session.principal.id, op), encoder.encode(JSON.stringify(body)), {
        timeout: this.#o.requestTimeout,
      });
      data = reply.data;
    } catch (err) {
      throw new ConnectionLostError(`${op}: ${(err as Error).message}`, { cause: err });
    }
    let reply: RpcReply<Op>;
    try {
      reply = parseRpcReply<Op>(decoder.decode(data));
    } catch (err) {
      throw new ParleyError("internal", `${op}: the gateway's reply is not JSON`, { cause: err });
    }
    if (!reply.ok) throw ParleyError.from(reply.error);
    return reply.result;
  }

  // -- internals: session ---------------------------------------------------------------

  /** Where a resumable session's refresh token is kept: guests, and agents (per login). */
  #sessionKey(): string | undefined {
    const auth = this.#o.auth;
    if (auth.kind === "guest") return `parley:session:${auth.shopId}:guest`;
    if (auth.kind === "agent") return `parley:session:${auth.shopId}:agent:${auth.login}`;
    return undefined;
  }

  async #openSession(): Promise<SessionResponse> {
    const key = this.#sessionKey();
    const auth = this.#o.auth;
    // Guests always resume; agents resume only when the app gave no password.
    const resume = auth.kind === "guest" || (auth.kind === "agent" && !auth.password);
    if (key && resume) {
      const saved = await this.#o.storage.get(key);
      if (saved) {
        try {
          const session = await this.#api.refresh(saved);
          await this.#o.storage.set(key, session.refreshToken);
          return session;
        } catch (err) {
          if (!(err instanceof ParleyError)) throw err;
          if (auth.kind === "agent") await this.#o.storage.delete(key);
        }
      }
    }
    const session = await this.#api.open();
    if (key) await this.#o.storage.set(key, session.refreshToken);
    return session;
  }

  /** Closes the client and forgets a saved agent or guest session: the next client must sign in again. */
  async signOut(): Promise<void> {
    const key = this.#sessionKey();
    await this.close();
    if (key) await this.#o.storage.delete(key);
  }

  #scheduleRefresh(): void {
    const session = this.#session;
    if (!session || this.#closed) return;
    const lifetime = session.nats.expiresAt - Date.now();
    const ahead = Math.min(this.#o.refreshAhead, lifetime / 5);
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.#refresh(), Math.max(0, lifetime - ahead));
  }

  async #refresh(): Promise<void> {
    const session = this.#session;
    if (!session || this.#closed) return;
    try {
      let next: SessionResponse;
      try {
        next = await this.#api.refresh(session.refreshToken);
      } catch (err) {
        const auth = this.#o.auth;
        if (!(err instanceof ParleyError) || auth.kind === "guest" || (auth.kind === "agent" && !auth.password)) {
          throw err;
        }
        next = await this.#api.open(); // the refresh token expired: sign in again
      }
      this.#session = { ...next, principal: next.principal };
      const key = this.#sessionKey();
      if (key) await this.#o.storage.set(key, next.refreshToken);
      this.#scheduleRefresh();
    } catch (err) {
      this.#events.emit("error", err as Error);
      clearTimeout(this.#refreshTimer);
      this.#refreshTimer = setTimeout(() => void this.#refresh(), 2000);
    }
  }

  // -- internals: delivery --------------------------------------------------------------

  #subscribe(nc: NatsConnection, session: SessionResponse): void {
    const onEvent = (err: Error | null, msg: { data: Uint8Array }) => {
      if (err) {
        this.#events.emit("error", err);
        return;
      }
      let event: ServerEvent;
      try {
        event = JSON.parse(decoder.decode(msg.data)) as ServerEvent;
      } catch {
        return;
      }
      void this.#onEvent(event).catch((e: Error) => this.#events.emit("error", e));
    };
    nc.subscribe(subjects.user(session.principal.id), { callback: onEvent });
    const kind = session.principal.kind;
    if (kind === "agent" || kind === "bot")
      nc.subscribe(subjects.team(session.principal.shopId), { callback: onEvent });
  }

  async #onEvent(event: ServerEvent): Promise<void> {
    switch (event.type) {
      case "message": {
        const tracker = this.#tracker(event.message.convId);
        if (!tracker.anchored) tracker.anchor(event.message.seq - 1, event.message.seq > 1);
        await this.#ingestMany(event.message.convId, [event.message], true);
        if (tracker.hasGap()) await this.#backfill(event.message.convId);
        return;
      }
      case "membership":
        this.#e2e
          ?.onEvent(event)
          .then(() => this.#grantHistory(event))
          .catch((err: Error) => this.#events.emit("error", err));
        this.#events.emit("membership", event);
        return;
      case "invite":
        this.#events.emit("invite", event.invite);
        return;
      case "invitation":
        this.#events.emit("invitation", event.invite);
        return;
      case "note":
        if (this.#e2e && event.note.author !== this.#session?.principal.id) {
          this.#openNote(event.note).then(
            (note) => this.#events.emit("note", { conversationId: note.convId, note }),
            (err: Error) => this.#events.emit("error", err),
          );
        }
        return;
      case "commit": {
        const tracker = this.#tracker(event.commit.convId);
        const info = tracker.state.value.info;
        if (info && info.epoch < event.commit.epoch) tracker.setInfo({ ...info, epoch: event.commit.epoch });
        this.#forwardToE2E(event);
        this.#events.emit("commit", event.commit);
        return;
      }
      case "team": {
        const e2e = this.#e2e;
        const mine = event.change === "wrapped" && event.deviceId === this.#deviceId;
        e2e
          ?.onEvent(event)
          // The team key just arrived on this device: what it could not read may open now.
          .then(() => (mine ? Promise.all([...this.#unreadable.keys()].map((c) => this.#reopenUnread(c))) : undefined))
          .catch((err: Error) => this.#events.emit("error", err));
        this.#events.emit("team", event);
        return;
      }
      case "conversation": {
        // Status and assignment come from the event; the read marker and unread count stay this principal's own.
        const tracker = this.#tracker(event.conversation.id);
        const known = tracker.state.value.info;
        const info = known
          ? { ...event.conversation, readUpTo: known.readUpTo, unread: known.unread }
          : event.conversation;
        tracker.setInfo(info);
        this.#events.emit("conversation", info);
        return;
      }
      case "typing":
        if (event.principalId !== this.#session?.principal.id) {
          this.#typingIn.signal(event.convId, event.principalId, event.active);
        }
        return;
      case "read":
        this.#tracker(event.convId).setReadBy(event.principalId, event.seq);
        if (event.principalId !== this.#session?.principal.id) {
          this.#events.emit("read", { conversationId: event.convId, principalId: event.principalId, seq: event.seq });
        }
        return;
      case "presence":
        this.#setPresence(event.presence);
        return;
    }
  }

  // -- internals: signals ---------------------------------------------------------------

  #sendTyping(convId: string, active: boolean): void {
    if (this.status.value.state !== "connected") return;
    this.request("signal.typing", { convId, active }).catch((err: Error) => this.#events.emit("error", err));
  }

  /** A presence heartbeat; its reply carries the team's presence, and when to beat next. */
  async #ping(): Promise<void> {
    clearTimeout(this.#pingTimer);
    if (this.#closed) return;
    let next = 5000;
    try {
      const { intervalMs, presence } = await this.request("presence.ping", { conn: this.#conn });
      next = intervalMs;
      this.#setPresence(presence, true);
    } catch (err) {
      // Offline: the reconnect pings again. Anything else is worth showing.
      if (!(err instanceof ConnectionLostError)) this.#events.emit("error", err as Error);
    }
    if (!this.#closed) this.#pingTimer = setTimeout(() => void this.#ping(), next);
  }

  /**
   * Takes a team presence snapshot. An event older than the snapshot held is
   * ignored (events from several gateways may cross); a heartbeat reply is the
   * answering gateway's current table and is always taken, which also repairs
   * whatever a missed or crossed event left behind.
   */
  #setPresence(presence: TeamPresence, heartbeat = false): void {
    const held = this.presence.value;
    if (!heartbeat && held.shopId === presence.shopId && presence.updatedAt < held.updatedAt) return;
    const same =
      held.shopId === presence.shopId &&
      held.online.length === presence.online.length &&
      held.online.every((m, i) => {
        const o = presence.online[i];
        return o !== undefined && o.principalId === m.principalId && o.displayName === m.displayName;
      });
    if (same) {
      if (presence.updatedAt !== held.updatedAt) this.presence.set({ ...held, updatedAt: presence.updatedAt });
      return;
    }
    this.presence.set(presence);
    this.#events.emit("presence", presence);
  }

  #forwardToE2E(event: ServerEvent): void {
    this.#e2e?.onEvent(event).catch((err: Error) => this.#events.emit("error", err));
  }

  /** Decodes and inserts messages not seen before; `live` ones are announced as `message` events. */
  async #ingestMany(convId: string, messages: readonly StoredMessage[], live: boolean): Promise<void> {
    const tracker = this.#tracker(convId);
    const fresh = messages.filter((m) => m.convId === convId && tracker.claim(m.seq));
    if (fresh.length === 0) return;
    const decoded = await Promise.all(fresh.map((m) => this.#decode(m)));
    tracker.insert(decoded);
    for (const message of decoded) {
      this.#waiters.get(message.msgId)?.resolve(message);
      this.#waiters.delete(message.msgId);
      if (live) this.#events.emit("message", { conversationId: convId, message });
    }
  }

  async #decode(m: StoredMessage, report = true): Promise<ChatMessage> {
    const base = { convId: m.convId, seq: m.seq, msgId: m.msgId, sender: m.sender, ts: m.ts };
    try {
      if (!this.#o.encryption) return { ...base, body: await this.#o.codec.open(m.envelope) };
      // Our own message, live or just acknowledged, while the outbox still holds the body it was
      // sealed from: no need to verify our own signature (a third of a sender's crypto time).
      const self = { principalId: this.#session?.principal.id, deviceId: this.#deviceId };
      const own = ownSealedBody(this.#outbox?.find(m.msgId), m, self);
      if (own) return { ...base, body: own };
      const { body, sharedBy } = await this.#requireE2E().openMessage(m);
      this.#unreadable.get(m.convId)?.delete(m.seq);
      return sharedBy ? { ...base, body, sharedBy } : { ...base, body };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.#o.encryption) {
        const held = this.#unreadable.get(m.convId) ?? new Map<number, StoredMessage>();
        if (held.size < MAX_HELD_UNREADABLE) held.set(m.seq, m);
        this.#unreadable.set(m.convId, held);
      }
      if (report) this.#events.emit("decode-failed", { conversationId: m.convId, seq: m.seq, msgId: m.msgId, error });
      // No key on this device (sent before it could read the conversation) is not damage: say which it is.
      const unreadable =
        err instanceof EncryptionUnavailableError ? (err.memberThen === false ? "before_joined" : "no_key") : "invalid";
      return { ...base, body: undefined, error: error.message, unreadable };
    }
  }

  /** After a history grant: opens again what this device could not read before, and shows what now opens. */
  async #reopenUnread(convId: string): Promise<void> {
    const held = this.#unreadable.get(convId);
    if (!held || held.size === 0) return;
    const decoded = await Promise.all([...held.values()].map((m) => this.#decode(m, false)));
    this.#tracker(convId).replace(decoded.filter((m) => m.body !== undefined));
  }

  /**
   * After this principal added someone (an accepted invite) and the epoch
   * that includes them is committed: hands them the earlier keys, when the
   * conversation's history policy allows.
   */
  async #grantHistory(event: Extract<ServerEvent, { type: "membership" }>): Promise<void> {
    const me = this.#session?.principal.id;
    if (!this.#e2e || event.change !== "joined" || event.by !== me || event.principalId === me) return;
    const grant = await this.#e2e.historyGrant(event.convId, event.principalId);
    if (grant) await this.send(event.convId, grant);
  }

  /** Fetches everything after the watermark until the conversation is contiguous again. Single-flight per conversation. */
  #backfill(convId: string): Promise<void> {
    const running = this.#backfills.get(convId);
    if (running) return running;
    const tracker = this.#tracker(convId);
    const work = (async () => {
      for (;;) {
        const after = tracker.state.value.lastSeq;
        const page = await this.request("msg.since", { convId, after, limit: 200 });
        await this.#ingestMany(convId, page.messages, true);
        if (!page.hasMore) break;
      }
    })().finally(() => this.#backfills.delete(convId));
    this.#backfills.set(convId, work);
    return work;
  }

  #watchStatus(nc: NatsConnection): void {
    (async () => {
      for await (const s of nc.status()) {
        if (this.#closed) return;
        if (s.type === "disconnect") {
          this.#natsDown = true;
          if (this.status.value.state === "connected") this.status.set({ state: "reconnecting", since: Date.now() });
        } else if (s.type === "reconnect") {
          this.#natsDown = false;
          this.#reconnected();
        }
      }
    })().catch(() => undefined);
    this.#unwatchNetwork?.();
    this.#unwatchNetwork = watchNetwork({
      // The browser knows before the pings do: say so, and drop the socket rather than wait on it.
      offline: () => {
        if (this.#closed || this.status.value.state !== "connected") return;
        this.status.set({ state: "reconnecting", since: Date.now() });
        nc.reconnect().catch(() => undefined);
      },
      // Back online while nats.js never saw the socket go (it lingered through the outage):
      // one round trip proves the link, then the usual work after a reconnect.
      online: () => {
        if (this.#closed || this.#natsDown || this.status.value.state !== "reconnecting") return;
        nc.flush().then(
          () => {
            if (!this.#closed && !this.#natsDown && this.status.value.state === "reconnecting") this.#reconnected();
          },
          () => undefined,
        );
      },
    });
    nc.closed().then((err) => {
      if (!this.#closed) this.status.set({ state: "closed", ...(err ? { error: err } : {}) });
    });
  }

  /** Connected again: says so, catches up, beats presence and sends what waited in the outbox. */
  #reconnected(): void {
    if (!this.#session) return;
    this.status.set({ state: "connected", principal: this.#session.principal });
    this.#catchUp();
    void this.#ping();
    this.#retryDelay = 250;
    void this.#flush();
  }

  /**
   * After a reconnect: everything sent while this client was away, for every followed conversation,
   * and the conversations it has not heard of (opened meanwhile in another tab or on another device),
   * announced as `conversation` events like live ones.
   */
  #catchUp(): void {
    for (const [convId, tracker] of this.#trackers) {
      if (!tracker.anchored) continue;
      this.#backfill(convId).catch((err: Error) => this.#events.emit("error", err));
    }
    this.request("conv.list", { limit: PAGE })
      .then(({ conversations }) => {
        for (const c of conversations) {
          if (this.#trackers.get(c.id)?.state.value.info) continue;
          this.#tracker(c.id).setInfo(c);
          this.#events.emit("conversation", c);
        }
      })
      .catch((err: Error) => this.#events.emit("error", err));
  }

  // -- internals: outbox ----------------------------------------------------------------

  #requireOutbox(): Outbox {
    if (!this.#outbox) throw new ParleyError("unauthorized", "connect() first");
    return this.#outbox;
  }

  #requireE2E(): E2ESession {
    if (!this.#e2e) throw new EncryptionUnavailableError("not_in_epoch", "end-to-end encryption is not ready");
    return this.#e2e;
  }

  /** The envelope to send: as queued, or (end-to-end) sealed under the current epoch and kept in the outbox. */
  async #sealed(entry: OutboxEntry): Promise<Envelope> {
    if (!entry.body || entry.envelope.sig !== "") return entry.envelope;
    const { alg: _alg, nonce: _nonce, ct: _ct, sig: _sig, ...header } = entry.envelope;
    const envelope = await this.#requireE2E().seal(header, entry.body);
    await this.#requireOutbox().setEnvelope(envelope.msgId, envelope);
    return envelope;
  }

  #showPending(entry: OutboxEntry, body?: MessageBody): void {
    body ??= entry.body;
    const pending: PendingMessage = {
      convId: entry.convId,
      msgId: entry.envelope.msgId,
      body: body ?? { type: "text", text: "" },
      queuedAt: entry.queuedAt,
      state: entry.failed ? "failed" : "sending",
      ...(entry.failed ? { error: entry.failed } : {}),
    };
    if (!body) {
      this.#o.codec.open(entry.envelope).then(
        (decoded) =>
          this.#tracker(entry.convId).setPending((p) =>
            p.map((m) => (m.msgId === pending.msgId ? { ...m, body: decoded } : m)),
          ),
        () => undefined,
      );
    }
    this.#tracker(entry.convId).setPending((p) => [...p.filter((m) => m.msgId !== pending.msgId), pending]);
  }

  /** Sends outbox entries in order, one at a time; stops at the first transient failure and retries later. */
  #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = (async () => {
      const outbox = this.#outbox;
      while (outbox && !this.#closed) {
        const entry = outbox.entries.find((e) => !e.failed);
        if (!entry) return;
        const msgId = entry.envelope.msgId;
        try {
          outbox.countAttempt(msgId);
          const envelope = await this.#sealed(entry);
          const ack = await this.request("msg.send", { convId: entry.convId, envelope });
          const sender = this.#session?.principal.id ?? "";
          // Ingested before the entry leaves the outbox, so it shows from the body it was sealed from.
          await this.#ingestMany(
            entry.convId,
            [{ convId: entry.convId, seq: ack.seq, msgId, sender, ts: ack.ts, envelope }],
            true,
          );
          await outbox.remove(msgId);
          const tracker = this.#tracker(entry.convId);
          tracker.setPending((p) => p.filter((m) => m.msgId !== msgId));
          // Our own message is in state; the waiter was resolved by ingest unless the live event came first.
          // When the live copy is still being decoded, that ingest resolves the waiter instead.
          const waiter = this.#waiters.get(msgId);
          const stored = waiter && tracker.state.value.messages.find((m) => m.msgId === msgId);
          if (waiter && stored) {
            waiter.resolve(stored);
            this.#waiters.delete(msgId);
          }
          if (tracker.hasGap()) void this.#backfill(entry.convId).catch(() => undefined);
          this.#retryDelay = 250;
          this.#reseals.delete(msgId);
        } catch (err) {
          // The conversation moved to a newer epoch: fetch its commits, seal again (same msgId), send again.
          const reseals = this.#reseals.get(msgId) ?? 0;
          if (err instanceof ParleyError && err.code === "stale_epoch" && entry.body && reseals < MAX_RESEALS) {
            this.#reseals.set(msgId, reseals + 1);
            try {
              await this.#requireE2E().sync(entry.convId);
              await outbox.setEnvelope(msgId, unsealed(entry.envelope));
              continue;
            } catch {
              this.#scheduleRetry(undefined);
              return;
            }
          }
          const permanent =
            (err instanceof ParleyError && !err.retryable) ||
            err instanceof SealError ||
            (err instanceof EncryptionUnavailableError && !err.retryable);
          if (permanent) {
            const code = err instanceof ParleyError ? err.code : "bad_request";
            const failed = { code, message: (err as Error).message };
            await outbox.setFailed(msgId, failed);
            this.#reseals.delete(msgId);
            this.#tracker(entry.convId).setPending((p) =>
              p.map((m) => (m.msgId === msgId ? { ...m, state: "failed", error: failed } : m)),
            );
            this.#waiters.get(msgId)?.reject(err as Error);
            this.#waiters.delete(msgId);
            continue;
          }
          this.#scheduleRetry(err instanceof ParleyError ? err.retryAfter : undefined);
          return;
        }
      }
    })().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  #scheduleRetry(retryAfterSeconds: number | undefined): void {
    if (this.#closed) return;
    const delay = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : this.#retryDelay;
    this.#retryDelay = Math.min(this.#retryDelay * 2, 5000);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#flush(), delay);
  }

  #tracker(convId: string): ConversationTracker {
    let tracker = this.#trackers.get(convId);
    if (!tracker) {
      tracker = new ConversationTracker(convId, this.#session?.principal.id);
      this.#trackers.set(convId, tracker);
    }
    return tracker;
  }
}

/** Creates a client; call `connect()` to sign in. */
/** A stored note with its decrypted text, as the app sees it. */
function noteOf(note: StoredNote, text: string): Note {
  return {
    id: note.id,
    convId: note.convId,
    author: note.author,
    authorName: note.authorName ?? "",
    ts: note.ts,
    text,
  };
}

export function createClient(options: ClientOptions): ParleyClient {
  return new ParleyClient(options);
}

/** An envelope reduced to its header, waiting to be sealed (end-to-end outbox entries). */
function unsealed(header: Omit<Envelope, "alg" | "nonce" | "ct" | "sig"> & Partial<Envelope>): Envelope {
  const { alg: _alg, nonce: _nonce, ct: _ct, sig: _sig, ...rest } = header;
  return { ...rest, epoch: 0, alg: "xc20p-ed25519", nonce: "", ct: "", sig: "" };
}
