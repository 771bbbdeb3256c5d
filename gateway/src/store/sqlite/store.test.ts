import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EpochCommit } from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { describeStoreConformance } from "../conformance/suite.js";
import { handleSkeleton } from "../rules/skeleton.js";
import { SqliteStore } from "./store.js";

async function openSqlite(path: string, exclusive = false): Promise<SqliteStore> {
  const store = new SqliteStore({ path, exclusive });
  await store.init();
  return store;
}

/** The suite on a fresh file; `exclusive`: with the send context in memory, as the gateway opens it (ADR 0051). */
const fixture = (exclusive: boolean) => async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-sqlite-"));
  const path = join(dir, "parley.sqlite");
  const store = await openSqlite(path, exclusive);
  return {
    store,
    reopen: () => openSqlite(path, exclusive),
    // A second connection writes the commit row as the adapter would, leaving the conversation's epoch as it was.
    async rawInsertCommit(commit: EpochCommit) {
      const db = new Database(path, { timeout: 5000 });
      try {
        db.prepare("INSERT INTO commits (conv_id, epoch, body) VALUES (?, ?, ?)").run(
          commit.convId,
          commit.epoch,
          JSON.stringify(commit),
        );
      } finally {
        db.close();
      }
    },
    async [Symbol.asyncDispose]() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

describeStoreConformance("SqliteStore", fixture(false));
describeStoreConformance("SqliteStore (exclusive)", fixture(true), { exclusive: true });

describe("SqliteStore migration of handles unique across shops", () => {
  it("rebuilds the principals table: handles unique per shop, skeletons filled in, nothing lost", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parley-sqlite-old-"));
    const path = join(dir, "parley.sqlite");
    try {
      const old = new Database(path);
      old.exec(`CREATE TABLE principals (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, shop_id TEXT NOT NULL, external_id TEXT NOT NULL,
        display_name TEXT NOT NULL, handle TEXT UNIQUE, created_at INTEGER NOT NULL,
        UNIQUE (shop_id, kind, external_id));
        INSERT INTO principals VALUES ('p1', 'customer', 'shop-a', 's1', 'Mia', 'mia', 1);
        INSERT INTO principals VALUES ('p2', 'customer', 'shop-a', 's2', 'Noah', NULL, 2);`);
      old.close();
      const store = await openSqlite(path);
      try {
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
          id: "p3",
          kind: "customer",
          shopId: "shop-b",
          externalId: "s1",
          displayName: "Mia B",
          createdAt: 3,
        });
        // The old global unique index is gone: shop B may hold the same handle.
        expect(await store.setHandle(other.id, "mia", handleSkeleton("mia"))).toBe("set");
        expect(await store.setHandle("p2", "mia", handleSkeleton("mia"))).toBe("taken");
      } finally {
        await store.close();
      }
      // Opening the migrated file again changes nothing.
      const again = await openSqlite(path);
      expect((await again.findPrincipalByHandle("shop-b", "mia"))?.id).toBe("p3");
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("SqliteStore migration of shops without feature columns", () => {
  it("adds the map tile and media columns to an old file: its shops read as before and take features", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parley-sqlite-shops-"));
    const path = join(dir, "parley.sqlite");
    try {
      const old = new Database(path);
      // The shops table as the first release made it.
      old.exec(`CREATE TABLE shops (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, token_key TEXT NOT NULL, allowed_origins TEXT NOT NULL,
        allow_guests INTEGER NOT NULL, created_at INTEGER NOT NULL);
        INSERT INTO shops VALUES ('s1', 'Old Shop', '{"alg":"HS256","secret":"x"}', '["https://old.example"]', 1, 5);`);
      old.close();
      const store = await openSqlite(path);
      try {
        const before = {
          id: "s1",
          name: "Old Shop",
          tokenKey: { alg: "HS256" as const, secret: "x" },
          allowedOrigins: ["https://old.example"],
          allowGuests: true,
          createdAt: 5,
        };
        expect(await store.getShop("s1")).toEqual(before);
        const media = {
          origins: ["https://old.example"],
          catalog: [{ id: "a", title: "A", url: "https://old.example/a.wav", durationMs: 20_000 }],
        };
        await store.putShop({ ...before, media });
        expect(await store.getShop("s1")).toEqual({ ...before, media });
      } finally {
        await store.close();
      }
      const again = await openSqlite(path);
      expect((await again.getShop("s1"))?.media?.catalog[0]?.id).toBe("a");
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("SqliteStore migration of a webhook outbox without request ids", () => {
  it("adds the request id column to an old file: waiting events are claimed without one, new ones keep theirs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parley-sqlite-outbox-"));
    const path = join(dir, "parley.sqlite");
    try {
      const old = new Database(path);
      // The outbox as webhooks first made it.
      old.exec(`CREATE TABLE webhook_outbox (
        id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, type TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL,
        attempts INTEGER NOT NULL, due_at INTEGER NOT NULL, coalesce_key TEXT);
        INSERT INTO webhook_outbox VALUES ('wh_old', 's1', 'conversation.opened', 5, '{"count":1}', 0, 10, NULL);`);
      old.close();
      const store = await openSqlite(path);
      try {
        const fresh = {
          id: "wh_new",
          shopId: "s1",
          type: "conversation.closed" as const,
          createdAt: 6,
          data: {},
          attempts: 0,
          dueAt: 11,
          requestId: "req-new",
        };
        await store.enqueueWebhook(fresh);
        expect(await store.claimWebhooks(20, 100, 10)).toEqual([
          {
            id: "wh_old",
            shopId: "s1",
            type: "conversation.opened",
            createdAt: 5,
            data: { count: 1 },
            attempts: 1,
            dueAt: 120,
          },
          { ...fresh, attempts: 1, dueAt: 120 },
        ]);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
