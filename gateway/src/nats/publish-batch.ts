/**
 * The gateway's outgoing NATS messages (RPC replies and events), handed to the
 * connection together once per event-loop turn instead of one by one.
 *
 * nats.js writes its outbound buffer to the socket in a microtask after the
 * first publish. A request's publishes come several awaits apart (the events
 * after the append, the reply after the handler returns), and the requests of
 * one store batch settle in one turn, so publishing straight away cost about
 * two socket writes per message, and nats-server a read for each. Queued here
 * and published together at the end of the turn (`setImmediate`), all the
 * replies and events of a turn leave in one write (ADR 0044).
 *
 * Order is kept: messages are published in the order they were queued, so a
 * message's events still leave before the reply that acknowledges it. A
 * message may name the request it comes from (its `X-Request-Id` header).
 */

export interface PublishBatchOptions {
  /** Publishes one message now (the connection's `publish`); `requestId` goes in its `X-Request-Id` header. */
  publish: (subject: string, payload: Uint8Array, requestId: string | undefined) => void;
  /**
   * Called with the error when a queued publish throws (the connection closed); the rest of that batch is
   * dropped. `requestIds`: the ids of the requests whose events were among the dropped messages.
   */
  onError: (error: unknown, dropped: number, requestIds: string[]) => void;
}

export class PublishBatch {
  readonly #o: PublishBatchOptions;
  #subjects: string[] = [];
  #payloads: Uint8Array[] = [];
  #requestIds: Array<string | undefined> = [];
  #scheduled = false;

  constructor(options: PublishBatchOptions) {
    this.#o = options;
  }

  /** Queues one message; it is published at the end of this event-loop turn (or by {@link flush}). */
  publish(subject: string, payload: Uint8Array, requestId?: string): void {
    this.#subjects.push(subject);
    this.#payloads.push(payload);
    this.#requestIds.push(requestId);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /** How many messages wait to be published. */
  get queued(): number {
    return this.#subjects.length;
  }

  /** Publishes everything queued, in order. */
  flush(): void {
    this.#scheduled = false;
    const subjects = this.#subjects;
    const payloads = this.#payloads;
    const requestIds = this.#requestIds;
    if (subjects.length === 0) return;
    this.#subjects = [];
    this.#payloads = [];
    this.#requestIds = [];
    for (let i = 0; i < subjects.length; i++) {
      try {
        this.#o.publish(subjects[i] as string, payloads[i] as Uint8Array, requestIds[i]);
      } catch (error) {
        // The connection is closed: what follows would fail the same way. Nothing was acknowledged
        // that did not also lose its reply here, so a sender retries (the same msgId) and is answered.
        const lost = new Set(requestIds.slice(i).filter((id): id is string => id !== undefined));
        this.#o.onError(error, subjects.length - i, [...lost]);
        return;
      }
    }
  }
}
