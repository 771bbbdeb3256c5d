/** The release the project pins (built from the Go module proxy). */
export declare const NATS_SERVER_VERSION: string;
/** Oldest release accepted from NATS_SERVER_BIN, the cache or PATH. */
export declare const MIN_NATS_SERVER_VERSION: string;

export interface NatsServerBinary {
  /** Absolute path of the nats-server executable. */
  bin: string;
  /** Its version as `vX.Y.Z`. */
  version: string;
}

/** The cache directory: `$PARLEY_CACHE` or `~/.cache/parley`. */
export declare function cacheDir(): string;
/** Parses `v2.15.2`, `2.15.2` or `nats-server: v2.15.2` into `[major, minor, patch]`. */
export declare function parseVersion(text: string): [number, number, number] | undefined;
/** Compares two version strings; negative when `a < b`. */
export declare function compareVersions(a: string, b: string): number;
/**
 * Returns a usable nats-server (>= {@link MIN_NATS_SERVER_VERSION}), building and
 * caching {@link NATS_SERVER_VERSION} when nothing suitable is installed.
 */
export declare function ensureNatsServer(): Promise<NatsServerBinary>;
