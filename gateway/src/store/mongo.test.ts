import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFerretdb } from "../../../scripts/lib/ferretdb.mjs";
import { type MongoForTests, mongoForTests } from "../../test/harness/ferretdb.js";
import { describeStoreConformance } from "./conformance.js";
import { MongoStore } from "./mongo.js";
import { StoreUnavailableError } from "./port.js";

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

async function openMongo(uri: string, dbName: string): Promise<MongoStore> {
  const store = new MongoStore({ uri, dbName });
  await store.init();
  return store;
}

describeStoreConformance("MongoStore", async () => {
  const dbName = `${server.dbName}_${++fixtures}`;
  const store = await openMongo(server.uri, dbName);
  return {
    store,
    reopen: () => openMongo(server.uri, dbName),
    async [Symbol.asyncDispose]() {
      await store.close();
      await admin.db(dbName).dropDatabase();
    },
  };
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("MongoStore availability", () => {
  it("rejects with StoreUnavailableError within seconds when nothing listens", async () => {
    const store = new MongoStore({ uri: `mongodb://127.0.0.1:${await closedPort()}/`, serverSelectionTimeoutMS: 300 });
    const started = Date.now();
    try {
      await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.getConversation("c-1")).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await store.close();
    }
  });

  it.skipIf(Boolean(process.env.MONGODB_URI))(
    "rejects with StoreUnavailableError once a connected server goes down",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "parley-ferretdb-down-"));
      const ferret = await startFerretdb({ dir });
      const store = new MongoStore({ uri: ferret.uri, dbName: "down", serverSelectionTimeoutMS: 500 });
      try {
        await store.init();
        await store.ping();
        await ferret.stop();
        const started = Date.now();
        await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(
          store.append({ convId: "c", msgId: "m", sender: "p", ts: 1, envelope: envelope() }),
        ).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await store.close();
        await ferret.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

function envelope() {
  return {
    v: 1,
    convId: "c",
    epoch: 0,
    msgId: "m",
    senderDevice: "d",
    ts: 1,
    alg: "none",
    nonce: "",
    ct: "",
    sig: "",
  } as const;
}
