/**
 * The embedded store's writer thread: group commit off the event loop with the
 * semantics the in-thread commit had. Real SQLite files in temp dirs, a real
 * worker thread, and for kills a real second process.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { type AppendResult, StoreNotFoundError, StoreUnavailableError } from "../port.js";
import { SqliteStore } from "./store.js";
import { conversation, createConversations, message, openStore, range, T0, tempStore, turns } from "./test-kit.js";

const CHILD = fileURLToPath(new URL("./append-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Every message of a conversation, oldest first. */
const all = (store: SqliteStore, convId: string) => store.since(convId, 0, 100_000);

describe("SqliteStore appends on the writer thread", () => {
  it("refuses an in-memory database, which the writer thread's connection could not see", () => {
    expect(() => new SqliteStore({ path: ":memory:" })).toThrow(/writer thread/);
  });

  it("stores a msgId repeated within one batch once and answers the repeat as a duplicate", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await createConversations(store, ["c1"]);
    // Called in one turn: one batch.
    const results = await Promise.all([
      store.append(message("c1", "a", T0 + 1)),
      store.append(message("c1", "b", T0 + 2)),
      store.append(message("c1", "a", T0 + 3)),
    ]);
    expect(results.map((r) => [r.message.msgId, r.message.seq, r.duplicate])).toEqual([
      ["a", 1, false],
      ["b", 2, false],
      ["a", 1, true],
    ]);
    // The duplicate answers the stored message, not the repeat's fields.
    expect(results[2]?.message).toEqual(results[0]?.message);
    expect((await all(store, "c1")).map((m) => m.msgId)).toEqual(["a", "b"]);
  });

  it("counts the batches it commits and the appends in them (the bench's messages per batch)", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await createConversations(store, ["c1", "c2"]);
    const before = store.writerStats;
    // Called in one turn: one batch of three.
    await Promise.all([
      store.append(message("c1", "a", T0 + 1)),
      store.append(message("c2", "b", T0 + 2)),
      store.append(message("c1", "c", T0 + 3)),
    ]);
    await store.append(message("c2", "d", T0 + 4));
    const after = store.writerStats;
    expect({ batches: after.batches - before.batches, appends: after.appends - before.appends }).toEqual({
      batches: 2,
      appends: 4,
    });
  });

  it("answers a msgId repeated in a later batch, even while the first is committing, as a duplicate", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await createConversations(store, ["c1"]);
    const first = store.append(message("c1", "x", T0 + 1));
    await turns(1); // the first batch is on its way to the writer
    const whileCommitting = store.append(message("c1", "x", T0 + 2));
    const [a, b] = await Promise.all([first, whileCommitting]);
    const later = await store.append(message("c1", "x", T0 + 3));
    expect(a.duplicate).toBe(false);
    expect([b, later]).toEqual([
      { message: a.message, duplicate: true },
      { message: a.message, duplicate: true },
    ]);
    expect(await all(store, "c1")).toEqual([a.message]);
  });

  it("fails only the append to an unknown conversation in a batch, with the not-found error", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await createConversations(store, ["c1", "c2"]);
    const settled = await Promise.allSettled([
      store.append(message("c1", "m1")),
      store.append(message("c-unknown", "m1")),
      store.append(message("c2", "m1")),
      store.append(message("c1", "m2")),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const reason = (settled[1] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(StoreNotFoundError);
    expect(reason).toHaveProperty("message", "conversation c-unknown does not exist");
    expect((await all(store, "c1")).map((m) => m.seq)).toEqual([1, 2]);
    expect((await all(store, "c2")).map((m) => m.seq)).toEqual([1]);
    expect(await store.getConversation("c-unknown")).toBeUndefined();
  });

  it("shows an append to reads on the store as soon as it resolved, with the conversation's lastSeq and time", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    const convIds = ["c1", "c2", "c3"];
    await createConversations(store, convIds);
    const checks: Promise<void>[] = [];
    for (const i of range(1, 150)) {
      // Ten at a time, a turn apart: some reach the writer while it is idle, some while it commits.
      if (i % 10 === 0) await turns(1);
      const convId = convIds[i % 3] ?? "";
      const check = store.append(message(convId, `m${i}`, T0 + i)).then(async ({ message: m }) => {
        // The three reads run their SQL right here in the continuation, when they are called.
        const [since, history, conv] = await Promise.all([
          store.since(convId, m.seq - 1, 1),
          store.history(convId, m.seq + 1, 1),
          store.getConversation(convId),
        ]);
        expect(since).toEqual([m]);
        expect(history).toEqual([m]);
        expect(conv?.lastSeq).toBeGreaterThanOrEqual(m.seq);
        expect(conv?.updatedAt).toBeGreaterThanOrEqual(m.ts);
      });
      checks.push(check);
    }
    await Promise.all(checks);
    for (const convId of convIds) expect((await store.getConversation(convId))?.lastSeq).toBe(50);
  });

  it("keeps every conversation gapless when two stores on one file append and write other rows at once", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    const other = await openStore(fx.path);
    try {
      const convIds = range(1, 4).map((i) => `c${i}`);
      await createConversations(store, convIds);
      const jobs: Promise<unknown>[] = [];
      for (const round of range(1, 10)) {
        for (const [i, convId] of convIds.entries()) {
          for (const k of range(1, 5)) {
            const s = (round + i + k) % 2 ? store : other;
            jobs.push(s.append(message(convId, `m${round}-${k % 4}`)));
          }
          // Writes on the main connections take turns with both writer threads for the lock.
          const s = round % 2 ? other : store;
          jobs.push(s.setReadMarker({ convId, principalId: "p-reader", seq: round, at: T0 + round }));
          jobs.push(s.createConversation(conversation(`extra-${round}-${i}`)));
        }
        await turns(round % 3);
      }
      await Promise.all(jobs);
      for (const convId of convIds) {
        const stored = await all(other, convId);
        expect(stored.map((m) => m.seq)).toEqual(range(1, 40));
        expect(new Set(stored.map((m) => m.msgId)).size).toBe(40);
        expect((await store.getConversation(convId))?.lastSeq).toBe(40);
      }
    } finally {
      await other.close();
    }
  });

  it("commits every queued and in-flight append when closed mid-stream, then refuses new ones", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await createConversations(store, ["c1"]);
    const early = range(1, 100).map((i) => store.append(message("c1", `m${i}`)));
    await turns(1); // the first batch is committing
    const late = range(101, 200).map((i) => store.append(message("c1", `m${i}`)));
    const closed = store.close();
    await expect(store.append(message("c1", "after"))).rejects.toThrow("SqliteStore is closed");
    const settled = await Promise.allSettled([...early, ...late]);
    await closed;
    expect(settled.filter((s) => s.status === "rejected")).toEqual([]);
    const reopened = await openStore(fx.path);
    try {
      expect((await all(reopened, "c1")).map((m) => m.msgId)).toEqual(range(1, 200).map((i) => `m${i}`));
    } finally {
      await reopened.close();
    }
  });

  it("fails a batch whose transaction cannot get the write lock, and keeps committing the next ones", async () => {
    await using fx = await tempStore({ busyTimeoutMs: 50 });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    const holder = new Database(fx.path);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const blocked = await Promise.allSettled([store.append(message("c1", "a")), store.append(message("c1", "b"))]);
      holder.exec("COMMIT");
      for (const s of blocked) {
        expect(s.status).toBe("rejected");
        const reason = (s as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(Database.SqliteError);
        expect(reason).toHaveProperty("code", "SQLITE_BUSY");
      }
      expect(await store.append(message("c1", "a"))).toMatchObject({ message: { seq: 1 }, duplicate: false });
      expect((await all(store, "c1")).map((m) => m.msgId)).toEqual(["a"]);
    } finally {
      holder.close();
    }
  });
});

