/**
 * Returns coturn's `turnserver` (or `$TURNSERVER_BIN`), installing Debian's
 * `coturn` package with apt-get when none is found.
 */
export declare function ensureCoturn(options?: {
  log?: (line: string) => void;
}): Promise<{ bin: string; version: string }>;
