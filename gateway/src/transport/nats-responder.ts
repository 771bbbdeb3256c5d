/**
 * Serves `api.<principal>.<op>` requests in the queue group shared by every
 * gateway. The principal comes from the subject, which NATS only lets that
 * principal publish on (its JWT allow-list); the body is never trusted for it.
 */

import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { API_QUEUE, API_WILDCARD, parseApiSubject, type RpcReply, rpcError, rpcResult } from "@parley/sdk/protocol";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { ChatService } from "../service/chat-service.js";
import type { Store } from "../store/port.js";
import { RecentPrincipals } from "./recent-principals.js";
import { toGatewayError } from "./to-gateway-error.js";

/** Largest request body accepted over NATS (an envelope is at most ~66 KiB). */
export const MAX_REQUEST_BYTES = 96 * 1024;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class NatsResponder {
  #sub: Subscription | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #principals: RecentPrincipals;

  constructor(
    private readonly nc: NatsConnection,
    private readonly service: ChatService,
    store: Store,
    private readonly log: Logger,
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
        const work = this.#handle(msg).finally(() => this.#inFlight.delete(work));
        this.#inFlight.add(work);
      },
    });
  }

  /** Stops taking requests (other gateways in the queue group get them) and waits for the ones in flight. */
  async stop(): Promise<void> {
    if (this.#sub && !this.#sub.isClosed()) await this.#sub.drain();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #handle(msg: Msg): Promise<void> {
    const started = performance.now();
    const route = parseApiSubject(msg.subject);
    let reply: RpcReply;
    try {
      if (!route) throw new GatewayError("bad_request", "not an api subject");
      if (msg.data.length > MAX_REQUEST_BYTES) throw new GatewayError("payload_too_large");
      let body: unknown;
      try {
        body = msg.data.length === 0 ? {} : JSON.parse(decoder.decode(msg.data));
      } catch {
        throw new GatewayError("bad_request", "body is not JSON");
      }
      const actor = await this.#principals.get(route.principal);
      if (!actor) throw new GatewayError("unauthorized", "unknown principal");
      try {
        reply = rpcResult(await this.service.rpc(actor, route.op, body));
      } finally {
        if (route.op === "profile.update") this.#principals.forget(actor.id);
      }
    } catch (err) {
      const error = toGatewayError(err);
      if (error.status >= 500) this.log.error({ err, subject: msg.subject }, "request failed");
      reply = rpcError(error.toBody());
    }
    if (msg.reply) {
      try {
        msg.respond(encoder.encode(JSON.stringify(reply)));
      } catch (err) {
        this.log.warn({ err }, "could not send reply");
      }
    }
    this.log.debug(
      { op: route?.op, ok: reply.ok, ms: Math.round((performance.now() - started) * 100) / 100 },
      "nats request",
    );
  }
}
