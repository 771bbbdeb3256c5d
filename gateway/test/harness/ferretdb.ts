/**
 * A MongoDB-compatible server for tests: `MONGODB_URI` when set (a real
 * MongoDB), else a FerretDB on a random loopback port with its SQLite files in a
 * temp directory that is removed on dispose. Each call gets its own database
 * name, dropped on dispose when the server is shared.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { startFerretdb } from "../../../scripts/lib/ferretdb.mjs";

export interface MongoForTests {
  uri: string;
  dbName: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function mongoForTests(): Promise<MongoForTests> {
  const dbName = `parley_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const shared = process.env.MONGODB_URI;
  if (shared) {
    return {
      uri: shared,
      dbName,
      async [Symbol.asyncDispose]() {
        const client = new MongoClient(shared, { serverSelectionTimeoutMS: 5000 });
        try {
          await client.db(dbName).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "parley-ferretdb-"));
  try {
    const server = await startFerretdb({ dir });
    return {
      uri: server.uri,
      dbName,
      async [Symbol.asyncDispose]() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
