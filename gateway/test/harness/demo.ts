/**
 * `npm run demo` started as a user starts it, for the demo tests: the demo
 * script with its state in a temp dir, on free ports, with `--no-build` (the
 * tests need the built packages, `requireBuild`); resolves with what the demo
 * wrote to its ready file (URLs, logins, pids).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers.js";
import { freePort } from "./ports.js";

/** The repository's root. */
export const ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const BUILT = [
  "sdk/dist/index.js",
  "sdk/dist/server/index.js",
  "widget/dist/parley.js",
  "widget/dist/frame/index.html",
  "gateway/dist/index.js",
  "gateway/dist/main.js",
  "examples/merchant-dashboard/dist/server/serve.mjs",
];
const DEMO = join(ROOT, "scripts/demo.mjs");
/** What the demo writes to its ready file. */
export interface ReadyInfo {
  gatewayUrl: string;
  healthUrl: string;
  natsWsUrl: string;
  storefrontUrl: string;
  dashboardUrl: string;
  shopId: string;
  agentLogin: string;
  agentPassword: string;
  colleagueLogin: string;
  colleaguePassword: string;
  colleagueHandle: string;
  customers: Array<{ name: string; handle: string }>;
  stateDir: string;
  pids: { gateway: number; nats: number; storefront: number; bot: number };
}

/** Whether a process with `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A running demo. */
export interface DemoRun {
  info: ReadyInfo;
  /** Everything the demo printed so far, stdout and stderr. */
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Kills whatever is left (after a failed test). */
  cleanup(): void;
}

/** What {@link startDemo} may add to the demo's environment. */
export interface DemoOptions {
  /** Page origins allowed besides the demo's own (`PARLEY_DEMO_ORIGINS`): an app that mounts the elements itself. */
  origins?: string[];
}

/** Starts the demo with its state in `dir` on a free port; resolves once it wrote its ready file. */
export async function startDemo(dir: string, options: DemoOptions = {}): Promise<DemoRun> {
  const readyFile = join(dir, "ready.json");
  const child = spawn(process.execPath, [DEMO, "--no-install", "--no-build", "--ready-file", readyFile], {
    cwd: ROOT,
    env: {
      ...process.env,
      PARLEY_DEMO_PORT: String(await freePort()),
      PARLEY_DEMO_SHOP_PORT: String(await freePort()),
      PARLEY_DEMO_DASHBOARD_PORT: String(await freePort()),
      PARLEY_DEMO_DIR: join(dir, "state"),
      PARLEY_DEMO_ORIGINS: (options.origins ?? []).join(","),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const append = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once("exit", (code, signal) => {
      exited = true;
      r({ code, signal });
    }),
  );
  let info: ReadyInfo | undefined;
  const cleanup = () => {
    if (!exited) child.kill("SIGKILL");
    const pids = info ? Object.entries(info.pids).filter(([name]) => name !== "demo") : [];
    for (const [, pid] of pids) if (pid && alive(pid)) process.kill(pid, "SIGKILL");
  };
  try {
    await waitFor(
      () => {
        if (exited) throw new Error(`the demo exited before it was ready:\n${output}`);
        return existsSync(readyFile);
      },
      "the demo's ready file",
      60_000,
    );
  } catch (err) {
    cleanup();
    throw new Error(`${(err as Error).message}\ndemo output:\n${output}`);
  }
  const ready = JSON.parse(await readFile(readyFile, "utf8")) as ReadyInfo;
  info = ready;
  return { info: ready, output: () => output, exit, kill: (signal) => child.kill(signal), cleanup };
}

/** Throws, naming what is missing, unless the packages the demo runs are built. */
export function requireBuild(): void {
  const missing = BUILT.filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0) {
    throw new Error(`the demo test needs the built packages (${missing.join(", ")} missing): run npm run build`);
  }
}
