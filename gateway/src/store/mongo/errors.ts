/** How the MongoDB store reads the driver's and the server's errors (MongoDB's and FerretDB v1's). */
import {
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";

/**
 * Server codes that mean "not reachable right now" rather than "bad request". 64 (WriteConcernFailed):
 * no majority acknowledged the write within `wtimeoutMS`; it may exist on the primary, and the resend
 * of the same msgId finds it (unique index) instead of writing it twice.
 */
const UNAVAILABLE_CODES = new Set([6, 7, 64, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);
const DUPLICATE_KEY = 11000;
/** What FerretDB v1 answers for a TTL index. */
export const NOT_IMPLEMENTED = 238;

/** E11000, or FerretDB's InternalError for a unique index violated by an update. */
export const isDuplicateKey = (error: unknown) =>
  error instanceof MongoServerError &&
  (error.code === DUPLICATE_KEY || (error.code === 1 && error.message.includes("UNIQUE constraint failed")));

/** Socket errors the driver sometimes passes through unwrapped (seen: EPIPE after the peer closed). */
const SOCKET_ERRORS = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/** True for errors that mean the store is unreachable (the gateway answers `unavailable`). */
export function isUnavailable(error: unknown): boolean {
  return (
    (error instanceof Error && SOCKET_ERRORS.has((error as NodeJS.ErrnoException).code ?? "")) ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoServerClosedError ||
    error instanceof MongoClientClosedError ||
    error instanceof MongoOperationTimeoutError ||
    (error instanceof MongoServerError && typeof error.code === "number" && UNAVAILABLE_CODES.has(error.code))
  );
}
