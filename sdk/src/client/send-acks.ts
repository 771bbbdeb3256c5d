/**
 * Sends acknowledged through their own message event (ADR 0052). The outbox
 * marks each message's first attempt ({@link SendAcks.want}); `msg.send` for a marked
 * message goes out with the {@link ACK_HEADER} header, and the gateway answers
 * it only when it fails. On success the client learns the seq and time from
 * the message's `message` event, which it receives anyway (customers on their
 * user subject, agents and bots on the team's): one NATS message per chat
 * message to the sender instead of two, and one fewer for nats-server to route.
 *
 * A send resolves with whichever comes first: the message itself, taken in
 * live or by a catch-up or backfill (`msg.since` after a reconnect brings a
 * message whose event was lost with the connection), or a reply (an error, a
 * gateway that predates the header, or one that could not reach the sender
 * through an event). Nothing within the request timeout is a lost connection,
 * as for any request: the outbox retries with the same msgId, and asks for the
 * reply this time (only a first attempt is marked); the gateway stores the
 * message once and publishes its event again. After such a timeout every send
 * asks for its reply until the link reconnects, so a link that keeps losing
 * the sender's events costs one timeout, not one per message.
 */
import { headers, type Msg } from "@nats-io/nats-core";
import type { NatsConnection } from "../connection.js";
import { ConnectionLostError, NotConnectedError, ParleyError } from "../errors.js";
import type { StoredMessage } from "../protocol/envelope.js";
import { randomId } from "../protocol/ids.js";
import { newRequestId, REQUEST_ID_HEADER } from "../protocol/request-id.js";
import type { RpcResults } from "../protocol/rpc.js";
import { parseRpcReply, type RpcReply } from "../protocol/rpc-reply.js";
import type { RpcRequest } from "../protocol/schemas.js";
import { ACK_BY_EVENT, ACK_HEADER } from "../protocol/send-ack.js";
import { subjects } from "../protocol/subjects.js";
import type { ClientCore } from "./core.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A send waiting for its own message: by msgId, with the conversation it must be in. */
interface Waiting {
  convId: string;
  resolve: (message: StoredMessage) => void;
}

/** Which messages are sent acknowledged through their event, and the sends waiting for theirs. */
export class SendAcks {
  readonly #wanted = new Set<string>();
  readonly #waiting = new Map<string, Waiting>();
  /**
   * An event-acknowledged send timed out since the last (re)connect: this link is losing the sender's
   * events, so every send asks for its reply until the next reconnect (one timeout per link, not one
   * per message while the loss lasts).
   */
  #eventsLost = false;

  /** Whether sends ask for their event as the acknowledgement on the current link. */
  get byEvent(): boolean {
    return !this.#eventsLost;
  }

  /** An event-acknowledged send timed out: ask for replies until {@link reconnected}. */
  eventLost(): void {
    this.#eventsLost = true;
  }

  /** The link came back: try the events again. */
  reconnected(): void {
    this.#eventsLost = false;
  }

  /** `msg.send` for `msgId` goes out asking for its event as the acknowledgement until {@link unwant}. */
  want(msgId: string): void {
    this.#wanted.add(msgId);
  }

  unwant(msgId: string): void {
    this.#wanted.delete(msgId);
  }

  wanted(msgId: string): boolean {
    return this.#wanted.has(msgId);
  }

