/**
 * `parley-gateway init`: writes what a deployment needs before anything runs,
 * in one directory, each file mode 0600:
 *
 * - `nats-auth.json`: the NATS trust chain (`generateNatsAuth`, nats/accounts.ts);
 * - `nats.conf`: the nats-server config rendered from it (`renderServerConfig`);
 * - `gateway.env`: the gateway's environment (NATS URLs, the auth file, a fresh
 *   session secret and admin token, the data directory), for `--env-file`.
 *
 * It refuses to overwrite any of them without `--force`; `--force` keeps the
 * NATS keys and the two secrets (so running sessions and the admin token stay
 * valid) unless `--new-keys` asks for new ones too.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import {
  generateNatsAuth,
  type NatsAuth,
  parseNatsAuth,
  renderServerConfig,
  serializeNatsAuth,
} from "../nats/accounts.js";
import {
  type Command,
  CommandError,
  ExistsError,
  ExitCodes,
  intOption,
  parse,
  positionals,
  UsageError,
} from "./args.js";

const usage = `Usage: parley-gateway init [options]

Writes nats-auth.json (the NATS trust chain), nats.conf (the nats-server
config) and gateway.env (the gateway's environment) into a directory, each
readable by its owner only. Then: nats-server -c <dir>/nats.conf and
parley-gateway --env-file <dir>/gateway.env.

Options:
  --dir DIR            where to write (default: .parley)
  --host HOST          address nats-server listens on, TCP and WebSocket (default: 127.0.0.1)
  --nats-port N        TCP port for the gateways (default: 4222)
  --ws-port N          WebSocket port for browsers and SDK clients (default: 8443)
  --monitor-port N     nats-server monitoring port (/healthz, /varz); default: off
  --ws-url URL         WebSocket URL handed to clients (default: ws://HOST:WS_PORT); wss:// behind a TLS proxy;
                       repeatable: every node's, for a cluster
  --nats-url URL       a NATS URL the gateway connects to (default: nats://HOST:NATS_PORT); repeatable:
                       every node's, for a cluster
  --server-name NAME   this node's server_name (each node of a cluster needs its own)
  --cluster-port N     port for the routes to the other nodes of a cluster (needs --route)
  --route URL          another node's route, nats-route://HOST:PORT; repeatable
  --cluster-name NAME  the cluster's name (default: parley)
  --gateway-port N     the gateway's HTTP port (default: 8080)
  --public-url URL     the gateway's public URL (PARLEY_PUBLIC_URL); its origin may open the WebSocket
  --origin ORIGIN      another origin whose pages open the WebSocket (the dashboard's); repeatable
  --data-dir DIR       the embedded store's directory (default: DIR/data)
  --force              overwrite existing files, keeping the NATS keys and the secrets
  --new-keys           with --force: also make new NATS keys, session secret and admin token
  -h, --help           show this help
`;

const options = {
  dir: { type: "string" },
  host: { type: "string" },
  "nats-port": { type: "string" },
  "ws-port": { type: "string" },
  "monitor-port": { type: "string" },
  "ws-url": { type: "string", multiple: true },
  "nats-url": { type: "string", multiple: true },
  "server-name": { type: "string" },
  "cluster-port": { type: "string" },
  route: { type: "string", multiple: true },
  "cluster-name": { type: "string" },
  "gateway-port": { type: "string" },
  "public-url": { type: "string" },
  origin: { type: "string", multiple: true },
  "data-dir": { type: "string" },
  force: { type: "boolean" },
  "new-keys": { type: "boolean" },
} as const;

/** The three files `init` writes, by name in its directory. */
export const INIT_FILES = { auth: "nats-auth.json", natsConfig: "nats.conf", env: "gateway.env" } as const;

