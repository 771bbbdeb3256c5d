/**
 * The RPC channel: one typed request to the gateway over NATS, on the
 * principal's `api` subject, answered with `{ok, result}` or `{ok: false, error}`.
 *
 * The gateway runs at most a few requests of one principal at once and
 * answers `busy` beyond that (nothing ran). So a client keeps at most
 * {@link MAX_REQUESTS_IN_FLIGHT} of its own requests in flight (the rest wait
 * their turn here), and retries a `busy` reply itself, a few times, after the
 * wait the gateway names: a burst (a dashboard loading many conversations at
 * once, several tabs of one person) is smoothed instead of failing.
 *
 * The outbox's sends go out acknowledged through their message event instead
 * of a reply (send-acks.ts, ADR 0052); every other request, and a `msg.send`
 * an application makes itself, waits for its reply.
 */
import { headers } from "@nats-io/nats-core";
import { ConnectionLostError, NotConnectedError, ParleyError } from "../errors.js";
import { newRequestId, REQUEST_ID_HEADER } from "../protocol/request-id.js";
import type { RpcResults } from "../protocol/rpc.js";
import { parseRpcReply, type RpcReply } from "../protocol/rpc-reply.js";
import type { RpcOp, RpcRequest } from "../protocol/schemas.js";
import { subjects } from "../protocol/subjects.js";
import type { ClientCore } from "./core.js";
import { sendAckedByEvent } from "./send-acks.js";

/** Requests one client keeps in flight at once: the gateway's default per-principal limit. */
export const MAX_REQUESTS_IN_FLIGHT = 8;
/** How often a `busy` reply is retried before the caller sees it. */
const BUSY_RETRIES = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A counting semaphore: at most `size` holders, the others queued in arrival order. */
class Gate {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async enter(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

const gates = new WeakMap<ClientCore, Gate>();

/** Milliseconds before retry `attempt` (1-based) of a `busy` request: the gateway's wait, with jitter. */
function busyDelay(error: ParleyError, attempt: number): number {
  const base = Math.min(Math.max(error.retryAfter ?? 1, 0.1), 5) * 1000;
  return Math.round(base * (0.5 + Math.random() * 0.5) * Math.min(attempt, 2));
}

/**
 * Sends `op` with `body` and resolves with its result. Rejects with
 * {@link NotConnectedError} without a live connection, {@link ConnectionLostError}
 * when no reply comes, and {@link ParleyError} when the gateway refuses
 * (`busy` only after {@link BUSY_RETRIES} retries).
 */
export async function rpcRequest<Op extends RpcOp>(
  core: ClientCore,
  op: Op,
  body: RpcRequest<Op>,
): Promise<RpcResults[Op]> {
  let gate = gates.get(core);
  if (!gate) {
    gate = new Gate(MAX_REQUESTS_IN_FLIGHT);
    gates.set(core, gate);
  }
  for (let attempt = 1; ; attempt++) {
    const leave = await gate.enter();
    try {
      return await (byEvent(core, op, body)
        ? (sendAckedByEvent(core, body as RpcRequest<"msg.send">) as Promise<RpcResults[Op]>)
        : requestOnce(core, op, body));
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === "busy") || attempt > BUSY_RETRIES || core.closed) throw err;
      leave();
      await new Promise((resolve) => setTimeout(resolve, busyDelay(err, attempt)));
    } finally {
      leave();
    }
  }
}

/** Whether this is one of the outbox's sends, acknowledged through its event. */
function byEvent(core: ClientCore, op: RpcOp, body: unknown): boolean {
  return op === "msg.send" && core.sendAcks.wanted((body as RpcRequest<"msg.send">).envelope.msgId);
}

async function requestOnce<Op extends RpcOp>(core: ClientCore, op: Op, body: RpcRequest<Op>): Promise<RpcResults[Op]> {
  const nc = core.nc;
  const session = core.session;
  if (!nc || !session || nc.isClosed()) throw new NotConnectedError();
  let data: Uint8Array;
  // Each attempt has its own id: the gateway logs it with the request and names it in an error reply.
  const h = headers();
  h.set(REQUEST_ID_HEADER, newRequestId());
  try {
    const reply = await nc.request(subjects.api(session.principal.id, op), encoder.encode(JSON.stringify(body)), {
      timeout: core.o.requestTimeout,
      headers: h,
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
