import { GatewayError } from "../errors.js";
import { StoreNotFoundError, StoreUnavailableError } from "../store/port.js";

/** Maps anything thrown while serving a request onto the gateway's one error type. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof StoreUnavailableError) return new GatewayError("unavailable", "the store is unavailable");
  if (err instanceof StoreNotFoundError) return new GatewayError("not_found", "no such conversation");
  return new GatewayError("internal", undefined, { cause: err });
}
