/** The FerretDB version built and used by the tests and the demo. */
export declare const FERRETDB_VERSION: string;

/**
 * Returns a FerretDB binary: `$FERRETDB_BIN`, else `<cache>/bin/ferretdb`, else one
 * built from the Go module proxy into the cache (cache = `$PARLEY_CACHE` or
 * `~/.cache/parley`). Safe to call from several processes at once.
 */
export declare function ensureFerretdb(): Promise<{ bin: string; version: string }>;

/**
 * Starts FerretDB with the SQLite backend, its files in `dir`, on a free
 * loopback port; resolves once it accepts connections.
 */
export declare function startFerretdb(options: { dir: string }): Promise<{ uri: string; stop(): Promise<void> }>;
