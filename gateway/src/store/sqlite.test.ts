import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeStoreConformance } from "./conformance.js";
import { SqliteStore } from "./sqlite.js";

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
    async [Symbol.asyncDispose]() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
