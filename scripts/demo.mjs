#!/usr/bin/env node
// `npm run demo`: one command on a fresh clone. Installs dependencies when
// needed, finds or builds nats-server, builds the packages when their sources
// changed, then runs on loopback: nats-server, a gateway with a seeded demo shop
// (an admin agent and a bot), the storefront with the widget and its shop
// backend, the example bot, and the merchant dashboard; prints each URL and the
// logins. Ctrl-C stops everything it started.
//
// Only node: builtins are imported at top level: this file runs before
// node_modules exists. Everything else is imported after the install.
//
//   node scripts/demo.mjs [--no-install] [--no-build] [--ready-file <path>]
//
// Environment: PARLEY_DEMO_PORT (gateway port; default 8080 or the next free
// one), PARLEY_DEMO_SHOP_PORT (storefront; default 3000 or the next free one),
// PARLEY_DEMO_DASHBOARD_PORT (default 3100 or the next free one), PARLEY_DEMO_DIR
// (state dir; default .parley/demo), PARLEY_DEMO_SKIP_INSTALL=1.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { createServer } from "node:net";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";
const DEFAULT_GATEWAY_PORT = 8080;
const DEFAULT_SHOP_PORT = 3000;
const DEFAULT_DASHBOARD_PORT = 3100;
const SHOP_ID = "demo_shop";
const AGENT_LOGIN = "agent@demo.shop";
const AGENT_HANDLE = "demo_agent";
const BOT_LOGIN = "bot@demo.shop";
const BOT_HANDLE = "demo_bot";
const BOT_READY_MS = 30_000;
const TEAM_KEY_READY_MS = 30_000;
const NATS_READY_MS = 15_000;
const GATEWAY_READY_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 30;

const USAGE = `usage: node scripts/demo.mjs [--no-install] [--no-build] [--ready-file <path>]

  --no-install         skip \`npm ci\` (also PARLEY_DEMO_SKIP_INSTALL=1)
  --no-build           use the built packages as they are (fails when they are missing)
  --ready-file <path>  write the connection details as JSON once ready

  PARLEY_DEMO_PORT            gateway port (default ${DEFAULT_GATEWAY_PORT}, or the next free one)
  PARLEY_DEMO_SHOP_PORT       storefront port (default ${DEFAULT_SHOP_PORT}, or the next free one)
  PARLEY_DEMO_DASHBOARD_PORT  dashboard port (default ${DEFAULT_DASHBOARD_PORT}, or the next free one)
  PARLEY_DEMO_DIR             state directory (default .parley/demo)`;

// -- small helpers ----------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (text) => process.stdout.write(`${text}\n`);
/** A path as the user would type it: relative when under the working directory. */
const rel = (path) => {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : r === "" ? "." : path;
};

class DemoError extends Error {}

/** Set once the demo is stopping: start-up steps bail out, services are stopped once. */
let stopping = false;

async function mtime(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest mtime of the files under `dir`, skipping tests (they are not built). */
async function newestUnder(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.test\.ts$/.test(entry.name)) continue;
    newest = Math.max(newest, (await mtime(join(entry.parentPath ?? entry.path, entry.name))) ?? 0);
  }
  return newest;
}

/** Writes a file atomically with mode 0600. */
async function writePrivate(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** Runs a command to completion; resolves its exit code. Output goes to `out` (a stream) or the terminal. */
function runCommand(cmd, args, { env = process.env, out } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: out ? ["ignore", "pipe", "pipe"] : "inherit" });
    if (out) {
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
    }
    child.once("error", reject);
    child.once("close", (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

function listenOn(port) {
  return new Promise((resolveListen, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, HOST, () => resolveListen(server));
  });
}

const closeServer = (server) => new Promise((r) => server.close(() => r()));

async function isFree(port) {
  try {
    await closeServer(await listenOn(port));
    return true;
  } catch {
    return false;
  }
}

/** `count` distinct free loopback ports (held open together so they never repeat). */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOn(0));
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map(closeServer));
  }
}

/** The port named by `variable`, else `preferred` or one of the next 19, else any free one; never one in `taken`. */
async function pickPort(variable, preferred, taken = []) {
  const wanted = process.env[variable];
  if (wanted) {
    const port = Number(wanted);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DemoError(`${variable}=${wanted} is not a port`);
    if (taken.includes(port) || !(await isFree(port))) {
      throw new DemoError(`port ${port} (${variable}) is already in use on ${HOST}`);
    }
    return port;
  }
  for (let port = preferred; port < preferred + 20; port++) {
    if (!taken.includes(port) && (await isFree(port))) return port;
  }
  for (;;) {
    const [port] = await freePorts(1);
    if (!taken.includes(port)) return port;
  }
}

