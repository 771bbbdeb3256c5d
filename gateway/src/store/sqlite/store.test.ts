import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EpochCommit } from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import { describeStoreConformance } from "../conformance/suite.js";
import { SqliteStore } from "./store.js";

async function openSqlite(path: string): Promise<SqliteStore> {
  const store = new SqliteStore({ path });
  await store.init();
  return store;
}

describeStoreConformance("SqliteStore", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-sqlite-"));
  const path = join(dir, "parley.sqlite");
  const store = await openSqlite(path);
  return {
    store,
    reopen: () => openSqlite(path),
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
});
