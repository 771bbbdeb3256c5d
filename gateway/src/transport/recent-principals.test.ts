import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PrincipalRecord } from "../store/port.js";
import { SqliteStore } from "../store/sqlite/store.js";
import { RecentPrincipals } from "./recent-principals.js";

describe("RecentPrincipals", () => {
  let dir: string;
  let store: SqliteStore;
  let clock = 0;
  const now = () => clock;

  const principal = (id: string, displayName = id): PrincipalRecord => ({
    id,
    kind: "customer",
    shopId: "shop_1",
    externalId: `ext_${id}`,
    displayName,
    createdAt: 1,
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-recent-principals-"));
    store = new SqliteStore({ path: join(dir, "parley.db") });
    await store.init();
    clock = 1_000;
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers from memory within the time to live, and reads the store again after it", async () => {
    await store.ensurePrincipal(principal("p_a", "Ann"));
    const recent = new RecentPrincipals({ store, ttlMs: 2_000, now });
    expect((await recent.get("p_a"))?.displayName).toBe("Ann");
    await store.setDisplayName("p_a", "Anna");
    clock += 1_999;
    expect((await recent.get("p_a"))?.displayName).toBe("Ann");
    clock += 1;
    expect((await recent.get("p_a"))?.displayName).toBe("Anna");
  });

  it("reads the store again for a principal it was told to forget", async () => {
    await store.ensurePrincipal(principal("p_a", "Ann"));
    const recent = new RecentPrincipals({ store, now });
    await recent.get("p_a");
    await store.setDisplayName("p_a", "Anna");
    recent.forget("p_a");
    expect((await recent.get("p_a"))?.displayName).toBe("Anna");
  });

  it("never keeps an unknown principal: one created later is found at once", async () => {
    const recent = new RecentPrincipals({ store, now });
    expect(await recent.get("p_new")).toBeUndefined();
    await store.ensurePrincipal(principal("p_new"));
    expect((await recent.get("p_new"))?.id).toBe("p_new");
  });

  it("holds at most maxEntries, dropping the least recently used", async () => {
    for (const id of ["p_1", "p_2", "p_3"]) await store.ensurePrincipal(principal(id, "old"));
    const recent = new RecentPrincipals({ store, maxEntries: 2, now });
    await recent.get("p_1");
    await recent.get("p_2");
    await recent.get("p_1"); // p_2 is now the least recently used
    await recent.get("p_3");
    expect(recent.size).toBe(2);
    for (const id of ["p_1", "p_2", "p_3"]) await store.setDisplayName(id, "new");
    expect((await recent.get("p_1"))?.displayName).toBe("old");
    expect((await recent.get("p_3"))?.displayName).toBe("old");
    expect((await recent.get("p_2"))?.displayName).toBe("new");
  });
});
