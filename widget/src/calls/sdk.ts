/**
 * What the calls UI takes from the SDK: `client.calls` and small lookups that
 * never throw before the client is connected.
 */
import type { CallsApi, ParleyClient } from "@parley/sdk";

export type {
  ActiveCall,
  CallEndReason,
  CallRecord,
  CallRefusal,
  CallsApi,
  CallsBoard,
  IncomingCall,
  RemotePeer,
} from "@parley/sdk";
export type { CallMedia } from "@parley/sdk/protocol";

/** The calls API of a client (undefined without a client). */
export const callsOf = (client: ParleyClient | undefined): CallsApi | undefined => client?.calls;

/** The signed-in principal's id, or undefined before the client is connected. */
export function principalOf(client: ParleyClient | undefined): string | undefined {
  try {
    return client?.principal.id;
  } catch {
    return undefined;
  }
}

/** This device's id, or undefined before the client has one. */
export function deviceOf(client: ParleyClient | undefined): string | undefined {
  try {
    return client?.deviceId;
  } catch {
    return undefined;
  }
}

/** The error code of a failed call action, for its words (`error.*`). */
export function failure(
  err: unknown,
): "error.call_unavailable" | "error.media_denied" | "error.offline" | "error.other" {
  const e = (err ?? {}) as { name?: unknown; code?: unknown };
  if (e.name === "ConnectionLostError" || e.name === "NotConnectedError" || e.code === "unavailable")
    return "error.offline";
  if (e.code === "call_unavailable" || e.code === "media_denied") return `error.${e.code}`;
  if (e.name === "NotAllowedError" || e.name === "NotFoundError") return "error.media_denied";
  return "error.other";
}