/** GET `url` answers 2xx. (node:http rather than fetch, which refuses some ports such as 6000.) */
function httpOk(url) {
  return new Promise((resolveOk) => {
    const req = httpGet(url, { timeout: 1_000 }, (res) => {
      res.resume();
      resolveOk(res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolveOk(false));
  });
}

// -- child processes --------------------------------------------------------------------

/** A long-running child whose output goes, line-prefixed, to a log file; the last lines are kept for errors. */
class Service {
  #tail = [];
  #partial = "";
  exitCode = undefined;
  /** Resolves when the child has exited. */
  exited;

  constructor(name, cmd, args, { env, logFile }) {
    this.name = name;
    this.logFile = logFile;
    this.log = createWriteStream(logFile, { flags: "a", mode: 0o600 });
    this.log.write(`--- ${new Date().toISOString()} starting ${name}: ${cmd} ${args.join(" ")}\n`);
    // Own process group: a terminal Ctrl-C reaches only the demo, which then stops
    // the children in order (gateway first, then nats-server).
    this.child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.pid = this.child.pid;
    this.child.stdout.on("data", (chunk) => this.#write(chunk));
    this.child.stderr.on("data", (chunk) => this.#write(chunk));
    this.exited = new Promise((resolveExit) => {
      this.child.once("error", (err) => {
        this.#write(Buffer.from(`spawn failed: ${err.message}\n`));
        this.exitCode ??= -1;
        resolveExit();
      });
      this.child.once("exit", (code, signal) => {
        this.exitCode = code ?? signal;
        this.log.write(`--- ${name} exited (${this.exitCode})\n`);
        resolveExit();
      });
    });
  }

  #write(chunk) {
    const text = this.#partial + chunk.toString("utf8");
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) {
      this.log.write(`[${this.name}] ${line}\n`);
      this.#tail.push(line);
      if (this.#tail.length > LOG_TAIL_LINES) this.#tail.shift();
    }
  }

  get running() {
    return this.exitCode === undefined;
  }

  tail() {
    const lines = this.#partial ? [...this.#tail, this.#partial] : this.#tail;
    return lines.map((l) => `    ${l}`).join("\n") || "    (no output)";
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once it has exited. */
  async stop(graceMs = STOP_GRACE_MS) {
    if (this.running) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise((r) => this.log.end(r));
  }

  /** Polls `check` until it resolves true; throws with the log tail if the child exits or time runs out. */
  async waitUntil(check, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (stopping) throw new DemoError("stopped");
      if (!this.running) {
        throw new DemoError(`${this.name} exited (${this.exitCode}) before ${what}. Last log lines:\n${this.tail()}`);
      }
      if (await check()) return;
      await sleep(100);
    }
    throw new DemoError(`${this.name} not ${what} after ${timeoutMs} ms. Last log lines:\n${this.tail()}`);
  }
}

// -- steps ------------------------------------------------------------------------------

async function installIfNeeded(skip) {
  const lock = await mtime(join(ROOT, "package-lock.json"));
  const installed = await mtime(join(ROOT, "node_modules", ".package-lock.json"));
  const needed = !existsSync(join(ROOT, "node_modules")) || installed === undefined || (lock ?? 0) > installed;
  if (!needed) return;
  if (skip) {
    say("dependencies look out of date, but --no-install was given: skipping npm ci");
    return;
  }
  say("installing dependencies (npm ci; better-sqlite3 builds from source, about a minute)...");
  const env = { ...process.env };
  // Native addons cannot download Node headers here: point node-gyp at the local ones.
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node.h"))) env.npm_config_nodedir = prefix;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const code = await runCommand(npm, ["ci"], { env });
  if (code !== 0) throw new DemoError(`npm ci failed (exit ${code})`);
}

async function buildIfNeeded(logsDir, skip) {
  const packages = ["sdk", "widget", "gateway"];
  const outputs = [
    "sdk/dist/index.js",
    "sdk/dist/server/index.js",
    "sdk/dist/protocol/index.js",
    "widget/dist/parley.js",
    "widget/dist/frame/index.html",
    "gateway/dist/index.js",
    "gateway/dist/main.js",
  ];
  let newestSource = 0;
  for (const pkg of packages) {
    newestSource = Math.max(newestSource, await newestUnder(join(ROOT, pkg, "src")));
    for (const file of ["package.json", "tsup.config.ts"]) {
      newestSource = Math.max(newestSource, (await mtime(join(ROOT, pkg, file))) ?? 0);
    }
  }
  const built = await Promise.all(outputs.map((o) => mtime(join(ROOT, o))));
  const missing = outputs.filter((_, i) => built[i] === undefined);
  if (skip) {
    if (missing.length > 0) throw new DemoError(`--no-build, but ${missing.join(", ")} missing: run npm run build`);
    return;
  }
  const oldestOutput = missing.length > 0 ? 0 : Math.min(...built);
  if (oldestOutput > newestSource) return;
  const logFile = join(logsDir, "build.log");
  say(`building the packages (npm run build; log: ${rel(logFile)})...`);
  const out = createWriteStream(logFile, { mode: 0o600 });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const code = await runCommand(npm, ["run", "build"], { out });
  await new Promise((r) => out.end(r));
  if (code !== 0) {
    const lines = (await readFile(logFile, "utf8")).trimEnd().split("\n").slice(-LOG_TAIL_LINES);
    throw new DemoError(`npm run build failed (exit ${code}):\n${lines.map((l) => `    ${l}`).join("\n")}`);
  }
}

/** Builds the merchant dashboard (examples/merchant-dashboard/build.mjs) when its output is older than its sources. */
async function buildDashboardIfNeeded(logsDir, skip) {
  const output = join(ROOT, "examples/merchant-dashboard/dist/server/serve.mjs");
  const built = await mtime(output);
  if (skip) {
    if (built === undefined)
      throw new DemoError("--no-build, but the dashboard is not built: run node examples/merchant-dashboard/build.mjs");
    return;
  }
  let newest = 0;
  for (const dir of ["examples/merchant-dashboard/src", "sdk/src", "widget/src"]) {
    newest = Math.max(newest, await newestUnder(join(ROOT, dir)));
  }
  for (const file of ["build.mjs", "serve.ts", "index.html"]) {
    newest = Math.max(newest, (await mtime(join(ROOT, "examples/merchant-dashboard", file))) ?? 0);
  }
  if (built !== undefined && built > newest) return;
  const logFile = join(logsDir, "dashboard-build.log");
  say(`building the merchant dashboard (log: ${rel(logFile)})...`);
  const out = createWriteStream(logFile, { mode: 0o600 });
  const code = await runCommand(process.execPath, [join(ROOT, "examples/merchant-dashboard/build.mjs")], { out });
  await new Promise((r) => out.end(r));
  if (code !== 0) {
    const lines = (await readFile(logFile, "utf8")).trimEnd().split("\n").slice(-LOG_TAIL_LINES);
    throw new DemoError(`the dashboard build failed (exit ${code}):\n${lines.map((l) => `    ${l}`).join("\n")}`);
  }
}

/** Two demos on one state dir would share its database: refuse while the other one runs. */
async function refuseSecondDemo(demoJson) {
  let pid;
  try {
    pid = JSON.parse(await readFile(demoJson, "utf8")).pids?.demo;
  } catch {
    return; // none, or unreadable: the previous run is gone
  }
  if (!Number.isInteger(pid) || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // a stale file from a run that was killed
  }
  throw new DemoError(
    `a demo is already running from ${rel(dirname(demoJson))} (pid ${pid}): stop it first, ` +
      "or set PARLEY_DEMO_DIR to run another one",
  );
}

/** Secrets generated on the first run and kept, so a second run keeps sessions, logins and the shop key. */
async function loadOrCreateSecrets(file) {
  let saved = {};
  try {
    saved = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if (err.code !== "ENOENT") throw new DemoError(`cannot read ${file}: ${err.message} (delete it to start over)`);
  }
  const token = (bytes) => randomBytes(bytes).toString("base64url");
  const secrets = {
    sessionSecret: saved.sessionSecret ?? token(32),
    adminToken: saved.adminToken ?? token(24),
    shopTokenSecret: saved.shopTokenSecret ?? token(32),
    // The shop's key backup master secret (ADR 0016): only the shop backend holds it, never the gateway.
    keyBackupSecret: saved.keyBackupSecret ?? token(32),
    agentPassword: saved.agentPassword ?? `demo-${token(9)}`,
    botPassword: saved.botPassword ?? `bot-${token(18)}`,
  };
  if (JSON.stringify(secrets) !== JSON.stringify(saved))
    await writePrivate(file, `${JSON.stringify(secrets, null, 2)}\n`);
  await chmod(file, 0o600);
  return secrets;
}

function shopsFile({ origins, secrets }) {
  return {
    shops: [
      {
        id: SHOP_ID,
        name: "Demo Shop",
        tokenKey: { alg: "HS256", secret: secrets.shopTokenSecret },
        // The storefront and the dashboard run on their own origins, as they would for a real shop.
        allowedOrigins: origins,
        allowGuests: true,
        agents: [
          {
            login: AGENT_LOGIN,
            password: secrets.agentPassword,
            displayName: "Demo Agent",
            role: "admin",
            handle: AGENT_HANDLE,
          },
          {
            login: BOT_LOGIN,
            password: secrets.botPassword,
            displayName: "Shop Bot",
            role: "agent",
            kind: "bot",
            handle: BOT_HANDLE,
          },
        ],
      },
    ],
  };
}

/**
 * The shop's first admin device, run by the demo itself: it makes the team key
 * on the first run (so the very first customer conversation is readable by the
 * team) and wraps it to each new team device that asks (the bot, dashboards).
 * A real shop does this from its admin's dashboard.
 */
async function startTeamKeeper({ gatewayUrl, secrets, stateDir }) {
  const { createClient } = await import(pathToFileURL(join(ROOT, "sdk/dist/index.js")).href);
  const { fileStorage } = await import(pathToFileURL(join(ROOT, "sdk/dist/server/index.js")).href);
  const { default: WebSocket } = await import("ws");
  const client = createClient({
    gatewayUrl,
    auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN, password: secrets.agentPassword },
    WebSocket,
    origin: gatewayUrl,
    encryption: true,
    storage: fileStorage(join(stateDir, "admin-device.json")),
  });
  client.on("error", () => undefined);
  await client.connect();
  const deadline = Date.now() + TEAM_KEY_READY_MS;
  while (!(await client.request("team.get", { shopId: SHOP_ID })).key) {
    if (Date.now() > deadline) throw new DemoError("the demo admin device did not make the team key");
    await sleep(100);
  }
  return client;
}

async function startNats({ bin, gateway, stateDir, logsDir, allowedOrigins, services }) {
  const { loadOrCreateNatsAuth, renderServerConfig } = gateway;
  const auth = await loadOrCreateNatsAuth(join(stateDir, "nats-auth.json"));
  // Another process may take a port between choosing and binding it: retry with new ones.
  for (let attempt = 1; ; attempt++) {
    const [port, wsPort, httpPort] = await freePorts(3);
    const configFile = join(stateDir, "nats.conf");
    const config = renderServerConfig({ auth, host: HOST, port, wsPort, httpPort, allowedOrigins });
    await writePrivate(configFile, config);
    const nats = new Service("nats", bin, ["-c", configFile], { env: process.env, logFile: join(logsDir, "nats.log") });
    services.push(nats);
    try {
      await nats.waitUntil(() => httpOk(`http://${HOST}:${httpPort}/healthz`), NATS_READY_MS, "ready");
      return { nats, url: `nats://${HOST}:${port}`, wsUrl: `ws://${HOST}:${wsPort}` };
    } catch (err) {
      if (stopping || attempt >= 3 || !/address already in use/i.test(String(err.message))) throw err;
      await nats.stop(2_000);
      services.splice(services.indexOf(nats), 1);
    }
  }
}

// -- main -------------------------------------------------------------------------------

async function main() {
  // A closed terminal or pipe must not crash the demo before it has stopped its children.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  const { values } = parseArgs({
    options: {
      "no-install": { type: "boolean", default: false },
      "no-build": { type: "boolean", default: false },
      "ready-file": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const stateDir = resolve(process.env.PARLEY_DEMO_DIR ?? join(ROOT, ".parley", "demo"));
  const logsDir = join(stateDir, "logs");
  const dataDir = join(stateDir, "data");
  const demoJson = join(stateDir, "demo.json");
  const readyFile = values["ready-file"] ? resolve(values["ready-file"]) : undefined;

  /** Started services, in start order; stopped in reverse. */
  const services = [];
  /** In-process clients to close before the services stop. */
  const closers = [];
  let wroteDemoJson = false;
  let starting = Promise.resolve();
  let finish;
  const finished = new Promise((r) => {
    finish = r;
  });

  const stopAll = async (code, reason) => {
    if (stopping) return;
    stopping = true;
    if (reason) (code === 0 ? process.stdout : process.stderr).write(`${reason}\n`);
    // Start-up checks `stopping` after each step and gives up; wait for it so nothing starts after this.
    await starting.catch(() => undefined);
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    for (const service of [...services].reverse()) await service.stop();
    if (wroteDemoJson) await rm(demoJson, { force: true });
    finish(code);
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      if (stopping) return; // npm run forwards the terminal's Ctrl-C a second time
      void stopAll(0, `\n${signal}: stopping the demo...`);
    });
  }
  // Last resort: never leave children behind, whatever happens to this process.
  process.once("exit", () => {
    for (const service of services) if (service.running) service.child.kill("SIGKILL");
  });

  const start = async () => {
    await installIfNeeded(values["no-install"] || process.env.PARLEY_DEMO_SKIP_INSTALL === "1");
    if (stopping) return;
    const { ensureNatsServer } = await import(pathToFileURL(join(ROOT, "scripts/lib/nats-server.mjs")).href);
    const { bin, version } = await ensureNatsServer();
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await mkdir(logsDir, { recursive: true, mode: 0o700 });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await refuseSecondDemo(demoJson);
    await buildIfNeeded(logsDir, values["no-build"]);
    if (stopping) return;
    await buildDashboardIfNeeded(logsDir, values["no-build"]);
    if (stopping) return;
    const gateway = await import(pathToFileURL(join(ROOT, "gateway/dist/index.js")).href);

    const secrets = await loadOrCreateSecrets(join(stateDir, "secrets.json"));
    const port = await pickPort("PARLEY_DEMO_PORT", DEFAULT_GATEWAY_PORT);
    const shopPort = await pickPort("PARLEY_DEMO_SHOP_PORT", DEFAULT_SHOP_PORT, [port]);
    const dashboardPort = await pickPort("PARLEY_DEMO_DASHBOARD_PORT", DEFAULT_DASHBOARD_PORT, [port, shopPort]);
    const gatewayUrl = `http://${HOST}:${port}`;
    const storefrontUrl = `http://${HOST}:${shopPort}`;
    const dashboardUrl = `http://${HOST}:${dashboardPort}`;
    const shops = join(stateDir, "shops.json");
    const origins = [storefrontUrl, dashboardUrl];
    await writePrivate(shops, `${JSON.stringify(shopsFile({ origins, secrets }), null, 2)}\n`);

    // The NATS WebSocket is opened by the chat frame and the bot (gateway origin) and by the dashboard.
    const allowedOrigins = [gatewayUrl, dashboardUrl];
    const nats = await startNats({ bin, gateway, stateDir, logsDir, allowedOrigins, services });
    if (stopping) return;
    // The demo always uses the embedded store in its data dir, whatever the shell exports.
    const { MONGODB_URI: _uri, MONGODB_DB: _db, ...env } = process.env;
    const gw = new Service("gateway", process.execPath, [join(ROOT, "gateway/dist/main.js")], {
      logFile: join(logsDir, "gateway.log"),
      env: {
        ...env,
        PARLEY_HOST: HOST,
        PARLEY_PORT: String(port),
        PARLEY_PUBLIC_URL: gatewayUrl,
        NATS_URL: nats.url,
        NATS_WS_URL: nats.wsUrl,
        NATS_AUTH_FILE: join(stateDir, "nats-auth.json"),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_SESSION_SECRET: secrets.sessionSecret,
        PARLEY_ADMIN_TOKEN: secrets.adminToken,
        PARLEY_SHOPS_FILE: shops,
      },
    });
    services.push(gw);
    await gw.waitUntil(() => httpOk(`${gatewayUrl}/readyz`), GATEWAY_READY_MS, "ready");
    if (stopping) return;

    const keeper = await startTeamKeeper({ gatewayUrl, secrets, stateDir });
    closers.push(() => keeper.close());
    if (stopping) return;

    const storefront = new Service("storefront", process.execPath, [join(ROOT, "examples/shop-backend/server.mjs")], {
      logFile: join(logsDir, "storefront.log"),
      env: {
        ...env,
        PARLEY_GATEWAY_URL: gatewayUrl,
        PARLEY_SHOP_ID: SHOP_ID,
        PARLEY_SHOP_SECRET: secrets.shopTokenSecret,
        PARLEY_KEY_BACKUP_SECRET: secrets.keyBackupSecret,
        SHOP_HOST: HOST,
        SHOP_PORT: String(shopPort),
      },
    });
    services.push(storefront);
    await storefront.waitUntil(() => httpOk(`${storefrontUrl}/`), GATEWAY_READY_MS, "ready");
    if (stopping) return;

    const bot = new Service("bot", process.execPath, ["--import", "tsx", join(ROOT, "examples/bot/main.ts")], {
      logFile: join(logsDir, "bot.log"),
      env: {
        ...env,
        PARLEY_GATEWAY_URL: gatewayUrl,
        PARLEY_SHOP_ID: SHOP_ID,
        PARLEY_BOT_LOGIN: BOT_LOGIN,
        PARLEY_BOT_PASSWORD: secrets.botPassword,
        PARLEY_BOT_STATE: join(stateDir, "bot-state.json"),
        PARLEY_BOT_ORIGIN: gatewayUrl,
      },
    });
    services.push(bot);
    await bot.waitUntil(async () => bot.tail().includes("is answering"), BOT_READY_MS, "answering");
    if (stopping) return;

    const { startDashboard } = await import(
      pathToFileURL(join(ROOT, "examples/merchant-dashboard/dist/server/serve.mjs")).href
    );
    const dashboard = await startDashboard({
      port: dashboardPort,
      host: HOST,
      gatewayUrl,
      shopId: SHOP_ID,
      natsWsUrl: nats.wsUrl,
    });
    closers.push(() => dashboard.close());
    if (stopping) return;

    for (const service of services) {
      service.exited.then(() => {
        if (!stopping) {
          void stopAll(
            1,
            `\n${service.name} stopped unexpectedly (${service.exitCode}); stopping the demo. ` +
              `Last log lines (${rel(service.logFile)}):\n${service.tail()}`,
          );
        }
      });
    }

    const info = {
      gatewayUrl,
      healthUrl: `${gatewayUrl}/healthz`,
      natsWsUrl: nats.wsUrl,
      storefrontUrl,
      dashboardUrl,
      shopId: SHOP_ID,
      agentLogin: AGENT_LOGIN,
      agentPassword: secrets.agentPassword,
      agentHandle: AGENT_HANDLE,
      botLogin: BOT_LOGIN,
      botHandle: BOT_HANDLE,
      stateDir,
      pids: { demo: process.pid, gateway: gw.pid, nats: nats.nats.pid, storefront: storefront.pid, bot: bot.pid },
    };
    const json = `${JSON.stringify(info, null, 2)}\n`;
    await writePrivate(demoJson, json);
    wroteDemoJson = true;
    if (readyFile) await writePrivate(readyFile, json);

    const custom = stateDir !== join(ROOT, ".parley", "demo");
    const cli = `node ${rel(join(ROOT, "examples/cli-chat/chat.mjs"))}${custom ? ` --config ${rel(demoJson)}` : ""}`;
    say(
      [
        "",
        "Parley demo is running (loopback only).",
        "",
        `  Storefront       ${storefrontUrl}   (log in with any name, then open the chat button)`,
        `  Dashboard        ${dashboardUrl}   (sign in with the agent login below)`,
        `  Gateway          ${gatewayUrl}`,
        `  Health           ${info.healthUrl}`,
        `  NATS WebSocket   ${nats.wsUrl}`,
        `  Demo shop id     ${SHOP_ID}`,
        `  Agent login      ${AGENT_LOGIN}`,
        `  Agent password   ${secrets.agentPassword}`,
        `  Agent handle     @${AGENT_HANDLE}`,
        `  Bot              @${BOT_HANDLE} answers opening hours and order status (log in as Mia and ask "where is PX-1001?")`,
        "",
        "Or chat from two terminals:",
        `  ${cli} --as customer --name Mia`,
        `  ${cli} --as agent`,
        "",
        `nats-server ${version}; logs in ${rel(logsDir)}; state in ${rel(stateDir)}.`,
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    );
  };

  starting = start();
  starting.catch((err) => {
    const message = err instanceof DemoError ? err.message : (err?.stack ?? String(err));
    void stopAll(1, `demo failed: ${message}`);
  });
  return finished;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
