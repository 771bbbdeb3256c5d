/**
 * The main thread's side of the embedded store's writer thread
 * (writer-thread.js): group commit of message appends, with the
 * transaction and its fsync on another thread so the event loop keeps serving
 * requests while the disk syncs.
 *
 * Appends queue here. When the writer is idle, everything queued by the end of
 * the current event-loop turn goes to it as one batch (one IMMEDIATE
 * transaction, one fsync); while it commits, new appends queue up and become
 * the next batch as soon as it answers. One batch is in flight at a time, so
 * seqs follow the order `append` was called in. Every promise settles only
 * after its batch's transaction committed (persist before acknowledge).
 *
 * The store's other small writes on the send path (shared limiter points,
 * storage counters: {@link WriterOp}) ride in the same batches, so the event
 * loop never waits for their fsync either.
 *
 * Messages to the thread: `{ type: "append", rows, ops }` (one row per message:
 * convId, msgId, sender, ts, envelope JSON; and the other writes) and
 * `{ type: "close" }`. From it: `{ type: "ready" }` once its statements are
 * prepared, then one answer per batch, `{ type: "appended", results, opResults }`
 * (per row: the seq, the stored row of a duplicate, or null for an unknown
 * conversation; per op: `{ ok }` or `{ error, code }`) or `{ type: "failed",
 * message, code }` when the whole transaction failed.
 */
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { type AppendResult, type NewMessage, StoreNotFoundError, StoreUnavailableError } from "../port.js";
import { type MessageRow, toMessage } from "./rows.js";

/** Test-only fault injection in the writer thread, in the manner of `GatewayOptions.failpoints`. */
export interface SqliteWriterFailpoints {
  /**
   * The thread dies on receiving its `atBatch`-th batch (1-based): before
   * committing it, or after the commit but before answering. It throws an
   * uncaught error, or calls `process.exit(exitCode)` when one is given.
   */
  writerCrash?: { atBatch: number; afterCommit?: boolean; exitCode?: number };
}

export interface SqliteWriterOptions {
  /** The database file; it must exist with its schema (SqliteStore.init creates both). */
  path: string;
  busyTimeoutMs: number;
  failpoints?: SqliteWriterFailpoints | undefined;
  /**
   * Called for each message a batch stored (not for duplicates), after the
   * commit and before its append resolves: the store's send context follows
   * the conversation's `lastSeq` and `updatedAt` with it.
   */
  onStored?: ((convId: string, seq: number, ts: number) => void) | undefined;
  /**
   * Called when a batch failed or the thread is gone: the conversations of the
   * batch in flight, or every conversation, may have changed without an answer.
   */
  onUncertain?: (() => void) | undefined;
}

type Row = [convId: string, msgId: string, sender: string, ts: number, envelope: string];
type RowResult = number | MessageRow | null;

/**
 * The small writes that share a batch with the appends (writer-thread.js runs them after the
 * appends, in the same transaction), so that they never wait for an fsync on the event loop:
 * - `limit`: one point for a key of a shared limiter; answers the key's `[points, expire]`.
 * - `refund`: one point back for a key whose counter is still in its window; answers the rows changed.
 * - `sweep`: deletes the limiter counters expired before `now`; answers the rows deleted.
 * - `usage`: adds bytes to a shop's storage counter (never below 0); answers its new total.
 */
export type WriterOp =
  | [op: "limit", key: string, points: number, expireAt: number, now: number]
  | [op: "refund", key: string, now: number]
  | [op: "sweep", now: number]
  | [op: "usage", shopId: string, bytes: number];
type OpResult = { ok: unknown } | { error: string; code?: string };

type Reply =
  | { type: "ready" }
  | { type: "appended"; results: RowResult[]; opResults: OpResult[] }
  | { type: "failed"; message: string; code?: string };
type Pending = { message: NewMessage; row: Row; resolve: (r: AppendResult) => void; reject: (e: Error) => void };
type PendingOp = { op: WriterOp; resolve: (r: unknown) => void; reject: (e: Error) => void };

/** Next to this module in the source tree, next to the bundle in `dist/` (an entry of gateway/tsup.config.ts). */
const THREAD_FILE = new URL("./writer-thread.js", import.meta.url);

