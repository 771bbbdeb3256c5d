/**
 * Returns Debian's Chromium (or `$CHROMIUM_BIN`), installing the `chromium`
 * package with apt-get when none is found.
 */
export declare function ensureChromium(options?: {
  log?: (line: string) => void;
}): Promise<{ bin: string; version: string }>;
