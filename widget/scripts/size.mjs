#!/usr/bin/env node
// The widget's bundle budgets (PERFORMANCE.md), measured as gzip -9 bytes:
//   launcher: dist/parley.js, what every storefront page loads  <= 6,500
//   chat:     everything the frame can load before the first message renders:
//             index.html, its CSS, the entry and every chunk reachable from it
//             by static or dynamic import (libsodium included)  <= 200,000
// Prints a table, writes dist/sizes.json (the benchmark reads it) and exits 1
// when a figure is over its budget.
//
//   node widget/scripts/size.mjs [--launcher-budget N] [--chat-budget N] [--dist DIR] [--out FILE]
//   (or PARLEY_LAUNCHER_BUDGET / PARLEY_CHAT_BUDGET in the environment)
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { constants, gzipSync } from "node:zlib";

const { values } = parseArgs({
  options: {
    "launcher-budget": { type: "string" },
    "chat-budget": { type: "string" },
    dist: { type: "string" },
    out: { type: "string" },
  },
});
const budget = (value, fallback) => {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bad budget ${value}`);
  return n;
};
const budgets = {
  launcher: budget(values["launcher-budget"] ?? process.env.PARLEY_LAUNCHER_BUDGET, 6500),
  chat: budget(values["chat-budget"] ?? process.env.PARLEY_CHAT_BUDGET, 200_000),
};
const dist = values.dist ?? join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const gz = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
const sizeOf = async (path) => {
  const bytes = await readFile(path);
  return { raw: bytes.length, gz: gz(bytes) };
};

let meta;
try {
  meta = JSON.parse(await readFile(join(dist, "build-meta.json"), "utf8"));
} catch {
  console.error(`size: no build in ${dist}; run npm run build -w widget first`);
  process.exit(2);
}

// The frame's files: walk the import graph from the entry.
const chat = ["index.html", meta.css];
const seen = new Set();
const walk = (name) => {
  if (seen.has(name)) return;
  seen.add(name);
  for (const i of meta.outputs[name]?.imports ?? []) walk(i.path);
};
walk(meta.entry);
chat.push(...seen, meta.wasm);

const launcher = await sizeOf(join(dist, "parley.js"));
const files = [];
for (const name of chat)
  files.push({
    name,
    ...(await sizeOf(join(dist, "frame", name))),
    libsodium: !!meta.outputs[name]?.libsodium || name === meta.wasm,
  });
const chatGz = files.reduce((n, f) => n + f.gz, 0);

const rows = [
  ["parley.js (launcher)", launcher.raw, launcher.gz],
  ...files.map((f) => [`frame/${f.name}${f.libsodium ? " (libsodium)" : ""}`, f.raw, f.gz]),
];
for (const [name, raw, g] of rows)
  console.log(`${name.padEnd(44)} ${String(raw).padStart(9)} B  ${String(g).padStart(8)} B gz`);
const verdict = (name, value, max) => `${name}: ${value} / ${max} gz bytes ${value <= max ? "ok" : "OVER BUDGET"}`;
console.log(verdict("launcher", launcher.gz, budgets.launcher));
console.log(verdict("chat before the first message", chatGz, budgets.chat));

const ok = launcher.gz <= budgets.launcher && chatGz <= budgets.chat;
const report = {
  when: new Date().toISOString(),
  launcher_gz_bytes: launcher.gz,
  chat_gz_bytes: chatGz,
  budgets: { launcher_gz_bytes: budgets.launcher, chat_gz_bytes: budgets.chat },
  ok,
  files: [
    { name: "parley.js", raw: launcher.raw, gz: launcher.gz },
    ...files.map((f) => ({ ...f, name: `frame/${f.name}` })),
  ],
};
await writeFile(values.out ?? join(dist, "sizes.json"), `${JSON.stringify(report, null, 2)}\n`);
if (!ok) {
  console.error("size: over budget (PERFORMANCE.md); see the table above");
  process.exit(1);
}
