import { createServer } from "node:net";
import type { EpochCommit } from "@parley/sdk/protocol";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MongoForTests, mongoForTests } from "../../../test/harness/ferretdb.js";
import { startTcpProxy } from "../../../test/harness/tcp-proxy.js";
import { describeStoreConformance } from "../conformance/suite.js";
import { StoreUnavailableError } from "../port.js";
import { handleSkeleton } from "../rules/skeleton.js";
import { MongoStore } from "./store.js";

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
    // The commit document as the adapter stores it, without the conversation's `$max` that follows.
    async rawInsertCommit(commit: EpochCommit) {
      await admin
        .db(dbName)
        .collection("commits")
        .insertOne({ ...commit });
    },
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
  it("rejects with StoreUnavailableError when nothing listens", async () => {
    const store = new MongoStore({ uri: `mongodb://127.0.0.1:${await closedPort()}/`, serverSelectionTimeoutMS: 300 });
    try {
      await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.getConversation("c-1")).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  it("rejects with StoreUnavailableError once a connected server becomes unreachable, and recovers", async () => {
    // The server (FerretDB, or the MongoDB that MONGODB_URI names) stays up; a proxy cuts the path to it.
    const target = new URL(server.uri);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 27017) });
    const uri = new URL(server.uri);
    uri.host = `127.0.0.1:${proxy.port}`;
    uri.searchParams.set("directConnection", "true");
    const store = new MongoStore({
      uri: uri.toString(),
      dbName: `${server.dbName}_down`,
      serverSelectionTimeoutMS: 500,
    });
    try {
      await store.init();
      await store.ping();
      proxy.cut();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(
        store.append({ convId: "c", msgId: "m", sender: "p", ts: 1, envelope: envelope() }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      proxy.restore();
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
      await proxy.close();
      await admin.db(`${server.dbName}_down`).dropDatabase();
    }
  });
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

describe("MongoStore migration of handles unique across shops", () => {
  it("drops the global handle index and fills in the scoped keys and skeletons", async () => {
    const dbName = `${server.dbName}_old_${++fixtures}`;
    const principals = admin.db(dbName).collection("principals");
    await principals.createIndex({ handle: 1 }, { unique: true, sparse: true });
    await principals.insertOne({
      id: "p1",
      kind: "customer",
      shopId: "shop-a",
      externalId: "s1",
      displayName: "Mia",
      handle: "mia",
      createdAt: 1,
    });
    const store = await openMongo(server.uri, dbName);
    try {
      expect((await principals.indexes()).map((i) => i.name)).not.toContain("handle_1");
      expect(await store.findPrincipalByHandle("shop-a", "mia")).toEqual({
        id: "p1",
        kind: "customer",
        shopId: "shop-a",
        externalId: "s1",
        displayName: "Mia",
        handle: "mia",
        handleSkeleton: handleSkeleton("mia"),
        createdAt: 1,
      });
      const other = await store.ensurePrincipal({
        id: "p2",
        kind: "customer",
        shopId: "shop-b",
        externalId: "s1",
        displayName: "Mia B",
        createdAt: 2,
      });
      expect(await store.setHandle(other.id, "mia", handleSkeleton("mia"))).toBe("set");
    } finally {
      await store.close();
      await admin.db(dbName).dropDatabase();
    }
  });
});
