/**
 * Writes on the gateway's own connection while another connection holds the
 * write lock (the writer thread committing a batch, or another process): they
 * wait on timers, so the event loop keeps serving, and they land once the lock
 * is free, or fail with SQLITE_BUSY after `busyTimeoutMs` having written
 * nothing.
 */
import type { EpochCommit } from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { conversation, T0, tempStore } from "./test-kit.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const principal = {
  id: "p_busy",
  kind: "customer" as const,
  shopId: "shop-1",
  externalId: "ext-busy",
  displayName: "Before",
  createdAt: T0,
};

describe("SqliteStore writes while another connection holds the write lock", () => {
  it("return at once, let other work run, and land when the lock is released", async () => {
    await using t = await tempStore();
    await t.store.ensurePrincipal(principal);
    await t.store.createConversation(conversation("cv_busy"));
    const other = new Database(t.path);
    try {
      other.exec("BEGIN IMMEDIATE");
      // With SQLite's own busy handler these calls would block this thread until the lock is free, which in
      // one thread is never: they would throw SQLITE_BUSY after the busy timeout instead of waiting.
      const name = t.store.setDisplayName(principal.id, "After");
      const marker = t.store.setReadMarker({ convId: "cv_busy", principalId: principal.id, seq: 0, at: T0 });
      const commit = t.store.updateConversation("cv_busy", { status: "closed" }, T0 + 1);
      const settled: string[] = [];
      void name.then(() => settled.push("name"));
      void commit.then(() => settled.push("commit"));
      await sleep(30);
      expect(settled).toEqual([]);
      // Reads go on meanwhile (WAL): they see the last committed state.
      expect((await t.store.getPrincipal(principal.id))?.displayName).toBe("Before");
      other.exec("COMMIT");
      await Promise.all([name, marker, commit]);
      expect((await t.store.getPrincipal(principal.id))?.displayName).toBe("After");
      expect((await t.store.getConversation("cv_busy"))?.status).toBe("closed");
    } finally {
      other.close();
    }
  });

  it("give up with SQLITE_BUSY after busyTimeoutMs and leave nothing written", async () => {
    await using t = await tempStore({ busyTimeoutMs: 60 });
    await t.store.ensurePrincipal(principal);
    const other = new Database(t.path);
    try {
      other.exec("BEGIN IMMEDIATE");
      await expect(t.store.setDisplayName(principal.id, "After")).rejects.toMatchObject({
        code: expect.stringMatching(/^SQLITE_BUSY/),
      });
      other.exec("ROLLBACK");
      expect((await t.store.getPrincipal(principal.id))?.displayName).toBe("Before");
    } finally {
      other.close();
    }
  });

  it("retry a whole epoch-commit transaction that met the lock, exactly once", async () => {
    await using t = await tempStore();
    await t.store.createConversation(conversation("cv_epoch"));
    const other = new Database(t.path);
    try {
      other.exec("BEGIN IMMEDIATE");
      // A well-formed commit: both adapters check a commit's fields (store/rules/records.ts) before storing it.
      const commit: EpochCommit = {
        v: 1,
        convId: "cv_epoch",
        epoch: 1,
        prevHash: "",
        committer: { principalId: "p-owner", deviceId: "d_1" },
        members: [],
        wraps: [],
        teamWrap: "",
        historyPolicy: "none",
        reason: "create",
        ts: T0,
        teamVersion: 0,
        sig: "sig",
        teamSig: "",
      };
      const pending = t.store.appendCommit(commit);
      await sleep(20);
      other.exec("COMMIT");
      expect(await pending).toEqual({ accepted: true, head: 1 });
      expect((await t.store.listCommits("cv_epoch", 0, 10)).map((c) => c.epoch)).toEqual([1]);
      expect((await t.store.getConversation("cv_epoch"))?.epoch).toBe(1);
    } finally {
      other.close();
    }
  });
});
