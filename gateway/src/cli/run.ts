/**
 * `parley-gateway` and `parley-gateway run`: runs a gateway from environment
 * variables (docs/running.md), until SIGINT or SIGTERM.
 */
import cluster from "node:cluster";
import { readFile } from "node:fs/promises";
import { loadConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { createGateway } from "../gateway.js";
import { createLogger } from "../logger.js";
import { onStopRequest, requestedWorkers, resolveWorkers, superviseWorkers, workerNumber } from "../workers.js";
import { type Command, ExitCodes, parse, positionals } from "./args.js";

const usage = `Usage: parley-gateway [run] [--workers N] [--env-file FILE]

Runs the gateway, configured by environment variables (docs/running.md).

Options:
  --workers N      gateway processes on one port (env PARLEY_WORKERS); default one per core
                   with MongoDB, 1 with the embedded store (which allows only 1)
  --env-file FILE  load NAME=value lines first (what \`init\` writes); the environment wins
  -h, --help       show this help
`;

export const runCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals: rest } = parse(args, { workers: { type: "string" } });
    if (values.help) {
      process.stdout.write(usage);
      return ExitCodes.ok;
    }
    positionals(rest, []);
    return runGateway(values.workers === undefined ? [] : ["--workers", values.workers]);
  },
};

/** Starts the gateway and resolves once it serves; exits the process on a start failure or a signal. */
async function runGateway(workerArgs: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  let workers = 1;
  try {
    config = loadConfig(process.env);
    if (cluster.isPrimary) workers = resolveWorkers(requestedWorkers(workerArgs), config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return ExitCodes.usage;
    }
    throw err;
  }
  const worker = workerNumber();
  const log = worker === undefined ? createLogger(config.logLevel) : createLogger(config.logLevel).child({ worker });
  // Several processes (workers.ts): this one supervises them. Worker 1 alone loads the shops file.
  if (workers > 1) process.exit(await superviseWorkers({ workers, log }));
  if (worker !== undefined && worker > 1) config.shopsFile = undefined;
  // Each worker serves its own /metrics (one scrape target each): worker n on PARLEY_METRICS_PORT + n - 1.
  if (worker !== undefined && config.metrics && config.metrics.port !== 0) config.metrics.port += worker - 1;
  let auth: {
    appAccountPub?: unknown;
    appSigningSeed?: unknown;
    appAccountJwt?: unknown;
    botsAccountPub?: unknown;
    botsSigningSeed?: unknown;
    gatewaySystemJwt?: unknown;
    gatewaySystemSeed?: unknown;
  };
  try {
    auth = JSON.parse(await readFile(config.natsAuthFile, "utf8"));
  } catch (err) {
    console.error(`cannot read NATS_AUTH_FILE ${config.natsAuthFile}: ${(err as Error).message}`);
    return ExitCodes.usage;
  }
  if (typeof auth.appAccountPub !== "string" || typeof auth.appSigningSeed !== "string") {
    console.error(`${config.natsAuthFile} must hold appAccountPub and appSigningSeed`);
    return ExitCodes.usage;
  }
  const gateway = await createGateway({
    config,
    natsAccount: {
      accountPub: auth.appAccountPub,
      signingSeed: auth.appSigningSeed,
      ...(typeof auth.appAccountJwt === "string" ? { accountJwt: auth.appAccountJwt } : {}),
    },
    // Files written before the bots account existed lack it: bots are then refused (`unavailable`), the rest works.
    ...(typeof auth.botsAccountPub === "string" && typeof auth.botsSigningSeed === "string"
      ? { natsBotsAccount: { accountPub: auth.botsAccountPub, signingSeed: auth.botsSigningSeed } }
      : {}),
    // Files written before the connection watcher existed lack its user: connections are then not capped (a warning says so).
    ...(typeof auth.gatewaySystemJwt === "string" && typeof auth.gatewaySystemSeed === "string"
      ? { natsSystemUser: { jwt: auth.gatewaySystemJwt, seed: auth.gatewaySystemSeed } }
      : {}),
    logger: log,
  });
  await gateway.start();
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    gateway.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  onStopRequest(shutdown);
  return ExitCodes.ok;
}
