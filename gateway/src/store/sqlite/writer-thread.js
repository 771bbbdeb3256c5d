// The embedded store's writer thread: commits message appends on its own
// better-sqlite3 connection, so the transaction and its fsync never block the
// gateway's event loop. Started by `SqliteWriter` (writer.ts), which
// documents the messages exchanged; the SQL of an append is in
// append-sql.js.
//
// Plain JavaScript on purpose: it runs as is from the source tree (vitest,
// tsx) and, copied by tsup, from `dist/` without a TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { BUMP_CONVERSATION, INSERT_MESSAGE, LAST_SEQ, MESSAGE_BY_MSG_ID } from "./append-sql.js";

/** @type {{ path: string; busyTimeoutMs: number; crash?: { atBatch: number; afterCommit?: boolean; exitCode?: number } }} */
const { path, busyTimeoutMs, crash } = workerData;
const port = parentPort;
if (!port) throw new Error("writer-thread.js runs only as a worker thread");

// The main thread created the file and its schema; never start an empty one here.
const db = new Database(path, { timeout: busyTimeoutMs, fileMustExist: true });
db.pragma("journal_mode = WAL");
// Per connection, so set here too: each commit is fsynced before its appends are acknowledged.
db.pragma("synchronous = FULL");

const byMsgId = db.prepare(MESSAGE_BY_MSG_ID);
const lastSeq = db.prepare(LAST_SEQ).pluck();
const insert = db.prepare(INSERT_MESSAGE);
const bump = db.prepare(BUMP_CONVERSATION);
// The small writes of `WriterOp` (writer.ts). A limiter counter as rate-limiter-flexible's SQLite
// limiter keeps it (the same table and rows), so a file written before keeps its counts.
const limit = db.prepare(`INSERT INTO rate_limits (key, points, expire) VALUES (?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN expire IS NULL OR expire > ? THEN points + excluded.points ELSE excluded.points END,
    expire = CASE WHEN expire IS NULL OR expire > ? THEN expire ELSE excluded.expire END
  RETURNING points, expire`);
const refund = db.prepare(
  "UPDATE rate_limits SET points = points - 1 WHERE key = ? AND points > 0 AND (expire IS NULL OR expire > ?)",
);
const sweep = db.prepare("DELETE FROM rate_limits WHERE expire < ?");
const usage = db
  .prepare(`INSERT INTO shop_usage (shop_id, bytes) VALUES (@shop, max(0, @bytes))
    ON CONFLICT (shop_id) DO UPDATE SET bytes = max(0, bytes + @bytes) RETURNING bytes`)
  .pluck();

/**
 * One message: the stored row when (convId, msgId) exists already, `null` for
 * an unknown conversation (it writes nothing, so the rest of the batch still
 * commits), else the seq it was stored under.
 * @param {[convId: string, msgId: string, sender: string, ts: number, envelope: string]} m
 */
function appendOne([convId, msgId, sender, ts, envelope]) {
  const existing = byMsgId.get(convId, msgId);
  if (existing) return existing;
  const last = lastSeq.get(convId);
  if (last === undefined) return null;
  const seq = last + 1;
  insert.run(convId, seq, msgId, sender, ts, envelope);
  bump.run(seq, ts, convId);
  return seq;
}

/**
 * One small write; its error is its own answer (SQLite undid that statement), so the rest of
 * the batch still commits.
 * @param {any[]} op
 */
function runOp(op) {
  try {
    switch (op[0]) {
      case "limit": {
        const [, key, points, expireAt, now] = op;
        const row = limit.get(key, points, expireAt, now, now);
        return { ok: [row.points, row.expire] };
      }
      case "refund":
        return { ok: refund.run(op[1], op[2]).changes };
      case "sweep":
        return { ok: sweep.run(op[1]).changes };
      case "usage":
        return { ok: usage.get({ shop: op[1], bytes: Math.trunc(op[2]) }) ?? 0 };
      default:
        return { error: `unknown write ${String(op[0])}` };
    }
  } catch (error) {
    return { error: String(error?.message ?? error), code: error?.code };
  }
}

// IMMEDIATE takes the write lock up front, so no other connection (the main
// thread's, another process's) can read the same last_seq in between. One
// transaction per batch: one fsync however many messages and writes it holds.
const appendBatch = db.transaction((rows, ops) => ({
  results: rows.map(appendOne),
  opResults: (ops ?? []).map(runOp),
})).immediate;

let batches = 0;
port.on("message", (request) => {
  if (request.type === "close") {
    db.close();
    process.exit(0);
  }
  batches++;
  if (crash && crash.atBatch === batches && !crash.afterCommit) die();
  let reply;
  try {
    reply = { type: "appended", ...appendBatch(request.rows, request.ops) };
  } catch (error) {
    reply = { type: "failed", message: String(error?.message ?? error), code: error?.code };
  }
  if (crash && crash.atBatch === batches && crash.afterCommit) die();
  port.postMessage(reply);
});
port.postMessage({ type: "ready" });

/** Test failpoint (SqliteStoreOptions.failpoints): the thread dies the way a bug or a kill would end it. */
function die() {
  if (crash?.exitCode !== undefined) process.exit(crash.exitCode);
  throw new Error("failpoint: the writer thread crashed");
}
