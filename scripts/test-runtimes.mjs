#!/usr/bin/env node
// Runs the SDK's and the gateway's suites again on every supported Node major
// other than the one running `npm test` (ADR 0050): CI's main run is on Node 22,
// so this adds Node 24. PARLEY_TEST_RUNTIMES overrides the list ("22,24"), or
// "none" turns it off for a quick local run; CI never sets it. `--list` prints
// what the pass leaves out and exits.
//
// What this pass leaves out (ADR 0054), because the main pass already ran it and
// the second Node would not change what it tests:
// - the cluster suite (gateway/test/cluster/): its gateways are child processes
//   started on the main pass's runtime anyway;
// - browser-driven files: a test file that launches Chromium (it mentions
//   `launchChromium` or `playwright-core`, itself or in a test module beside it
//   that it imports). What those test runs in the browser, and the Node side
//   they need is covered by the files that stay. The packed-app test is one of
//   them, so its npm installs run once.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { ensureNode, NODE_RUNTIMES } from "./lib/node-runtime.mjs";
import { ensureSqliteBinding } from "./lib/sqlite-binding.mjs";

const SUITES = ["sdk", "gateway"];
const BROWSER = /\blaunchChromium\b|playwright-core/;

function majors() {
  const wanted = process.env.PARLEY_TEST_RUNTIMES?.trim();
  if (wanted === "none") return [];
  if (wanted) return wanted.split(",").map((m) => Number(m.trim()));
  const current = Number(process.versions.node.split(".")[0]);
  return Object.keys(NODE_RUNTIMES)
    .map(Number)
    .filter((m) => m !== current);
}

/** Every `*.test.ts` under `dir`, skipping dependencies and builds. */
function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name === "dist") return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Whether the test file launches Chromium, itself or through a relative import of it. */
function drivesBrowser(file) {
  const source = readFileSync(file, "utf8");
  if (BROWSER.test(source)) return true;
  for (const [, spec] of source.matchAll(/from\s+"(\.{1,2}\/[^"]+)\.js"/g)) {
    try {
      if (BROWSER.test(readFileSync(resolve(dirname(file), `${spec}.ts`), "utf8"))) return true;
    } catch {
      // not a TypeScript module beside it
    }
  }
  return false;
}

/** The files and globs this pass leaves out (see the comment at the top), relative to the root. */
function leftOut(root = process.cwd()) {
  const browser = SUITES.flatMap((suite) => testFiles(join(root, suite))).filter(drivesBrowser);
  return ["gateway/test/cluster/**", ...browser.map((f) => relative(root, f)).sort()];
}

if (process.argv.includes("--list")) {
  for (const e of leftOut()) console.log(e);
  process.exit(0);
}

const vitest = join(
  createRequire(join(process.cwd(), "package.json")).resolve("vitest/package.json"),
  "..",
  "vitest.mjs",
);

for (const major of majors()) {
  const runtime = await ensureNode(major);
  await ensureSqliteBinding(runtime);
  const excluded = leftOut();
  console.log(`\n== the ${SUITES.join(" and ")} suites on Node ${runtime.version}, leaving out:`);
  for (const e of excluded) console.log(`   ${e}`);
  const code = await new Promise((resolve) => {
    const args = [vitest, "run", ...SUITES, ...excluded.flatMap((e) => ["--exclude", e])];
    const child = spawn(runtime.bin, args, {
      stdio: "inherit",
      env: { ...process.env, PATH: `${join(runtime.dir, "bin")}:${process.env.PATH}` },
    });
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) {
    console.error(`the suites failed on Node ${runtime.version} (exit ${code})`);
    process.exit(code);
  }
}
