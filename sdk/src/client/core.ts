/**
 * What the client's modules share: the resolved options, the event emitter,
 * the status store, the current session and NATS link, the end-to-end
 * session, the outbox, and the per-conversation trackers. One instance per
 * `ParleyClient`; the modules read and set its fields, the facade wires them.
 */
import type { NatsConnection } from "../connection.js";
import { type ChatMessage, ConversationTracker } from "../conversation-tracker.js";
import type { E2ESession } from "../e2e/session.js";
import { Emitter } from "../emitter.js";
import { EncryptionUnavailableError, NotConnectedError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { Outbox } from "../outbox.js";
import { randomId } from "../protocol/ids.js";
import type { RpcResults, SessionResponse } from "../protocol/rpc.js";
import type { RpcOp, RpcRequest } from "../protocol/schemas.js";
import { SessionApi } from "../session-api.js";
import { StateStore } from "../state-store.js";
import type { ClientEvents, ConnectionStatus } from "./client-events.js";
import { SendAcks } from "./send-acks.js";

/** A caller of `send` waiting for its message to be stored (or refused for good). */
export interface SendWaiter {
  resolve: (message: ChatMessage) => void;
  reject: (error: Error) => void;
}

/** A typed request to the gateway. */
export type Requester = <Op extends RpcOp>(op: Op, body: RpcRequest<Op>) => Promise<RpcResults[Op]>;

export class ClientCore {
  readonly o: ResolvedOptions;
  readonly api: SessionApi;
  readonly events = new Emitter<ClientEvents>();
  readonly status = new StateStore<ConnectionStatus>({ state: "idle" });
  readonly trackers = new Map<string, ConversationTracker>();
  /**
   * Told of every batch of messages a conversation takes in, decoded (live, backfilled, loaded, or
   * opened later by a history grant): the seam through which on-demand features (calls) notice their
   * kinds in any conversation. A listener must not throw.
   */
  readonly ingested = new Set<(convId: string, messages: readonly ChatMessage[]) => void>();
  /** Callers of `send`, by msgId. */
  readonly waiters = new Map<string, SendWaiter>();
  /** The outbox's sends acknowledged through their own message event (send-acks.ts). */
  readonly sendAcks = new SendAcks();
  /** Names this client's connection in presence heartbeats, so one device closing leaves the others online. */
  readonly conn = randomId("cn_");
  session: SessionResponse | undefined;
  nc: NatsConnection | undefined;
  outbox: Outbox | undefined;
  e2e: E2ESession | undefined;
  deviceId: string;
  closed = false;

  /**
   * Every request the modules make goes through the client's public `request`,
   * looked up on each call, so whatever wraps that method sees them all.
   */
  readonly request: Requester;

  constructor(options: ResolvedOptions, request: Requester) {
    this.o = options;
    this.request = request;
    this.api = new SessionApi(options);
    this.deviceId = options.device?.deviceId ?? randomId("d_");
  }

  /** The signed-in principal's id, once a session is open. */
  get self(): string | undefined {
    return this.session?.principal.id;
  }

  /** Passes a background failure to the `error` event. */
  readonly report = (error: unknown): void => {
    this.events.emit("error", error instanceof Error ? error : new Error(String(error)));
  };

  /** The conversation's tracker, made on first use. */
  tracker(convId: string): ConversationTracker {
    let tracker = this.trackers.get(convId);
    if (!tracker) {
      tracker = new ConversationTracker(convId, this.self);
      this.trackers.set(convId, tracker);
    }
    return tracker;
  }

  requireSession(): SessionResponse {
    if (!this.session) throw new NotConnectedError();
    return this.session;
  }

  requireOutbox(): Outbox {
    if (!this.outbox) throw new NotConnectedError();
    return this.outbox;
  }

  requireE2E(): E2ESession {
    if (!this.e2e) throw new EncryptionUnavailableError("not_in_epoch", "end-to-end encryption is not ready");
    return this.e2e;
  }
}
