/**
 * Several gateway processes on one machine: `parley-gateway --workers N` (or
 * `PARLEY_WORKERS=N`). The process started becomes a supervisor (the
 * `node:cluster` primary) that forks N workers; each worker is a whole gateway,
 * connected to NATS in the responders' queue group and listening on the shared
 * HTTP port (the supervisor accepts connections and hands them to the workers in
 * turn). Workers share nothing but the store, NATS and the port, as gateways on
 * several machines do, so what is safe with several gateways is safe here:
 * the connection watcher (ADR 0038: each one kicks the same connections, a
 * second KICK is a no-op), the file sweep (only the worker whose delete
 * succeeded gives the bytes back), presence (every gateway keeps the table).
 * What is not run N times: `PARLEY_SHOPS_FILE` is loaded by worker 1 alone,
 * which starts first; the others start once it listens. See ADR 0043.
 *
 * A worker that exits is started again after a back-off; SIGTERM or SIGINT
 * drains every worker and the supervisor exits 0.
 */
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import { ConfigError } from "./errors.js";

/** Set by the supervisor in each worker's environment: the worker's number, 1 to N. */
export const WORKER_ENV = "PARLEY_WORKER";
/** The IPC message the supervisor sends a worker to drain and exit. */
const STOP_MESSAGE = "parley:stop";
/** More workers than this is a typo, not a machine. */
const MAX_WORKERS = 256;

/** This process's worker number under a supervisor, or undefined when it runs alone. */
export function workerNumber(env: Record<string, string | undefined> = process.env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const n = Number(env[WORKER_ENV]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The worker count asked for: `--workers N` / `--workers=N` in `argv`, else `PARLEY_WORKERS`;
 * undefined when neither is given. Anything but a whole number from 1 to 256 is a {@link ConfigError}.
 */
export function requestedWorkers(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): number | undefined {
  let raw: string | undefined;
  let source = "PARLEY_WORKERS";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--workers") {
      raw = argv[i + 1] ?? "";
      source = "--workers";
    } else if (arg.startsWith("--workers=")) {
      raw = arg.slice("--workers=".length);
      source = "--workers";
    }
  }
  if (raw === undefined) {
    raw = env.PARLEY_WORKERS;
    if (raw === undefined || raw.trim() === "") return undefined;
  }
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > MAX_WORKERS) {
    throw new ConfigError([`${source}: must be a whole number from 1 to ${MAX_WORKERS}, got "${raw}"`]);
  }
  return n;
}

/**
 * How many gateway processes to run: the count asked for, else one per core with a MongoDB store
 * and one with the embedded SQLite store. More than one on SQLite is a {@link ConfigError}: the
 * embedded store takes a single writer process.
 */
export function resolveWorkers(
  requested: number | undefined,
  store: { mongodbUri: string | undefined },
  cores: number = availableParallelism(),
): number {
  if (store.mongodbUri) return requested ?? Math.max(1, cores);
  if (requested !== undefined && requested > 1) {
    throw new ConfigError([
      `--workers ${requested}: the embedded SQLite store allows one gateway process (a single writer); ` +
        "set MONGODB_URI to run several workers, or run one",
    ]);
  }
  return 1;
}

/**
 * Calls `stop` once when this process is asked to stop: SIGTERM, SIGINT, or the supervisor's stop
 * message. A repeated signal (a terminal's Ctrl-C reaches the supervisor and every worker) does not
 * cut the drain short.
 */
export function onStopRequest(stop: (reason: string) => void): void {
  let stopping = false;
  const once = (reason: string) => {
    if (stopping) return;
    stopping = true;
    stop(reason);
  };
  process.on("SIGTERM", () => once("SIGTERM"));
  process.on("SIGINT", () => once("SIGINT"));
  process.on("message", (message) => {
    if (message === STOP_MESSAGE) once("supervisor");
  });
}

