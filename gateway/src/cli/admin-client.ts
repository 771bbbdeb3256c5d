/**
 * The admin API as `shop`, `agent`, `bot` and `doctor` call it: the gateway's
 * URL and `PARLEY_ADMIN_TOKEN` from the environment (or `--env-file`), `--url`
 * and `--token-file` to name others. The token is never taken from the command
 * line, where `ps` would show it.
 */
import { readFile } from "node:fs/promises";
import { CommandError, UsageError } from "./args.js";

/** Options of every command that calls the admin API. */
export const ADMIN_OPTIONS = {
  url: { type: "string" },
  "token-file": { type: "string" },
} as const;

export const ADMIN_USAGE = `  --url URL            the gateway (default: http://PARLEY_HOST:PARLEY_PORT from the environment)
  --token-file FILE    a file holding the admin token (default: PARLEY_ADMIN_TOKEN from the environment)
  --env-file FILE      load NAME=value lines first (init's gateway.env); the environment wins
  -h, --help           show this help
`;

/** The gateway's local base URL from the environment the gateway itself reads. */
export function gatewayUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const host =
    env.PARLEY_HOST && env.PARLEY_HOST !== "0.0.0.0" && env.PARLEY_HOST !== "::" ? env.PARLEY_HOST : "127.0.0.1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PARLEY_PORT ?? "8080"}`;
}

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  static async fromOptions(values: {
    url?: string | undefined;
    "token-file"?: string | undefined;
  }): Promise<AdminClient> {
    const url = values.url ?? gatewayUrlFromEnv();
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UsageError(`--url must be an http(s) URL: ${url}`);
    let token = process.env.PARLEY_ADMIN_TOKEN;
    if (values["token-file"]) {
      try {
        token = (await readFile(values["token-file"], "utf8")).trim();
      } catch (error) {
        throw new UsageError(`cannot read --token-file: ${(error as Error).message}`);
      }
    }
    if (!token) throw new UsageError("no admin token: set PARLEY_ADMIN_TOKEN, or pass --env-file or --token-file");
    return new AdminClient(url.replace(/\/+$/, ""), token);
  }

  /** Calls `/v1/admin<path>`; resolves to the JSON answer, or throws a CommandError with the gateway's error code. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}/v1/admin${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CommandError(
        `cannot reach the gateway at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CommandError(`${method} ${url}: HTTP ${res.status}, not a gateway's answer`);
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } }).error;
      throw new AdminApiError(res.status, error?.code ?? "unknown", error?.message ?? text);
    }
    return json as T;
  }
}

/** The gateway answered with an error: its status and stable code (protocol.md's error table). */
export class AdminApiError extends CommandError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`the gateway refused (${status} ${code}): ${message}${hint(code)}`);
  }
}

function hint(code: string): string {
  if (code === "unauthorized") return "; the admin token differs from the gateway's PARLEY_ADMIN_TOKEN";
  return "";
}