  /** Resolves with the stored message once it is {@link seen}; `cancel` stops waiting. */
  wait(msgId: string, convId: string): { seen: Promise<StoredMessage>; cancel: () => void } {
    let waiting: Waiting | undefined;
    const seen = new Promise<StoredMessage>((resolve) => {
      waiting = { convId, resolve };
      this.#waiting.set(msgId, waiting);
    });
    return {
      seen,
      cancel: () => {
        if (this.#waiting.get(msgId) === waiting) this.#waiting.delete(msgId);
      },
    };
  }

  /** Messages the client took in (live, caught up, paged): any of `self`'s that a send waits for settles it. */
  seen(messages: readonly StoredMessage[], self: string | undefined): void {
    if (this.#waiting.size === 0 || self === undefined) return;
    for (const m of messages) {
      const waiting = this.#waiting.get(m.msgId);
      if (!waiting || m.sender !== self || m.convId !== waiting.convId) continue;
      this.#waiting.delete(m.msgId);
      waiting.resolve(m);
    }
  }
}

/** One subscription per connection for the replies of sends published with a reply subject of their own. */
class ReplyInbox {
  readonly #prefix: string;
  readonly #waiting = new Map<string, (msg: Msg) => void>();
  #next = 0;

  constructor(nc: NatsConnection, inboxPrefix: string) {
    // Its own token under the principal's inbox (nats.js's `createInbox`, which the widget's build leaves out).
    this.#prefix = `${inboxPrefix}.${randomId()}`;
    nc.subscribe(`${this.#prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const token = msg.subject.slice(this.#prefix.length + 1);
        this.#waiting.get(token)?.(msg);
        this.#waiting.delete(token);
      },
    });
  }

  /** A reply subject, the reply that comes to it, and `close` to stop waiting. */
  open(): { subject: string; reply: Promise<Msg>; close: () => void } {
    const token = String(++this.#next);
    const reply = new Promise<Msg>((resolve) => this.#waiting.set(token, resolve));
    return { subject: `${this.#prefix}.${token}`, reply, close: () => this.#waiting.delete(token) };
  }
}

const inboxes = new WeakMap<NatsConnection, ReplyInbox>();

type Outcome = { kind: "event"; message: StoredMessage } | { kind: "reply"; msg: Msg } | { kind: "timeout" };

/**
 * One `msg.send` attempt acknowledged through the message's event: resolves with its seq and time
 * (`duplicate` is false when the event answered: the event does not say), rejects like a request.
 */
export async function sendAckedByEvent(
  core: ClientCore,
  body: RpcRequest<"msg.send">,
): Promise<RpcResults["msg.send"]> {
  const nc = core.nc;
  const session = core.session;
  if (!nc || !session || nc.isClosed()) throw new NotConnectedError();
  let inbox = inboxes.get(nc);
  if (!inbox) {
    inbox = new ReplyInbox(nc, session.nats.inboxPrefix);
    inboxes.set(nc, inbox);
  }
  const h = headers();
  h.set(REQUEST_ID_HEADER, newRequestId());
  h.set(ACK_HEADER, ACK_BY_EVENT);
  const event = core.sendAcks.wait(body.envelope.msgId, body.convId);
  const reply = inbox.open();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "timeout" }), core.o.requestTimeout);
    });
    try {
      nc.publish(subjects.api(session.principal.id, "msg.send"), encoder.encode(JSON.stringify(body)), {
        reply: reply.subject,
        headers: h,
      });
    } catch (err) {
      throw new ConnectionLostError(`msg.send: ${(err as Error).message}`, { cause: err });
    }
    const outcome = await Promise.race<Outcome>([
      event.seen.then((message) => ({ kind: "event", message })),
      reply.reply.then((msg) => ({ kind: "reply", msg })),
      timeout,
    ]);
    if (outcome.kind === "event") return { seq: outcome.message.seq, ts: outcome.message.ts, duplicate: false };
    if (outcome.kind === "timeout") {
      core.sendAcks.eventLost();
      throw new ConnectionLostError("msg.send: timeout");
    }
    return answered(outcome.msg);
  } finally {
    clearTimeout(timer);
    event.cancel();
    reply.close();
  }
}

/** The gateway's reply: a result, or its error thrown; nats-server's "no responders" is a lost connection. */
function answered(msg: Msg): RpcResults["msg.send"] {
  if (msg.data.length === 0 && msg.headers?.hasError) {
    throw new ConnectionLostError(`msg.send: ${msg.headers.description || msg.headers.code}`);
  }
  let reply: RpcReply<"msg.send">;
  try {
    reply = parseRpcReply<"msg.send">(decoder.decode(msg.data));
  } catch (err) {
    throw new ParleyError("internal", "msg.send: the gateway's reply is not JSON", { cause: err });
  }
  if (!reply.ok) throw ParleyError.from(reply.error);
  return reply.result;
}
