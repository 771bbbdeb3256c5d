/**
 * What every `parley-gateway` subcommand shares: its exit codes, the usage
 * error, `--help`, `--env-file` and argument parsing with `node:util`.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

/** Exit codes of `parley-gateway`, stable for scripts (docs/running.md lists them). */
export const ExitCodes = {
  ok: 0,
  /** The command ran and failed: a check failed, the gateway refused, something was unreachable. */
  failed: 1,
  /** Bad usage or configuration: unknown command or option, a missing or invalid argument. */
  usage: 2,
  /** The command would overwrite something that exists (a file, a shop): pass `--force` / `--replace`. */
  exists: 3,
} as const;

/** A mistake on the command line: printed with the subcommand's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A refusal to overwrite: exit code 3. */
export class ExistsError extends Error {
  override readonly name = "ExistsError";
}

/** A failure of the command itself (the gateway refused, a file could not be read): exit code 1. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}

/** One subcommand: its usage text and what it does with its arguments. */
export interface Command {
  /** Usage and options, printed by `--help` and after a usage error. */
  usage: string;
  /** Runs the command; resolves to its exit code. */
  run(args: string[]): Promise<number>;
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every subcommand takes. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  /** A file of `NAME=value` lines (what `init` writes) loaded before anything else; the environment wins. */
  "env-file": { type: "string" },
} as const satisfies Options;

/**
 * Parses `args` strictly (unknown options and missing values are usage errors), loads `--env-file`
 * into `process.env` and returns the values and positionals.
 */
/** What {@link parse} returns for options `O`: typed values (the common ones included) and the positionals. */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof COMMON_OPTIONS; allowPositionals: true; strict: true }>
>;

export function parse<O extends Options>(args: string[], options: O): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    }) as Parsed<O>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const envFile = (parsed.values as Record<string, unknown>)["env-file"];
  if (typeof envFile === "string") {
    try {
      process.loadEnvFile(envFile);
    } catch (error) {
      throw new UsageError(`cannot read --env-file ${envFile}: ${(error as Error).message}`);
    }
  }
  return parsed;
}

/** The positional arguments a command expects, by name; too few or too many is a usage error. */
export function positionals(given: string[], names: string[]): string[] {
  if (given.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(given.length)
        .map((n) => `<${n}>`)
        .join(" ")}`,
    );
  if (given.length > names.length) throw new UsageError(`unexpected argument: ${given[names.length]}`);
  return given;
}

/** A whole number in [min, max] from an option's text, else a usage error naming the option. */
export function intOption(name: string, text: string | undefined, fallback: number, min = 0, max = 65535): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Runs a command and maps its errors onto the exit codes, printing what went wrong (and the usage for a usage error). */
export async function runCommand(name: string, command: Command, args: string[]): Promise<number> {
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`parley-gateway ${name}: ${error.message}\n\n${command.usage}`);
      return ExitCodes.usage;
    }
    if (error instanceof ExistsError) {
      process.stderr.write(`parley-gateway ${name}: ${error.message}\n`);
      return ExitCodes.exists;
    }
    if (error instanceof CommandError) {
      process.stderr.write(`parley-gateway ${name}: ${error.message}\n`);
      return ExitCodes.failed;
    }
    throw error;
  }
}

/** A command group's answer to `--help` (its usage, exit 0), no subcommand (usage on stderr, exit 2) or an unknown one. */
export function helpOrUnknown(name: string, sub: string | undefined, usage: string, known: string): number {
  if (sub === "--help" || sub === "-h") {
    process.stdout.write(usage);
    return ExitCodes.ok;
  }
  if (sub === undefined) {
    process.stderr.write(usage);
    return ExitCodes.usage;
  }
  throw new UsageError(`unknown ${name} command "${sub}" (${known})`);
}
