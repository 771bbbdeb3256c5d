#!/usr/bin/env node
// `npm run bench [-- --quick]`: makes sure nats-server (and FerretDB, unless
// MONGODB_URI is set) exist, then runs gateway/bench/main.ts under tsx, with the
// `source` condition so that @parley/* resolve to their sources, from the repository root, with
// the open-files limit raised to its hard limit for the idle-clients phase.
// The exit code is passed through; SIGINT/SIGTERM are forwarded.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFerretdb } from "../../scripts/lib/ferretdb.mjs";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
await ensureNatsServer();
const noMongo = ["--no-mongo", "--connections-experiment", "--sdk-cpu"].some((a) => process.argv.includes(a));
if (!process.env.MONGODB_URI && !noMongo) await ensureFerretdb();

const child = spawn(
  "/bin/sh",
  [
    "-c",
    'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"',
    "sh",
    process.execPath,
    "--conditions=source",
    "--import",
    "tsx",
    "gateway/bench/main.ts",
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
