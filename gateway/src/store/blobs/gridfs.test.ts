import { MongoClient } from "mongodb";
import { afterAll, beforeAll } from "vitest";
import { type MongoForTests, mongoForTests } from "../../../test/harness/ferretdb.js";
import { describeBlobStoreConformance } from "./conformance.js";
import { GridFsBlobStore } from "./gridfs.js";
import { newBlobId } from "./port.js";

let server: MongoForTests;
let admin: MongoClient;
let fixtures = 0;

beforeAll(async () => {
  server = await mongoForTests();
  admin = new MongoClient(server.uri);
});

afterAll(async () => {
  await admin?.close();
  await server?.[Symbol.asyncDispose]();
});

describeBlobStoreConformance("GridFsBlobStore", async () => {
  const dbName = `${server.dbName}_blobs_${++fixtures}`;
  const db = admin.db(dbName);
  const open = async () => {
    const blobs = new GridFsBlobStore({ uri: server.uri, dbName });
    await blobs.init();
    return blobs;
  };
  const blobs = await open();
  const collections = ["blobs.files", "blobs.chunks", "blobs.pending"];
  return {
    blobs,
    async residue() {
      let n = 0;
      for (const name of collections) n += await db.collection(name).countDocuments({});
      return n;
    },
    reopen: open,
    async leaveDeadUpload() {
      // Chunks written by a gateway that died before the files document, noted pending two hours ago.
      const id = newBlobId();
      await db.collection<{ _id: string; startedAt: Date }>("blobs.pending").insertOne({
        _id: id,
        startedAt: new Date(Date.now() - 2 * 3_600_000),
      });
      await db.collection("blobs.chunks").insertMany([
        { files_id: id, n: 0, data: Buffer.alloc(1000, 1) },
        { files_id: id, n: 1, data: Buffer.alloc(1000, 2) },
      ]);
    },
    async [Symbol.asyncDispose]() {
      await blobs.close();
      await db.dropDatabase();
    },
  };
});