export interface SupervisorOptions {
  /** Gateway processes to run. */
  workers: number;
  log: Logger;
  /** First wait before a worker that exited is started again, ms; doubles on every exit in a row. @default 1000 */
  backoffMs?: number;
  /** Longest wait before a restart, ms. @default 30000 */
  maxBackoffMs?: number;
  /** A worker that served this long before it exited counts as healthy: its next restart waits `backoffMs`. @default 60000 */
  steadyMs?: number;
  /** How long a worker may take to drain on stop before it is killed, ms. @default 30000 */
  stopGraceMs?: number;
}

interface Slot {
  n: number;
  worker: Worker | undefined;
  startedAt: number;
  /** Exits in a row, each within `steadyMs` of its start. */
  failures: number;
  listened: boolean;
  restart: NodeJS.Timeout | undefined;
}

/**
 * Runs the supervisor in the `node:cluster` primary (this process): forks worker 1, waits until it
 * listens, forks the others, restarts any that exits, drains them all on SIGTERM/SIGINT. Resolves
 * with the exit code: 0 after a stop, or the code of worker 1 when it fails before it ever listened
 * (2: bad configuration), so a gateway that cannot start is not restarted forever.
 */
export function superviseWorkers(options: SupervisorOptions): Promise<number> {
  if (!cluster.isPrimary) throw new Error("superviseWorkers runs in the cluster primary only");
  const o = { backoffMs: 1000, maxBackoffMs: 30_000, steadyMs: 60_000, stopGraceMs: 30_000, ...options };
  const log = o.log.child({ role: "supervisor" });
  const slots: Slot[] = Array.from({ length: o.workers }, (_, i) => ({
    n: i + 1,
    worker: undefined,
    startedAt: 0,
    failures: 0,
    listened: false,
    restart: undefined,
  }));
  let stopping = false;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const alive = () => slots.filter((s) => s.worker !== undefined);
  const end = (code: number) => {
    if (alive().length === 0) finish(code);
  };

  const fork = (slot: Slot) => {
    slot.restart = undefined;
    const worker = cluster.fork({ [WORKER_ENV]: String(slot.n) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.once("listening", () => {
      const first = !slot.listened;
      slot.listened = true;
      log.info({ worker: slot.n, pid: worker.process.pid }, "worker listening");
      // Worker 1 has loaded the shops file and the store's indexes: the others may start.
      if (first && slot.n === 1 && !stopping) for (const other of slots.slice(1)) fork(other);
    });
    worker.once("exit", (code, signal) => onExit(slot, worker, code, signal));
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null) => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    if (stopping) {
      log.info({ worker: slot.n, code, signal }, "worker stopped");
      end(0);
      return;
    }
    if (slot.n === 1 && !slot.listened) {
      // Worker 1 never came up (the others start after it): the configuration, the store or NATS is
      // wrong. Said once, not restarted forever.
      log.error({ worker: slot.n, code, signal }, "worker 1 failed to start; stopping");
      stopping = true;
      finish(code === 2 ? 2 : 1);
      return;
    }
    slot.failures = Date.now() - slot.startedAt >= o.steadyMs ? 1 : slot.failures + 1;
    const waitMs = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** (slot.failures - 1));
    log.warn({ worker: slot.n, pid: worker.process.pid, code, signal, restartInMs: waitMs }, "worker exited");
    slot.restart = setTimeout(() => {
      if (!stopping) fork(slot);
    }, waitMs);
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason, workers: alive().length }, "stopping workers");
    for (const slot of slots) clearTimeout(slot.restart);
    for (const slot of alive()) {
      const worker = slot.worker as Worker;
      // Asked over IPC, not by signal: a worker that also got the terminal's SIGINT drains only once.
      if (worker.isConnected()) worker.send(STOP_MESSAGE);
      else worker.process.kill("SIGTERM");
      setTimeout(() => {
        if (slot.worker === worker) {
          log.warn({ worker: slot.n }, "worker did not drain in time; killing it");
          worker.process.kill("SIGKILL");
        }
      }, o.stopGraceMs).unref();
    }
    end(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  log.info({ workers: o.workers }, "starting workers");
  fork(slots[0] as Slot);
  return done;
}
