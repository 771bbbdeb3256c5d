/** A program the tests need and the Debian packages that provide it. */
export interface DebianTool {
  /** Its name, for messages. */
  name: string;
  /** An environment variable naming a binary to use instead. */
  envVar: string;
  /** Where Debian installs the binary. */
  bin: string;
  /** The packages apt-get installs (the first names the tool in messages). */
  packages: string[];
  /** Matches `--version`'s output; its first group is the version. */
  version: RegExp;
  /** What needs it, for the error when it cannot be installed. */
  purpose: string;
}

/** Returns the tool's binary and version, installing its Debian packages with apt-get when none is found. */
export declare function ensureDebianTool(
  tool: DebianTool,
  options?: { log?: (line: string) => void },
): Promise<{ bin: string; version: string }>;
