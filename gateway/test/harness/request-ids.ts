/**
 * What the request-id tests share: the gateway's JSON log lines, and a
 * principal's own raw NATS connection whose requests name the request id the
 * test gives (the SDK makes a fresh one per request, which a test cannot
 * choose).
 */
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { REQUEST_ID_HEADER, type RpcOp, type RpcReply, subjects } from "@parley/sdk/protocol";
import { SHOP_ID, type TestStack } from "./stack.js";

/** A gateway log line, with the fields the request-id tests read. */
export interface LogLine {
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

/** Every JSON line the stack's gateways logged so far, parsed. */
export function logLines(stack: TestStack): LogLine[] {
  return stack
    .logs()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** A principal's raw NATS connection. */
export interface RawCaller {
  /** The principal id. */
  id: string;
  nc: NatsConnection;
  /** Sends `op` with `id` as its `X-Request-Id`; answers the result, or throws naming the error code. */
  call(op: RpcOp, body: unknown, id: string): Promise<unknown>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Connects a raw NATS connection (WebSocket) for `principalId` of the seeded shop; the caller closes `nc`. */
export async function rawCaller(stack: TestStack, principalId: string, kind: "customer" | "agent"): Promise<RawCaller> {
  const { jwt } = await stack.nats.minter.mintPrincipal({ principalId, kind, shopId: SHOP_ID, ttlSeconds: 300 });
  const nc = await stack.nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(principalId) });
  return {
    id: principalId,
    nc,
    async call(op, body, id) {
      const h = headers();
      h.set(REQUEST_ID_HEADER, id);
      const msg = await nc.request(subjects.api(principalId, op), encoder.encode(JSON.stringify(body)), {
        timeout: 10_000,
        headers: h,
      });
      const reply = JSON.parse(decoder.decode(msg.data)) as RpcReply;
      if (!reply.ok) throw new Error(`${op}: ${reply.error.code} ${reply.error.message}`);
      return reply.result;
    },
  };
}
