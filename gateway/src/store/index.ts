/**
 * Opens the configured store: MongoDB when a URI is given, else the embedded
 * SQLite store in the data directory.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { MongoStore } from "./mongo/store.js";
import type { Store } from "./port.js";
import { SqliteStore } from "./sqlite/store.js";

export type {
  AgentRecord,
  AppendResult,
  ConversationRecord,
  DeviceRecord,
  MemberRecord,
  NewMessage,
  PrincipalRecord,
  ShopRecord,
  Store,
} from "./port.js";
export { StoreNotFoundError, StoreUnavailableError } from "./port.js";

export interface OpenStoreConfig {
  /** MongoDB connection string; when absent the embedded SQLite store is used. */
  mongodbUri?: string;
  /**
   * MongoDB database name.
   * @default the database named in `mongodbUri`, else `"parley"`
   */
  mongoDbName?: string;
  /** Directory of the embedded store's file `parley.sqlite`; created when missing. */
  dataDir: string;
}

/** Opens and initializes the store the configuration names. */
export async function openStore(config: OpenStoreConfig): Promise<Store> {
  let store: Store;
  if (config.mongodbUri) {
    store = new MongoStore({
      uri: config.mongodbUri,
      ...(config.mongoDbName === undefined ? {} : { dbName: config.mongoDbName }),
    });
  } else {
    await mkdir(config.dataDir, { recursive: true });
    // One gateway process writes the file (workers.ts refuses more), so the send context can live in memory.
    store = new SqliteStore({ path: join(config.dataDir, "parley.sqlite"), exclusive: true });
  }
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
