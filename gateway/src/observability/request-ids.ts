/**
 * The gateway's side of request ids (`REQUEST_ID_HEADER` in the protocol):
 * a caller's id is kept when it is one (`isRequestId`: bounded length, a safe
 * charset, so it cannot forge log fields or bloat lines); otherwise the
 * gateway makes one. Made ids are a per-process random prefix and a counter:
 * unique enough to find a line, and cheap on the request path. The events a
 * request causes carry its id as a NATS header too ({@link requestHeaders}).
 */
import { headers, type MsgHdrs } from "@nats-io/nats-core";
import { isRequestId, REQUEST_ID_HEADER, randomId } from "@parley/sdk/protocol";

const prefix = `g_${randomId().slice(0, 10)}_`;
let counter = 0;

/** `offered` when it is a valid request id, else a new one made by the gateway. */
export function adoptRequestId(offered: string | null | undefined): string {
  if (offered && isRequestId(offered)) return offered;
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}${counter.toString(36)}`;
}

/** NATS headers naming the request an event comes from (`X-Request-Id`). */
export function requestHeaders(requestId: string): MsgHdrs {
  const h = headers();
  h.set(REQUEST_ID_HEADER, requestId);
  return h;
}
