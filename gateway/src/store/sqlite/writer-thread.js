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

// IMMEDIATE takes the write lock up front, so no other connection (the main
// thread's, another process's) can read the same last_seq in between. One
// transaction per batch: one fsync however many messages it holds.
const appendBatch = db.transaction((rows) => rows.map(appendOne)).immediate;

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
    reply = { type: "appended", results: appendBatch(request.rows) };
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