export class SqliteWriter {
  readonly #worker: Worker;
  /** Appends waiting for the next batch. */
  #queued: Pending[] = [];
  /** Other writes waiting for the next batch (see {@link WriterOp}). */
  #queuedOps: PendingOp[] = [];
  /** The batch the thread is committing. */
  #inFlight: Pending[] | undefined;
  #inFlightOps: PendingOp[] = [];
  #flushScheduled = false;
  /** Set once the thread is gone (crash, exit): every append fails with it from then on. */
  #failure: StoreUnavailableError | undefined;
  #crashCause: unknown;
  #closing: Promise<void> | undefined;
  #stopping = false;
  #onIdle: (() => void) | undefined;
  /** Batches sent to the thread, and the appends in them (see {@link stats}). */
  #batches = 0;
  #batchedAppends = 0;

  readonly #onStored: SqliteWriterOptions["onStored"];
  readonly #onUncertain: SqliteWriterOptions["onUncertain"];

  private constructor(worker: Worker, options: SqliteWriterOptions) {
    this.#worker = worker;
    this.#onStored = options.onStored;
    this.#onUncertain = options.onUncertain;
  }

  /** Starts the thread and waits until it has opened the database and prepared its statements. */
  static async start(options: SqliteWriterOptions): Promise<SqliteWriter> {
    const worker = new Worker(THREAD_FILE, {
      workerData: { path: options.path, busyTimeoutMs: options.busyTimeoutMs, crash: options.failpoints?.writerCrash },
      // Plain JavaScript: no loader (tsx, vitest's) is needed in the thread, so none is passed on.
      execArgv: [],
    });
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        worker.off("message", ready);
        reject(
          new StoreUnavailableError(`SqliteStore: the writer thread did not start: ${error.message}`, { cause: error }),
        );
      };
      const exited = (code: number) => failed(new Error(`it exited with code ${code}`));
      const ready = (reply: Reply) => {
        if (reply.type !== "ready") return;
        worker.off("error", failed).off("exit", exited).off("message", ready);
        resolve();
      };
      worker.on("message", ready).once("error", failed).once("exit", exited);
    });
    const writer = new SqliteWriter(worker, options);
    worker.on("message", (reply: Reply) => writer.#settle(reply));
    worker.on("error", (error) => {
      writer.#crashCause = error;
      writer.#fail(`crashed: ${error.message}`);
    });
    worker.on("messageerror", (error) => {
      writer.#fail(`sent an answer that could not be read: ${error.message}`);
      void worker.terminate();
    });
    worker.on("exit", (code) => {
      if (!writer.#stopping) writer.#fail(`exited with code ${code}`);
    });
    // An idle writer does not keep the process alive (the in-thread store never did); a batch in flight does.
    worker.unref();
    return writer;
  }

  /** Why appends fail, once the thread is gone; undefined while it runs. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Batches (transactions, one fsync each) sent to the thread so far, and the appends they
   * carried; `appends / batches` is the mean group-commit size. A batch of only small writes
   * ({@link WriterOp}) counts as a batch with no append.
   */
  stats(): { batches: number; appends: number } {
    return { batches: this.#batches, appends: this.#batchedAppends };
  }

  append(message: NewMessage): Promise<AppendResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closing) return Promise.reject(new Error("SqliteStore is closed"));
    return new Promise((resolve, reject) => {
      // Serialized here: a message that cannot be serialized fails alone, before it reaches a batch.
      const { convId, msgId, sender, ts, envelope, envelopeJson } = message;
      const row: Row = [convId, msgId, sender, ts, envelopeJson ?? JSON.stringify(envelope)];
      this.#queued.push({ message, row, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * One of the small writes of {@link WriterOp}, in the next batch: committed with its fsync on the
   * thread, resolved with the op's answer after the commit.
   */
  run(op: WriterOp): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closing) return Promise.reject(new Error("SqliteStore is closed"));
    return new Promise((resolve, reject) => {
      this.#queuedOps.push({ op, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#inFlight || this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Lets queued and in-flight appends commit (or fail), then closes the thread's connection and ends it. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#flush();
    if (this.#inFlight) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    if (this.#failure) {
      await this.#worker.terminate();
      return;
    }
    this.#stopping = true;
    this.#worker.ref();
    const exited = new Promise((resolve) => this.#worker.once("exit", resolve));
    this.#worker.postMessage({ type: "close" });
    await exited;
  }

  #flush(): void {
    if (this.#inFlight || this.#failure || (this.#queued.length === 0 && this.#queuedOps.length === 0)) return;
    const batch = this.#queued;
    const ops = this.#queuedOps;
    this.#queued = [];
    this.#queuedOps = [];
    this.#inFlight = batch;
    this.#inFlightOps = ops;
    this.#batches++;
    this.#batchedAppends += batch.length;
    this.#worker.ref();
    this.#worker.postMessage({ type: "append", rows: batch.map((p) => p.row), ops: ops.map((p) => p.op) });
  }

  #settle(reply: Reply): void {
    const batch = this.#inFlight;
    if (!batch || reply.type === "ready") return;
    const ops = this.#inFlightOps;
    this.#inFlight = undefined;
    this.#inFlightOps = [];
    if (reply.type === "failed") {
      // Rolled back, as far as SQLite says; the send context starts afresh all the same.
      this.#onUncertain?.();
      const error =
        reply.code === undefined ? new Error(reply.message) : new Database.SqliteError(reply.message, reply.code);
      for (const p of batch) p.reject(error);
      for (const p of ops) p.reject(error);
    } else {
      const stored = this.#onStored;
      if (stored) {
        for (const [i, p] of batch.entries()) {
          const result = reply.results[i];
          if (typeof result === "number") stored(p.message.convId, result, p.message.ts);
        }
      }
      for (const [i, p] of batch.entries()) settleOne(p, reply.results[i]);
      for (const [i, p] of ops.entries()) settleOp(p, reply.opResults[i]);
    }
    // What queued while this batch committed is the next batch, sent right away.
    if (this.#queued.length > 0 || this.#queuedOps.length > 0) this.#flush();
    else this.#idle();
  }

  #idle(): void {
    this.#worker.unref();
    this.#onIdle?.();
    this.#onIdle = undefined;
  }

  #fail(how: string): void {
    if (this.#failure) return;
    this.#failure = new StoreUnavailableError(
      `SqliteStore: the writer thread ${how}; appends fail until the store is reopened`,
      {
        cause: this.#crashCause,
      },
    );
    // The thread may have committed a batch it never answered.
    this.#onUncertain?.();
    const inFlight = this.#inFlight ?? [];
    const queued = this.#queued;
    const ops = [...this.#inFlightOps, ...this.#queuedOps];
    this.#inFlight = undefined;
    this.#queued = [];
    this.#inFlightOps = [];
    this.#queuedOps = [];
    for (const p of ops) p.reject(this.#failure);
    if (inFlight.length > 0) {
      // The thread may have died before or after its commit: the caller cannot tell, a retry with the same msgId can.
      const unknown = new StoreUnavailableError(
        `SqliteStore: the writer thread ${how} while committing; these messages may or may not be stored (retrying with the same msgId is safe)`,
        { cause: this.#crashCause },
      );
      for (const p of inFlight) p.reject(unknown);
    }
    for (const p of queued) p.reject(this.#failure);
    this.#idle();
  }
}

function settleOp(p: PendingOp, result: OpResult | undefined): void {
  if (result === undefined) p.reject(new Error("SqliteStore: the writer thread gave no result for this write"));
  else if ("ok" in result) p.resolve(result.ok);
  else
    p.reject(result.code === undefined ? new Error(result.error) : new Database.SqliteError(result.error, result.code));
}

function settleOne(p: Pending, result: RowResult | undefined): void {
  if (result === undefined) p.reject(new Error("SqliteStore: the writer thread gave no result for this message"));
  else if (result === null) p.reject(new StoreNotFoundError(`conversation ${p.message.convId} does not exist`));
  else if (typeof result === "number") {
    const { convId, msgId, sender, ts, envelope } = p.message;
    p.resolve({ message: { convId, seq: result, msgId, sender, ts, envelope }, duplicate: false });
  } else p.resolve({ message: toMessage(result), duplicate: true });
}
