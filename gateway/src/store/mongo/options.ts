/** The MongoDB store's options, validated once when the store is built. */

export interface MongoStoreOptions {
  /** `mongodb://` or `mongodb+srv://` connection string. */
  uri: string;
  /**
   * Database name.
   * @default the database named in `uri`, else `"parley"`
   */
  dbName?: string;
  /**
   * How long an operation waits for a reachable server before failing with `StoreUnavailableError`, in ms.
   * @default 3000
   */
  serverSelectionTimeoutMS?: number;
  /**
   * How long a write waits for a majority of the replica set to acknowledge it before failing with
   * `StoreUnavailableError` (the SDK then resends; the msgId keeps it idempotent), in ms.
   * @default 10000
   */
  writeConcernTimeoutMS?: number;
  /**
   * How many times `append` retries after another process took the seq it tried.
   * @default 50
   */
  maxAppendRetries?: number;
}

const defaults = {
  serverSelectionTimeoutMS: 3000,
  writeConcernTimeoutMS: 10_000,
  maxAppendRetries: 50,
} satisfies Partial<MongoStoreOptions>;

/** Checks the options and fills in the defaults; throws a `TypeError` for a bad one. */
export function parseOptions(options: MongoStoreOptions): Required<MongoStoreOptions> {
  const { uri } = options;
  if (typeof uri !== "string" || !/^mongodb(\+srv)?:\/\//.test(uri)) {
    throw new TypeError("MongoStore: `uri` must be a mongodb:// or mongodb+srv:// connection string");
  }
  const fromUri = decodeURIComponent(/^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(uri)?.[1] ?? "");
  const dbName = options.dbName ?? (fromUri || "parley");
  const serverSelectionTimeoutMS = options.serverSelectionTimeoutMS ?? defaults.serverSelectionTimeoutMS;
  const writeConcernTimeoutMS = options.writeConcernTimeoutMS ?? defaults.writeConcernTimeoutMS;
  const maxAppendRetries = options.maxAppendRetries ?? defaults.maxAppendRetries;
  if (!Number.isInteger(serverSelectionTimeoutMS) || serverSelectionTimeoutMS <= 0) {
    throw new TypeError("MongoStore: bad `serverSelectionTimeoutMS`");
  }
  if (!Number.isInteger(writeConcernTimeoutMS) || writeConcernTimeoutMS <= 0) {
    throw new TypeError("MongoStore: bad `writeConcernTimeoutMS`");
  }
  if (!Number.isInteger(maxAppendRetries) || maxAppendRetries < 1)
    throw new TypeError("MongoStore: bad `maxAppendRetries`");
  return { uri, dbName, serverSelectionTimeoutMS, writeConcernTimeoutMS, maxAppendRetries };
}
