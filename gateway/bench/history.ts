/**
 * History cost against conversation length: one conversation of 1,000 and one
 * of 1,000,000 messages (100,000 in quick mode), seeded straight into the
 * embedded store's file before the gateway opens it, then the newest page of 50
 * fetched through the gateway's `msg.history` RPC over NATS.
 */
import { join } from "node:path";
import type { ParleyClient } from "@parley/sdk";
import Database from "better-sqlite3";
import { SqliteStore } from "../src/store/sqlite/store.js";
import { sampleEnvelope } from "./baselines.js";
import { now, percentile, round } from "./stats.js";

export interface SeedResult {
  convId: string;
  messages: number;
  seconds: number;
}

/**
 * Inserts a conversation of `count` messages into `<dataDir>/parley.sqlite`
 * with better-sqlite3 in one transaction (nothing else has the file open).
 * The msgIds grow with seq, so the unique (conv_id, msg_id) index is filled in
 * order; real msgIds are random, which changes seeding speed, not the newest-page
 * lookup measured afterwards.
 */
export async function seedConversation(
  dataDir: string,
  shopId: string,
  convId: string,
  count: number,
): Promise<SeedResult> {
  const path = join(dataDir, "parley.sqlite");
  // The conversation through the store's own API (so it follows schema changes), then the messages raw.
  const store = new SqliteStore({ path });
  await store.init();
  const t = Date.now() - count;
  await store.createConversation({
    id: convId,
    shopId,
    status: "open",
    createdBy: "p_seed",
    createdAt: t,
    updatedAt: t,
    lastSeq: 0,
    epoch: 0,
  });
  await store.close();
  const started = now();
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    db.prepare("UPDATE conversations SET last_seq = ?, updated_at = ? WHERE id = ?").run(count, Date.now(), convId);
    const insert = db.prepare(
      "INSERT INTO messages (conv_id, seq, msg_id, sender, ts, envelope) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const envelope = JSON.stringify(sampleEnvelope(convId, "m_seed_000000000000"));
    const seed = db.transaction(() => {
      for (let seq = 1; seq <= count; seq++) {
        insert.run(convId, seq, `m_seed_${String(seq).padStart(12, "0")}`, "p_seed", t + seq, envelope);
      }
    });
    seed();
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return { convId, messages: count, seconds: round((now() - started) / 1000, 2) };
}

/** `requests` newest-page fetches per conversation, interleaved; p50/p99 each. */
export async function timeHistory(
  agent: ParleyClient,
  convIds: string[],
  requests: number,
): Promise<Record<string, { p50_ms: number; p99_ms: number; page: number }>> {
  const samples = new Map<string, number[]>(convIds.map((id) => [id, []]));
  const pages = new Map<string, number>();
  // Warm-up (JIT, the store's page cache), then the timed rounds, alternating which conversation goes first.
  for (let i = 0; i < 20; i++) {
    for (const id of convIds) await agent.request("msg.history", { convId: id, limit: 50 });
  }
  for (let i = 0; i < requests; i++) {
    for (const id of i % 2 === 0 ? convIds : [...convIds].reverse()) {
      const t = now();
      const page = await agent.request("msg.history", { convId: id, limit: 50 });
      samples.get(id)?.push(now() - t);
      pages.set(id, page.messages.length);
    }
  }
  return Object.fromEntries(
    convIds.map((id) => {
      const s = samples.get(id) ?? [];
      return [
        id,
        { p50_ms: round(percentile(s, 50), 3), p99_ms: round(percentile(s, 99), 3), page: pages.get(id) ?? 0 },
      ];
    }),
  );
}
