/**
 * The RPC channel: one typed request to the gateway over NATS, on the
 * principal's `api` subject, answered with `{ok, result}` or `{ok: false, error}`.
 */
import { ConnectionLostError, NotConnectedError, ParleyError } from "../errors.js";
import type { RpcResults } from "../protocol/rpc.js";
import { parseRpcReply, type RpcReply } from "../protocol/rpc-reply.js";
import type { RpcOp, RpcRequest } from "../protocol/schemas.js";
import { subjects } from "../protocol/subjects.js";
import type { ClientCore } from "./core.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends `op` with `body` and resolves with its result. Rejects with
 * {@link NotConnectedError} without a live connection, {@link ConnectionLostError}
 * when no reply comes, and {@link ParleyError} when the gateway refuses.
 */
export async function rpcRequest<Op extends RpcOp>(
  core: ClientCore,
  op: Op,
  body: RpcRequest<Op>,
): Promise<RpcResults[Op]> {
  const nc = core.nc;
  const session = core.session;
  if (!nc || !session || nc.isClosed()) throw new NotConnectedError();
  let data: Uint8Array;
  try {
    const reply = await nc.request(subjects.api(session.principal.id, op), encoder.encode(JSON.stringify(body)), {
      timeout: core.o.requestTimeout,
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
