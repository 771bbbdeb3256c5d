// What every part of `npm run demo` shares: where the repository is, the demo
// shop's names and time limits, the error it reports without a stack, and
// whether the demo is stopping. Only node: builtins.
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const HOST = "127.0.0.1";
export const DEFAULT_GATEWAY_PORT = 8080;
export const DEFAULT_SHOP_PORT = 3000;
export const DEFAULT_DASHBOARD_PORT = 3100;
export const SHOP_ID = "demo_shop";
export const AGENT_LOGIN = "agent@demo.shop";
export const AGENT_HANDLE = "demo_agent";
/** A second agent, so an agent can invite a colleague by handle and the colleague accepts in their dashboard. */
export const COLLEAGUE_LOGIN = "sam@demo.shop";
export const COLLEAGUE_HANDLE = "sam";
export const BOT_LOGIN = "bot@demo.shop";
export const BOT_HANDLE = "demo_bot";
export const BOT_READY_MS = 30_000;
export const TEAM_KEY_READY_MS = 30_000;
export const NATS_READY_MS = 15_000;
export const GATEWAY_READY_MS = 30_000;
export const STOP_GRACE_MS = 10_000;
export const LOG_TAIL_LINES = 30;
/** The state directory when PARLEY_DEMO_DIR is not set. */
export const DEFAULT_STATE_DIR = join(ROOT, ".parley", "demo");

/** A failure the demo explains in words (no stack trace). */
export class DemoError extends Error {}

/** Set once the demo is stopping: start-up steps bail out, services are stopped once. */
export const demo = { stopping: false };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const say = (text) => process.stdout.write(`${text}\n`);

/** A path as the user would type it: relative when under the working directory. */
export const rel = (path) => {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : r === "" ? "." : path;
};
