/**
 * One gateway as its own OS process (the built `parley-gateway`, dist/main.js) on
 * a fixed loopback port, so a test can kill it with SIGKILL (a crash: no drain,
 * replies lost in flight) or stop it with SIGTERM (a graceful rolling restart)
 * and start it again on the same port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const READY_TIMEOUT_MS = 30_000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface GatewayProcess {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The running process's pid (changes on every start). */
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** SIGKILL, then resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the gateway drains and exits), then resolves once the process is gone. */
  stop(): Promise<void>;
  /** stdout and stderr of every start so far. */
  logs(): string;
}

/**
 * The MongoDB driver's own log settings (`MONGODB_LOG_TOPOLOGY`, `MONGODB_LOG_PATH`, ...) from this
 * process's environment: set them when a test run must show why a gateway lost its store.
 */
function driverLogging(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith("MONGODB_LOG_") && e[1] !== undefined,
    ),
  );
}

/** A gateway process on `port` with these environment variables (not started yet). */
export function gatewayProcess(port: number, env: Record<string, string>): GatewayProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = "";
  const url = `http://127.0.0.1:${port}`;

  const end = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c) return;
    c.kill(signal);
    await exited;
  };

  return {
    port,
    url,
    get pid() {
      return child?.pid;
    },
    async start() {
      if (child) throw new Error("gateway process already running");
      const c = spawn(process.execPath, [MAIN], {
        env: {
          PATH: process.env.PATH ?? "",
          ...driverLogging(),
          PARLEY_HOST: "127.0.0.1",
          PARLEY_PORT: String(port),
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = c;
      live.add(c);
      let code: number | null | undefined;
      exited = new Promise((resolve) =>
        c.once("exit", (status) => {
          code = status;
          live.delete(c);
          if (child === c) child = undefined;
          resolve();
        }),
      );
      c.stdout?.on("data", (d) => {
        output += d;
      });
      c.stderr?.on("data", (d) => {
        output += d;
      });
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (code !== undefined) throw new Error(`gateway on ${port} exited (${code}):\n${output.slice(-2000)}`);
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
        if (res?.status === 200) return;
        if (Date.now() > deadline) {
          await end("SIGKILL");
          throw new Error(`gateway on ${port} not ready after ${READY_TIMEOUT_MS} ms:\n${output.slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
    logs: () => output,
  };
}
