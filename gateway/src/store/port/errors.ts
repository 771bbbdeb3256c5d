/** The errors every store adapter throws, whatever database it runs on. */

/** Thrown by adapters for a conversation that does not exist. */
export class StoreNotFoundError extends Error {
  override readonly name = "StoreNotFoundError";
}

/** Thrown when the store cannot be reached; the gateway answers `unavailable`. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}
