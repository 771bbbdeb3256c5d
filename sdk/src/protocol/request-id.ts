/**
 * Request ids: one per RPC, chosen by the caller, so a request can be followed
 * from the client through NATS into the gateway's log and back in its error
 * reply. The SDK sends it as the {@link REQUEST_ID_HEADER} header of the NATS
 * request (and of HTTP requests); the gateway keeps one that
 * {@link isRequestId} accepts and makes its own otherwise.
 */
import { randomId } from "./ids.js";

/** The header naming a request's id: a NATS message header and an HTTP request and response header. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/** The longest request id the gateway keeps; a longer one is replaced. */
export const MAX_REQUEST_ID_LENGTH = 64;

/** What a request id may be: 1 to 64 letters, digits, `_`, `-`, `.` or `:` (safe in logs and headers). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Whether `value` is a request id the gateway keeps (see {@link REQUEST_ID_PATTERN}). */
export function isRequestId(value: unknown): value is string {
  return typeof value === "string" && REQUEST_ID_PATTERN.test(value);
}

/** A new random request id (`r_` and 22 base64url characters). */
export function newRequestId(): string {
  return randomId("r_");
}
