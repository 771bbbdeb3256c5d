import type { RpcResults } from "../protocol/rpc.js";
import type { RpcOp, RpcRequest } from "../protocol/schemas.js";

/** A typed request to the gateway: the client's `request`, injected so this layer needs no connection of its own. */
export type Rpc = <Op extends RpcOp>(op: Op, body: RpcRequest<Op>) => Promise<RpcResults[Op]>;

/** The result of one op. */
export type RpcResult<Op extends RpcOp> = RpcResults[Op];
