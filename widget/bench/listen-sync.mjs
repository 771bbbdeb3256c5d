#!/usr/bin/env node
// `node widget/bench/listen-sync.mjs [--seconds 30] [--json]`: the listen-together sync benchmark
// (listen-sync.ts), run under tsx with the `source` condition so @parley/* resolve to their sources.
// Prints its figures; with --json, the last line of stdout is the JSON
// `{ listen_sync_median_ms, listen_sync_max_ms, listen_join_offset_ms, ... }` (the gateway benchmark
// runs it this way for `npm run bench`). See docs/performance.md, "Listening together".
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
await ensureNatsServer();
const child = spawn(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "widget/bench/listen-sync.ts", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
