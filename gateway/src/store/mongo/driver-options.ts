/**
 * The MongoDB driver settings every Parley connection uses (the store and the
 * GridFS blob store), chosen for a replica set and harmless on a single server
 * or FerretDB (which accepts and ignores read concern and retryable-write
 * transaction numbers). Given here, they win over the same settings in the
 * connection string: they are what "persist before ack" rests on.
 *
 * - `w: "majority", journal: true`: a write is acknowledged (and the gateway
 *   acks the client) only once a majority of the replica set has it on disk,
 *   so a failover cannot roll back an acknowledged message.
 * - `wtimeoutMS`: when no majority is reachable (two of three members down) a
 *   write fails after this long instead of hanging; the gateway answers
 *   `unavailable` and the SDK's outbox resends with the same msgId, which the
 *   unique index makes idempotent.
 * - `readConcern: "majority"`: reads return only majority-committed data, so a
 *   client never sees a message a failover could roll back (and then a
 *   different message under the same seq).
 * - `readPreference: "primary"`: reads follow writes (seq assignment reads the
 *   newest seq); secondaries serve no reads.
 * - `retryWrites` / `retryReads`: the driver retries an operation once after a
 *   failover or network error (a replica set dedups a retried write by its
 *   transaction number). The driver's defaults; set so a connection string
 *   cannot turn them off.
 */
import type { MongoClientOptions } from "mongodb";

export interface DriverOptions {
  /** How long an operation waits for a reachable (primary) server, in ms. */
  serverSelectionTimeoutMS: number;
  /** How long a write waits for majority acknowledgement, in ms. */
  writeConcernTimeoutMS: number;
}

export function driverOptions(o: DriverOptions): MongoClientOptions {
  return {
    serverSelectionTimeoutMS: o.serverSelectionTimeoutMS,
    connectTimeoutMS: o.serverSelectionTimeoutMS,
    writeConcern: { w: "majority", journal: true, wtimeoutMS: o.writeConcernTimeoutMS },
    // A `journal=false` in the connection string beats `writeConcern.journal`, not this top-level one.
    journal: true,
    readConcern: { level: "majority" },
    // Likewise for `readConcernLevel` in the connection string.
    readConcernLevel: "majority",
    readPreference: "primary",
    retryWrites: true,
    retryReads: true,
  };
}
