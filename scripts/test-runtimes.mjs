#!/usr/bin/env node
// Runs the SDK's and the gateway's suites again on every supported Node major
// other than the one running `npm test` (ADR 0050): CI's main run is on Node 22,
// so this adds Node 24. PARLEY_TEST_RUNTIMES overrides the list ("22,24"), or
// "none" turns it off for a quick local run; CI never sets it.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ensureNode, NODE_RUNTIMES } from "./lib/node-runtime.mjs";
import { ensureSqliteBinding } from "./lib/sqlite-binding.mjs";

const SUITES = ["sdk", "gateway"];

function majors() {
  const wanted = process.env.PARLEY_TEST_RUNTIMES?.trim();
  if (wanted === "none") return [];
  if (wanted) return wanted.split(",").map((m) => Number(m.trim()));
  const current = Number(process.versions.node.split(".")[0]);
  return Object.keys(NODE_RUNTIMES)
    .map(Number)
    .filter((m) => m !== current);
}

const vitest = join(
  createRequire(join(process.cwd(), "package.json")).resolve("vitest/package.json"),
  "..",
  "vitest.mjs",
);

for (const major of majors()) {
  const runtime = await ensureNode(major);
  await ensureSqliteBinding(runtime);
  console.log(`\n== the ${SUITES.join(" and ")} suites on Node ${runtime.version}\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(runtime.bin, [vitest, "run", ...SUITES], {
      stdio: "inherit",
      env: { ...process.env, PATH: `${join(runtime.dir, "bin")}:${process.env.PATH}`, PARLEY_RUNTIME_PASS: "1" },
    });
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) {
    console.error(`the suites failed on Node ${runtime.version} (exit ${code})`);
    process.exit(code);
  }
}
