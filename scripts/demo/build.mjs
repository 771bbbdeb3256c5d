// The demo's preparation on a fresh clone: `npm ci` when the lock file is newer
// than node_modules, then the packages and the merchant dashboard rebuilt when
// their sources are newer than their output. Only node: builtins.
import { createWriteStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DemoError, LOG_TAIL_LINES, ROOT, rel, say } from "./common.mjs";
import { mtime, newestUnder } from "./files.mjs";
import { runCommand } from "./service.mjs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

export async function installIfNeeded(skip) {
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
  const code = await runCommand(npm, ["ci"], { env });
  if (code !== 0) throw new DemoError(`npm ci failed (exit ${code})`);
}

export async function buildIfNeeded(logsDir, skip) {
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
  await logged(logFile, "npm run build", npm, ["run", "build"]);
}

/** Builds the merchant dashboard (examples/merchant-dashboard/build.mjs) when its output is older than its sources. */
export async function buildDashboardIfNeeded(logsDir, skip) {
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
  await logged(logFile, "the dashboard build", process.execPath, [join(ROOT, "examples/merchant-dashboard/build.mjs")]);
}

/** Runs a build with its output in `logFile`; fails with the log's last lines. */
async function logged(logFile, name, cmd, args) {
  const out = createWriteStream(logFile, { mode: 0o600 });
  const code = await runCommand(cmd, args, { out });
  await new Promise((r) => out.end(r));
  if (code !== 0) {
    const lines = (await readFile(logFile, "utf8")).trimEnd().split("\n").slice(-LOG_TAIL_LINES);
    throw new DemoError(`${name} failed (exit ${code}):\n${lines.map((l) => `    ${l}`).join("\n")}`);
  }
}
