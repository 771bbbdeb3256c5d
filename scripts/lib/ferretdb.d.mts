/** The FerretDB version built and used by the tests and the demo. */
export declare const FERRETDB_VERSION: string;

/**
 * Returns a FerretDB binary: `$FERRETDB_BIN`, else `<cache>/bin/ferretdb`, else one
 * built from the Go module proxy into the cache (cache = `$PARLEY_CACHE` or
 * `~/.cache/parley`). Safe to call from several processes at once.
 */
export declare function ensureFerretdb(): Promise<{ bin: string; version: string }>;

export interface StartFerretdbOptions {
  /** SQLite files (SQLite backend) or only FerretDB's state file (PostgreSQL backend). */
  dir: string;
  /** `postgres://...` of an existing database: the PostgreSQL backend. @default the SQLite backend */
  postgresqlUrl?: string;
  /** Listen on this loopback port (a restart on the same address). @default a free port */
  port?: number;
}

export interface FerretdbProcess {
  /** `mongodb://127.0.0.1:<port>/` */
  uri: string;
  port: number;
  pid: number;
  /** Graceful: SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** Abrupt: SIGKILL (a crash). */
  kill(): Promise<void>;
}

/**
 * Starts FerretDB on a loopback port, with the SQLite backend (files in `dir`) or,
 * given `postgresqlUrl`, the PostgreSQL backend; resolves once it accepts connections.
 */
export declare function startFerretdb(options: StartFerretdbOptions): Promise<FerretdbProcess>;
