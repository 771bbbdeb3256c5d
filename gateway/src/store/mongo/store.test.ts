import { createServer } from "node:net";
import type { EpochCommit } from "@parley/sdk/protocol";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MongoForTests, mongoForTests } from "../../../test/harness/ferretdb.js";
import { startTcpProxy } from "../../../test/harness/tcp-proxy.js";
import { message, range, seed } from "../conformance/fixtures.js";
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

describe("MongoStore appends from two processes to one conversation", () => {
  it("numbers 1..N with no gap or repeat, stores every msgId once and answers a repeat as duplicate", async () => {
    const dbName = `${server.dbName}_seq_${++fixtures}`;
    // Two stores on one database: what two gateway processes see, each with its own seq cache.
    const [a, b] = [await openMongo(server.uri, dbName), await openMongo(server.uri, dbName)];
    try {
      const convId = await seed(a, 0);
      // Alternating one at a time: each store's cache is one behind on every append.
      for (const i of range(1, 10))
        expect((await (i % 2 ? a : b).append(message(convId, `s${i}`))).message.seq).toBe(i);
      // A crash between an insert and recording it leaves the conversation's lastSeq behind.
      await admin
        .db(dbName)
        .collection("conversations")
        .updateOne({ id: convId }, { $set: { lastSeq: 4 } });
      const fresh = range(11, 50).map((i) => `c${i}`);
      const sends = [...fresh, "s3", "c20", "s10", "c45"];
      const results = await Promise.all(sends.map((msgId, i) => (i % 2 ? a : b).append(message(convId, msgId))));
      const stored = await a.since(convId, 0, 100);
      expect(stored.map((m) => m.seq)).toEqual(range(1, 50));
      expect(stored.map((m) => m.msgId).sort()).toEqual([...range(1, 10).map((i) => `s${i}`), ...fresh].sort());
      const seqOf = new Map(stored.map((m) => [m.msgId, m.seq]));
      for (const r of results) expect(r.message.seq).toBe(seqOf.get(r.message.msgId));
      // Each new msgId is stored by exactly one of its sends; the repeats come back as duplicates.
      expect(results.filter((r) => !r.duplicate).map((r) => r.message.msgId)).toHaveLength(fresh.length);
      expect(new Set(results.filter((r) => !r.duplicate).map((r) => r.message.msgId))).toEqual(new Set(fresh));
      expect(
        results
          .filter((r) => r.duplicate)
          .map((r) => r.message.msgId)
          .sort(),
      ).toEqual(["c20", "c45", "s10", "s3"]);
      const repeat = await b.append(message(convId, "c11"));
      expect(repeat).toMatchObject({ duplicate: true, message: { msgId: "c11", seq: seqOf.get("c11") } });
      expect((await a.append(message(convId, "after"))).message.seq).toBe(51);
    } finally {
      await a.close();
      await b.close();
      await admin.db(dbName).dropDatabase();
    }
  });
});