export const initCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals: rest } = parse(args, options);
    if (values.help) {
      process.stdout.write(usage);
      return ExitCodes.ok;
    }
    positionals(rest, []);
    if (values["new-keys"] && !values.force)
      throw new UsageError("--new-keys replaces existing keys: use it with --force");
    const dir = resolve(values.dir ?? ".parley");
    const host = values.host ?? "127.0.0.1";
    const natsPort = intOption("nats-port", values["nats-port"], 4222, 1);
    const wsPort = intOption("ws-port", values["ws-port"], 8443, 1);
    const monitorPort =
      values["monitor-port"] === undefined ? undefined : intOption("monitor-port", values["monitor-port"], 0, 1);
    const gatewayPort = intOption("gateway-port", values["gateway-port"], 8080, 1);
    const wsUrls = (values["ws-url"] ?? [`ws://${urlHost(host)}:${wsPort}`]).map((u) =>
      urlOption("ws-url", u, ["ws:", "wss:"]),
    );
    const natsUrls = (values["nats-url"] ?? [`nats://${urlHost(localHost(host))}:${natsPort}`]).map((u) =>
      urlOption("nats-url", u, ["nats:", "tls:"]),
    );
    const routes = (values.route ?? []).map((u) => urlOption("route", u, ["nats-route:", "nats:"]));
    const clusterPort =
      values["cluster-port"] === undefined ? undefined : intOption("cluster-port", values["cluster-port"], 6222, 1);
    if ((clusterPort === undefined) !== (routes.length === 0)) {
      throw new UsageError("a cluster node needs both --cluster-port and at least one --route");
    }
    const serverName = values["server-name"];
    if (serverName !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(serverName)) {
      throw new UsageError(`--server-name must be 1 to 64 letters, digits, '.', '_' or '-': ${serverName}`);
    }
    const publicUrl = values["public-url"] && urlOption("public-url", values["public-url"], ["http:", "https:"]);
    // The gateway listens on loopback (PARLEY_HOST below); its public URL, when given, is where browsers meet it.
    const gatewayOrigin = publicUrl ? new URL(publicUrl).origin : `http://127.0.0.1:${gatewayPort}`;
    const origins = [...new Set([gatewayOrigin, ...(values.origin ?? [])])];
    for (const origin of origins) {
      const url = URL.canParse(origin) ? new URL(origin) : undefined;
      if (!url || url.origin !== origin || !["http:", "https:"].includes(url.protocol)) {
        throw new UsageError(`--origin must be a bare http(s) origin such as https://chat.example.com: ${origin}`);
      }
    }
    const paths = {
      auth: join(dir, INIT_FILES.auth),
      natsConfig: join(dir, INIT_FILES.natsConfig),
      env: join(dir, INIT_FILES.env),
    };
    const existing = await existingFiles(Object.values(paths));
    if (existing.length > 0 && !values.force) {
      throw new ExistsError(
        `${existing.join(", ")} already exist: pass --force to rewrite them (keys and secrets are kept)`,
      );
    }
    const keep = !values["new-keys"];
    const auth = (keep && (await readAuth(paths.auth))) || (await generateNatsAuth());
    const previous = keep ? await readEnv(paths.env) : {};
    const env: Record<string, string> = {
      PARLEY_HOST: "127.0.0.1",
      PARLEY_PORT: String(gatewayPort),
      ...(publicUrl ? { PARLEY_PUBLIC_URL: publicUrl } : {}),
      NATS_URL: natsUrls.join(","),
      NATS_WS_URL: wsUrls.join(","),
      NATS_AUTH_FILE: paths.auth,
      PARLEY_DATA_DIR: resolve(values["data-dir"] ?? join(dir, "data")),
      PARLEY_SESSION_SECRET: previous.PARLEY_SESSION_SECRET ?? secret(),
      PARLEY_ADMIN_TOKEN: previous.PARLEY_ADMIN_TOKEN ?? secret(),
    };
    const natsConfig = renderServerConfig({
      auth,
      host,
      port: natsPort,
      wsPort,
      ...(monitorPort !== undefined ? { httpPort: monitorPort } : {}),
      allowedOrigins: origins,
      ...(serverName ? { serverName } : {}),
      ...(clusterPort !== undefined
        ? { cluster: { name: values["cluster-name"] ?? "parley", port: clusterPort, routes } }
        : {}),
    });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const overwrite = Boolean(values.force);
    await writePrivate(paths.auth, serializeNatsAuth(auth), overwrite);
    await writePrivate(paths.natsConfig, natsConfig, overwrite);
    await writePrivate(paths.env, renderEnv(env), overwrite);
    process.stdout.write(
      `wrote ${paths.auth}, ${paths.natsConfig} and ${paths.env} (mode 0600)\n` +
        `WebSocket origins allowed: ${origins.join(", ")}\n\n` +
        `next:\n  nats-server -c ${paths.natsConfig}\n  parley-gateway --env-file ${paths.env}\n` +
        `  parley-gateway doctor --env-file ${paths.env}\n`,
    );
    return ExitCodes.ok;
  },
};

/** 48 random bytes, base64url: a session secret or admin token well past the minimum lengths. */
const secret = () => randomBytes(48).toString("base64url");

/** The address clients on this host use: a wildcard listen address is reached on loopback. */
const localHost = (host: string) => (host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host);
/** An IPv6 literal in a URL needs brackets. */
const urlHost = (host: string) => (host.includes(":") ? `[${host}]` : host);

function urlOption(name: string, text: string, protocols: string[]): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !protocols.includes(url.protocol)) {
    throw new UsageError(`--${name} must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL: ${text}`);
  }
  return text;
}

async function existingFiles(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    try {
      await readFile(path);
      found.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw new CommandError(`cannot read ${path}: ${(error as Error).message}`);
    }
  }
  return found;
}

/** The keys of an existing auth file, or undefined when there is none; a broken one is an error, not replaced silently. */
async function readAuth(path: string): Promise<NatsAuth | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CommandError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseNatsAuth(text);
  } catch (error) {
    throw new CommandError(`${path}: ${(error as Error).message}; pass --new-keys to replace it`);
  }
}

async function readEnv(path: string): Promise<Record<string, string | undefined>> {
  try {
    return parseEnv(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new CommandError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function renderEnv(env: Record<string, string>): string {
  const lines = ["# Written by parley-gateway init; the gateway's environment (docs/running.md). Keep it private."];
  for (const [name, value] of Object.entries(env)) lines.push(`${name}=${JSON.stringify(value)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `text` to `path` with mode 0600 through a temporary file. Without `overwrite` the file is
 * linked into place, which fails when another process created it meanwhile; with it, renamed over.
 */
async function writePrivate(path: string, text: string, overwrite: boolean): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flag: "wx" });
  try {
    await chmod(tmp, 0o600);
    if (overwrite) await rename(tmp, path);
    else {
      await link(tmp, path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST")
          throw new ExistsError(`${path} appeared while writing: pass --force to rewrite it`);
        throw error;
      });
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
