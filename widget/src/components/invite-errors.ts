/**
 * Why an invite failed, from the gateway's stable error codes
 * (sdk/src/protocol/errors.ts), for the widget's and the dashboard's own
 * strings. The codes are the contract; the gateway's messages never reach
 * the screen.
 */
import { ConnectionLostError, ParleyError } from "@parley/sdk";

/** Why an invite failed, as the UI words it: a gateway code it explains, `offline`, or `other`. */
export type InviteFailure = "unknown_handle" | "already_member" | "forbidden" | "rate_limited" | "offline" | "other";

/** Why an invite failed and, when rate limited, how long to wait. */
export interface InviteFailureReason {
  /** The reason. */
  kind: InviteFailure;
  /** For `rate_limited`: seconds until another invite may be tried, when the gateway said. */
  retryAfter?: number;
}

/** Reads why `err` (from `client.invite`) failed, for a string of the UI's own. */
export function inviteFailure(err: unknown): InviteFailureReason {
  if (err instanceof ConnectionLostError) return { kind: "offline" };
  if (!(err instanceof ParleyError)) return { kind: "other" };
  switch (err.code) {
    case "unknown_handle":
    case "already_member":
    case "forbidden":
      return { kind: err.code };
    case "rate_limited":
      return err.retryAfter === undefined
        ? { kind: "rate_limited" }
        : { kind: "rate_limited", retryAfter: err.retryAfter };
    case "unavailable":
      return { kind: "offline" };
    default:
      return { kind: "other" };
  }
}
