/**
 * Serves `api.<principal>.<op>` requests in the queue group shared by every
 * gateway. The principal comes from the subject, which NATS only lets that
 * principal publish on (its JWT allow-list); the body is never trusted for it.
 *
 * A request is answered only on the caller's own reply inboxes
 * (`_INBOX_<principal>.`; a bot's replies cross the service import as
 * `_R_.`, see {@link replyAllowed}). A request naming any other reply subject
 * (another principal's events or inbox, the shop's team subject) or none at
 * all is dropped without running its op, and counted ({@link NatsResponder.stats},
 * a rate-limited warning in the log). Requests run at most
 * {@link RpcAdmission}'s limits at once; beyond them the answer is `busy`.
 *
 * A `msg.send` request with the {@link ACK_HEADER} header set to
 * {@link ACK_BY_EVENT} is answered only when it fails, or when its message
 * event did not go to a subject the sender follows: on success the sender's
 * own copy of the event is the acknowledgement (ADR 0052).
 *
 * Each request carries an id (the caller's `X-Request-Id` header when it is
 * valid, else one the gateway makes): it is on the request's log lines, in
 * its error reply, and on every event the op publishes (`RpcContext.requestId`).
 * Every answered request is counted in the gateway's metrics by op, code and
 * transport, with its time from receipt to reply.
 */

import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import {
  ACK_BY_EVENT,
  ACK_HEADER,
  API_QUEUE,
  API_WILDCARD,
  parseApiSubject,
  REQUEST_ID_HEADER,
  type RpcReply,
  rpcError,
  rpcResult,
  subjects,
} from "@parley/sdk/protocol";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { PublishBatch } from "../nats/publish-batch.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { adoptRequestId } from "../observability/request-ids.js";
import type { ChatService, RpcContext } from "../service/chat-service.js";
import type { AdmissionStats, RpcAdmission } from "../service/rpc-admission.js";
import type { PrincipalRecord, Store } from "../store/port.js";
import { RecentPrincipals } from "./recent-principals.js";
import { toGatewayError } from "./to-gateway-error.js";

/** Largest request body accepted over NATS (an envelope is at most ~66 KiB). */
export const MAX_REQUEST_BYTES = 96 * 1024;

/** The prefix nats-server gives a reply subject that crossed a service import (a bot's request). */
const IMPORTED_REPLY_PREFIX = "_R_.";

/** How often, at most, the responder logs the requests it dropped (ms). */
const DROP_LOG_INTERVAL_MS = 10_000;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What the responder counted since it started. */
export interface ResponderStats extends AdmissionStats {
  /** Requests dropped unrun because their reply subject was not one of the caller's inboxes. */
  foreignReplies: number;
  /** Requests dropped unrun because they named no reply subject. */
  noReply: number;
}

/**
 * Whether `reply` is one of `principal`'s inboxes: `own` for `_INBOX_<principal>.`, `imported` for
 * `_R_.` (a request that crossed the bots account's service import, which rewrites the reply
 * subject; the responder then runs it only when the caller is a bot), else false.
 */
export function replyAllowed(reply: string, principal: string): "own" | "imported" | false {
  if (reply.startsWith(`${subjects.inboxPrefix(principal)}.`)) return "own";
  if (reply.startsWith(IMPORTED_REPLY_PREFIX)) return "imported";
  return false;
}

/** Whether the request is a `msg.send` that asked to be acknowledged through its message event. */
function ackByEvent(msg: Msg, op: string): boolean {
  return op === "msg.send" && msg.headers?.get(ACK_HEADER) === ACK_BY_EVENT;
}