describe("SqliteStore when its writer thread dies", () => {
  it("rejects the batch it was committing and every queued append, then fails fast and reports unready", async () => {
    await using fx = await tempStore({ failpoints: { writerCrash: { atBatch: 2 } } });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    expect((await store.append(message("c1", "m1"))).message.seq).toBe(1); // batch 1
    const inFlight = range(2, 6).map((i) => store.append(message("c1", `m${i}`))); // batch 2: the crash
    await turns(1);
    const queued = range(7, 9).map((i) => store.append(message("c1", `m${i}`)));
    const settled = await Promise.allSettled([...inFlight, ...queued]);
    const reasons = settled.map((s) => (s.status === "rejected" ? (s.reason as Error) : undefined));
    for (const reason of reasons) expect(reason).toBeInstanceOf(StoreUnavailableError);
    expect(reasons[0]?.message).toMatch(/writer thread crashed: failpoint.*may or may not be stored/);
    expect(reasons[6]?.message).toMatch(/writer thread crashed: failpoint.*until the store is reopened/);
    await expect(store.append(message("c1", "m10"))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    // Reads still work; it died before committing batch 2.
    expect((await all(store, "c1")).map((m) => m.msgId)).toEqual(["m1"]);
  });

  it("rejects a batch committed just before it exited, and a retry in a new store finds those messages", async () => {
    await using fx = await tempStore({ failpoints: { writerCrash: { atBatch: 1, afterCommit: true, exitCode: 3 } } });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    const settled = await Promise.allSettled([store.append(message("c1", "a")), store.append(message("c1", "b"))]);
    for (const s of settled) {
      expect(s.status).toBe("rejected");
      expect((s as PromiseRejectedResult).reason).toHaveProperty(
        "message",
        expect.stringMatching(/exited with code 3 while committing.*may or may not be stored/),
      );
    }
    await store.close();
    const reopened = await openStore(fx.path);
    try {
      const retried = await Promise.all([reopened.append(message("c1", "a")), reopened.append(message("c1", "b"))]);
      expect(retried.map((r) => [r.message.seq, r.duplicate])).toEqual([
        [1, true],
        [2, true],
      ]);
    } finally {
      await reopened.close();
    }
  });
});

describe("SqliteStore across processes", () => {
  it("keeps every acknowledged append of a process killed with SIGKILL, while another process appends too", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    const convIds = ["c1", "c2", "c3"];
    await createConversations(store, convIds);
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", CHILD, fx.path, "child", ...convIds],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_code, signal) => resolve(signal)),
    );
    const childAcks = new Map<string, number>();
    // This process appends to the same conversations until the child has acknowledged 300 of its own.
    const ours: Promise<AppendResult>[] = [];
    let n = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 8; i++, n++) ours.push(store.append(message(convIds[n % 3] ?? "", `parent-${n}`)));
    }, 2);
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        const [kind, convId, msgId, seq] = line.split(" ");
        if (kind !== "ack" || !convId || !msgId) continue;
        childAcks.set(`${convId} ${msgId}`, Number(seq));
        if (childAcks.size === 300) child.kill("SIGKILL");
      }
    } finally {
      clearInterval(pump);
    }
    expect(await exited, `the child should be killed, not fail: ${stderr}`).toBe("SIGKILL");
    const parentAcks = await Promise.all(ours);
    expect(parentAcks.length).toBeGreaterThan(0);

    const reopened = await openStore(fx.path);
    try {
      const stored = new Map<string, number>();
      for (const convId of convIds) {
        const messages = await all(reopened, convId);
        expect(messages.map((m) => m.seq)).toEqual(range(1, messages.length));
        expect((await reopened.getConversation(convId))?.lastSeq).toBe(messages.length);
        for (const m of messages) stored.set(`${convId} ${m.msgId}`, m.seq);
      }
      for (const [key, seq] of childAcks) expect(stored.get(key), key).toBe(seq);
      for (const r of parentAcks) expect(stored.get(`${r.message.convId} ${r.message.msgId}`)).toBe(r.message.seq);
    } finally {
      await reopened.close();
    }
  });
});
