/**
 * Opens the blob store that goes with the configured store: GridFS when a
 * MongoDB URI is given, else files in a directory (by default `blobs/` in the
 * embedded store's data directory).
 */
import { FsBlobStore } from "./fs.js";
import { GridFsBlobStore } from "./gridfs.js";
import type { BlobStore } from "./port.js";

export type { BlobInfo, BlobQuery, BlobStore, PutBlobOptions } from "./port.js";
export { BlobTooLargeError, isBlobId, newBlobId } from "./port.js";

export interface OpenBlobStoreConfig {
  /** MongoDB connection string; when present blobs go to GridFS in the same database as the store. */
  mongodbUri?: string | undefined;
  mongoDbName?: string | undefined;
  /** Directory for blobs on disk, used without MongoDB. */
  blobDir: string;
}

export async function openBlobStore(config: OpenBlobStoreConfig): Promise<BlobStore> {
  const blobs: BlobStore = config.mongodbUri
    ? new GridFsBlobStore({
        uri: config.mongodbUri,
        ...(config.mongoDbName === undefined ? {} : { dbName: config.mongoDbName }),
      })
    : new FsBlobStore({ dir: config.blobDir });
  try {
    await blobs.init();
  } catch (error) {
    await blobs.close().catch(() => undefined);
    throw error;
  }
  return blobs;
}