/** The gateway's side of the request subjects: checks each request's reply subject and limits, then runs it. */
export class NatsResponder {
  #sub: Subscription | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #principals: RecentPrincipals;
  #foreignReplies = 0;
  #noReply = 0;
  /** Drops since the last warning, and when that was. */
  #unlogged = { foreign: 0, noReply: 0, at: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly service: ChatService,
    store: Store,
    private readonly log: Logger,
    private readonly admission: RpcAdmission,
    private readonly metrics?: GatewayMetrics,
    /** Where replies go: the gateway's {@link PublishBatch}, so they leave with the turn's events. @default the connection */
    private readonly out: Pick<PublishBatch, "publish"> = {
      publish: (subject, payload) => nc.publish(subject, payload),
    },
  ) {
    this.#principals = new RecentPrincipals({ store });
  }

  start(): void {
    this.#sub = this.nc.subscribe(API_WILDCARD, {
      queue: API_QUEUE,
      callback: (err, msg) => {
        if (err) {
          this.log.error({ err }, "api subscription failed");
          return;
        }
        this.#accept(msg);
      },
    });
  }

  /** Stops taking requests (other gateways in the queue group get them) and waits for the ones in flight. */
  async stop(): Promise<void> {
    if (this.#sub && !this.#sub.isClosed()) await this.#sub.drain();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** The counters since start: dropped requests, and the concurrency limits' figures. */
  stats(): ResponderStats {
    return { foreignReplies: this.#foreignReplies, noReply: this.#noReply, ...this.admission.stats() };
  }

  /** Checks the reply subject and the concurrency limits synchronously, then runs the request. */
  #accept(msg: Msg): void {
    const started = performance.now();
    const route = parseApiSubject(msg.subject);
    // Only a principal's own JWT may publish under its api prefix; an unparsable one comes from no client.
    if (!route) return;
    if (!msg.reply) {
      this.#noReply++;
      this.#dropped("noReply", route.principal, route.op);
      return;
    }
    const kind = replyAllowed(msg.reply, route.principal);
    if (!kind) {
      this.#foreignReplies++;
      this.#dropped("foreign", route.principal, route.op);
      return;
    }
    const requestId = adoptRequestId(msg.headers?.get(REQUEST_ID_HEADER));
    let release: () => void;
    try {
      release = this.admission.enter(route.principal);
    } catch (err) {
      const error = toGatewayError(err);
      this.#respond(msg, rpcError(error.toBody(requestId)));
      this.metrics?.failed(error);
      this.metrics?.rpc(route.op, error.code, "nats", started);
      this.log.debug({ reqId: requestId, op: route.op, code: error.code }, "nats request refused");
      return;
    }
    const work = this.#handle(msg, route, kind, requestId, started)
      .catch((err) => this.log.error({ err, reqId: requestId }, "request handler failed"))
      .finally(() => {
        release();
        this.#inFlight.delete(work);
      });
    this.#inFlight.add(work);
  }

  async #handle(
    msg: Msg,
    route: { principal: string; op: string },
    kind: "own" | "imported",
    requestId: string,
    started: number,
  ): Promise<void> {
    let reply: RpcReply;
    let actor: PrincipalRecord | undefined;
    const context: RpcContext = { requestId };
    try {
      actor = await this.#principals.get(route.principal);
      if (!actor) throw new GatewayError("unauthorized", "unknown principal");
      // `_R_.` is how a bot's reply inbox looks after the service import; nobody else's request has one.
      if (kind === "imported" && actor.kind !== "bot") {
        this.#foreignReplies++;
        this.#dropped("foreign", route.principal, route.op);
        return;
      }
      if (msg.data.length > MAX_REQUEST_BYTES) throw new GatewayError("payload_too_large");
      let body: unknown;
      try {
        body = msg.data.length === 0 ? {} : JSON.parse(decoder.decode(msg.data));
      } catch {
        throw new GatewayError("bad_request", "body is not JSON");
      }
      try {
        reply = rpcResult(await this.service.rpc(actor, route.op, body, context));
      } finally {
        if (route.op === "profile.update") this.#principals.forget(actor.id);
      }
    } catch (err) {
      const error = toGatewayError(err);
      if (error.status >= 500) this.log.error({ err, reqId: requestId, subject: msg.subject }, "request failed");
      reply = rpcError(error.toBody(requestId));
      this.metrics?.failed(error);
    }
    // Acknowledged through the sender's own message event: no reply on success (ADR 0052).
    const ackedByEvent = reply.ok && context.eventToSender === true && ackByEvent(msg, route.op);
    if (!ackedByEvent) this.#respond(msg, reply);
    this.metrics?.rpc(route.op, reply.ok ? "ok" : reply.error.code, "nats", started);
    if (!this.log.isLevelEnabled("debug")) return;
    this.log.debug(
      {
        reqId: requestId,
        op: route.op,
        ok: reply.ok,
        ...(ackedByEvent ? { ackedByEvent } : {}),
        ...(reply.ok ? {} : { code: reply.error.code }),
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      "nats request",
    );
  }

  #respond(msg: Msg, reply: RpcReply): void {
    try {
      // `msg.reply` is checked by #accept before anything runs (a request without one is never answered).
      if (msg.reply) this.out.publish(msg.reply, encoder.encode(JSON.stringify(reply)));
    } catch (err) {
      this.log.warn({ err }, "could not send reply");
    }
  }

  /** Logs dropped requests at warn, at most once per {@link DROP_LOG_INTERVAL_MS}, with the counts since the last line. */
  #dropped(why: "foreign" | "noReply", principal: string, op: string): void {
    this.metrics?.dropped(why === "foreign" ? "foreign_reply" : "no_reply");
    this.#unlogged[why]++;
    const now = Date.now();
    if (now - this.#unlogged.at < DROP_LOG_INTERVAL_MS) return;
    this.log.warn(
      { foreignReplies: this.#unlogged.foreign, noReply: this.#unlogged.noReply, principal, op: op.slice(0, 40) },
      "dropped requests without the caller's own reply inbox (not run)",
    );
    this.#unlogged = { foreign: 0, noReply: 0, at: now };
  }
}
