/**
 * Measured evidence for proposed hot-path changes (no gateway code is changed
 * here): the embedded store's append statements (sqlite/append-sql.js), run
 * as the store's writer thread runs them (WAL, synchronous = FULL, one
 * IMMEDIATE transaction), with `batch` appends per transaction: one fsync per
 * batch.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId } from "@parley/sdk/protocol";
import Database from "better-sqlite3";
import { BUMP_CONVERSATION, INSERT_MESSAGE, LAST_SEQ, MESSAGE_BY_MSG_ID } from "../src/store/sqlite/append-sql.js";
import { SqliteStore } from "../src/store/sqlite/store.js";
import { sampleEnvelope } from "./baselines.js";
import { now, round } from "./stats.js";

export async function sqliteGroupCommit(
  batches: number[],
  opts: { conversations: number; ms: number },
): Promise<{ batch: number; appends_per_s: number; commit_p99_ms: number }[]> {
  const out: { batch: number; appends_per_s: number; commit_p99_ms: number }[] = [];
  for (const batch of batches) {
    const dir = await mkdtemp(join(tmpdir(), "parley-bench-gc-"));
    try {
      const path = join(dir, "parley.sqlite");
      const convs = Array.from({ length: opts.conversations }, () => randomId("cv_"));
      const store = new SqliteStore({ path });
      await store.init();
      for (const id of convs) {
        const conv = { id, shopId: "shop_bench", status: "open" as const, createdBy: "p", createdAt: 0, updatedAt: 0 };
        await store.createConversation({ ...conv, lastSeq: 0, epoch: 0 });
      }
      await store.close();
      const db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      const byMsgId = db.prepare(MESSAGE_BY_MSG_ID);
      const lastSeq = db.prepare(LAST_SEQ).pluck();
      const insert = db.prepare(INSERT_MESSAGE);
      const bump = db.prepare(BUMP_CONVERSATION);
      const commit = db.transaction((items: { convId: string; msgId: string }[]) => {
        for (const m of items) {
          if (byMsgId.get(m.convId, m.msgId)) continue;
          const seq = (lastSeq.get(m.convId) as number) + 1;
          insert.run(m.convId, seq, m.msgId, "p_bench", Date.now(), JSON.stringify(sampleEnvelope(m.convId, m.msgId)));
          bump.run(seq, Date.now(), m.convId);
        }
      }).immediate;
      const commits: number[] = [];
      let appended = 0;
      const start = now();
      while (now() - start < opts.ms) {
        const items = Array.from({ length: batch }, (_, i) => ({
          convId: convs[(appended + i) % convs.length] ?? "",
          msgId: randomId(),
        }));
        const t = now();
        commit(items);
        commits.push(now() - t);
        appended += batch;
      }
      const seconds = (now() - start) / 1000;
      commits.sort((a, b) => a - b);
      const p99 = commits[Math.min(commits.length - 1, Math.ceil(commits.length * 0.99) - 1)] ?? 0;
      out.push({ batch, appends_per_s: Math.round(appended / seconds), commit_p99_ms: round(p99, 3) });
      db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}
