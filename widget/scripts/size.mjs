#!/usr/bin/env node
// The widget's bundle budgets (docs/widget.md, "Build and size budgets"), measured on the bytes the
// gateway sends: the build's precompressed copies (`*.gz`, gzip -9, and `*.br`,
// brotli 11; ADR 0017). Budgets hold for gzip, which every browser accepts;
// Chromium, Firefox and Safari ask for brotli and get the smaller `*_br_bytes`.
//   launcher: dist/parley.js, what every storefront page loads  <= 6,500
//   chat:     everything the frame can load before the first message renders:
//             index.html, its CSS, the entry and every chunk reachable from it
//             by static or dynamic import (libsodium included)  <= 200,000,
//             for an English visitor and for a German one (plus its catalog)
//   panels:   the chunks reachable only through a dynamic import of a module in
//             widget/src/panels/ (profile, invites, ...: loaded when the person
//             opens one), all of them together  <= 40,000 (ADR 0026)
//   cards:    the chunks reachable only through a dynamic import of a module in
//             widget/src/cards/ (the card renderers) or sdk/src/cards/ (the SDK's
//             card fold, reached through sdk/src/client/cards-runtime.ts): loaded when
//             a conversation first shows a card  <= 28,000
//   live:     the same rule for what is live in a conversation: the location and listen views
//             (widget/src/location/, widget/src/listen/) and the SDK's folds and runtimes
//             (sdk/src/location/, sdk/src/listen/, sdk/src/client/location-runtime.ts,
//             sdk/src/client/listen-runtime.ts), all of them together, without a map library  <= 40,000
//             (set when they measured 32,286 with both views, plus about 25% headroom)
//   map:      the map library's chunks (node_modules/leaflet/), loaded when a map first shows  <= 60,000
//   calls:    the same rule for calls: the call views (widget/src/calls/), the SDK's calls fold and
//             runtime (sdk/src/client/calls-runtime.ts, sdk/src/calls/) and the WebRTC engine
//             (sdk/src/calls/engine/), all of them together: loaded when a call first rings, starts
//             or shows in a conversation  <= 32,000 (set when they measured 25,846, plus about 25% headroom)
// A chunk that two of these on-demand groups (panels, cards, live, map, calls) load counts in each of them
// (it is downloaded with whichever comes first); one that something else on demand loads too is
// listed as "on demand". Each group holds the chunks its dynamic imports reach by static imports:
// a chunk reached only through a further dynamic import belongs to that import's own group.
// Prints a table, writes dist/sizes.json (the benchmark reads it) and exits 1
// when a figure is over its budget.
//
//   node widget/scripts/size.mjs [--launcher-budget N] [--chat-budget N] [--panels-budget N] [--cards-budget N]
//                                [--live-budget N] [--map-budget N] [--calls-budget N] [--dist DIR] [--out FILE]
//   (or PARLEY_LAUNCHER_BUDGET / PARLEY_CHAT_BUDGET / PARLEY_PANELS_BUDGET / PARLEY_CARDS_BUDGET /
//   PARLEY_LIVE_BUDGET / PARLEY_MAP_BUDGET / PARLEY_CALLS_BUDGET in the environment)
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "launcher-budget": { type: "string" },
    "chat-budget": { type: "string" },
    "panels-budget": { type: "string" },
    "cards-budget": { type: "string" },
    "live-budget": { type: "string" },
    "map-budget": { type: "string" },
    "calls-budget": { type: "string" },
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
  panels: budget(values["panels-budget"] ?? process.env.PARLEY_PANELS_BUDGET, 40_000),
  cards: budget(values["cards-budget"] ?? process.env.PARLEY_CARDS_BUDGET, 28_000),
  live: budget(values["live-budget"] ?? process.env.PARLEY_LIVE_BUDGET, 40_000),
  map: budget(values["map-budget"] ?? process.env.PARLEY_MAP_BUDGET, 60_000),
  calls: budget(values["calls-budget"] ?? process.env.PARLEY_CALLS_BUDGET, 32_000),
};
const dist = values.dist ?? join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
/** The file's size and the sizes of the compressed copies the build wrote beside it (what is sent). */
const sizeOf = async (path) => {
  const [raw, gz, br] = await Promise.all(
    ["", ".gz", ".br"].map((suffix) =>
      readFile(path + suffix).then(
        (bytes) => bytes.length,
        () => {
          console.error(`size: ${path}${suffix} is missing; run npm run build -w widget`);
          process.exit(2);
        },
      ),
    ),
  );
  return { raw, gz, br };
};

let meta;
try {
  meta = JSON.parse(await readFile(join(dist, "build-meta.json"), "utf8"));
} catch {
  console.error(`size: no build in ${dist}; run npm run build -w widget first`);
  process.exit(2);
}

// The frame's files before the first message: the entry, everything it imports statically,
// and the dynamic imports on the way to the first message: libsodium, and the end-to-end
// session should it ever be a chunk again (the frame build puts it in the entry: the frame
// always encrypts). Other dynamic chunks (file transfer, fingerprints, the German catalog)
// load on demand and are listed apart. The embed test checks this set against what Chromium fetched.
const BOOT_DYNAMIC = [/sdk\/src\/e2e\/session\.ts$/, /libsodium-wrappers/];
const chat = ["index.html", meta.css];
const seen = new Set();
const later = new Set();
const walk = (name) => {
  if (seen.has(name)) return;
  seen.add(name);
  later.delete(name);
  for (const i of meta.outputs[name]?.imports ?? []) {
    const entry = meta.outputs[i.path]?.entryPoint ?? "";
    if (i.kind !== "dynamic-import" || BOOT_DYNAMIC.some((re) => re.test(entry))) walk(i.path);
    else if (!seen.has(i.path)) later.add(i.path);
  }
};
walk(meta.entry);
chat.push(...seen, meta.wasm);
// On-demand chunks and whatever they import that boot does not.
for (const name of [...later]) {
  for (const i of meta.outputs[name]?.imports ?? []) if (!seen.has(i.path)) later.add(i.path);
}

// Panels: the on-demand chunks that only dynamic imports of widget/src/panels/ modules reach. A chunk
// also reached from another on-demand import (file transfer, the German catalog...) stays "on demand".
const PANEL = /(^|\/)src\/panels\//;
// What loading `roots` downloads beyond boot: the roots and their static imports, transitively.
const closure = (roots) => {
  const found = new Set();
  const visit = (name) => {
    if (found.has(name) || seen.has(name)) return;
    found.add(name);
    for (const i of meta.outputs[name]?.imports ?? []) if (i.kind !== "dynamic-import") visit(i.path);
  };
  for (const r of roots) visit(r);
  return found;
};
const dynamicRoots = new Set();
for (const name of [...seen, ...later])
  for (const i of meta.outputs[name]?.imports ?? [])
    if (i.kind === "dynamic-import" && !seen.has(i.path)) dynamicRoots.add(i.path);
// Cards: the same rule for the card renderers (widget/src/cards/) and the SDK's card fold and schemas
// (sdk/src/cards/, loaded through sdk/src/client/cards-runtime.ts).
const CARDS = /(^|\/)src\/cards\/|(^|\/)sdk\/src\/client\/cards-runtime\.ts$/;
// Live: location and listen, the views and the SDK's folds (through the two runtimes), without a map library.
// (Entry points are relative to widget/: the widget's own files read `src/location/...`.)
const LIVE = /(^|\/)src\/(location|listen)\/|(^|\/)sdk\/src\/client\/(location|listen)-runtime\.ts$/;
const MAP = /(^|\/)node_modules\/leaflet\//;
// Calls: the call views and the SDK's calls runtime, fold and engine.
const CALLS = /(^|\/)src\/calls\/|(^|\/)sdk\/src\/client\/calls-runtime\.ts$/;
const entryOf = (name) => meta.outputs[name]?.entryPoint ?? "";
const isPanel = (name) => PANEL.test(entryOf(name));
const isCards = (name) => CARDS.test(entryOf(name));
const isMap = (name) => MAP.test(entryOf(name));
const isLive = (name) => LIVE.test(entryOf(name)) && !isMap(name);
const isCalls = (name) => CALLS.test(entryOf(name));
const groups = [isPanel, isCards, isLive, isMap, isCalls];
const outside = closure([...dynamicRoots].filter((r) => !groups.some((g) => g(r))));
const only = (mine) => [...closure([...dynamicRoots].filter(mine))].filter((n) => !outside.has(n));
const panelNames = only(isPanel);
const cardNames = only(isCards);
const liveNames = only(isLive);
const mapNames = only(isMap);
const callsNames = only(isCalls);
for (const name of [...panelNames, ...cardNames, ...liveNames, ...mapNames, ...callsNames]) later.delete(name);

const launcher = await sizeOf(join(dist, "parley.js"));
const files = [];
for (const name of chat)
  files.push({
    name,
    ...(await sizeOf(join(dist, "frame", name))),
    libsodium: !!meta.outputs[name]?.libsodium || name === meta.wasm,
  });
const chatGz = files.reduce((n, f) => n + f.gz, 0);
const chatBr = files.reduce((n, f) => n + f.br, 0);
const onDemand = [];
for (const name of later) onDemand.push({ name, ...(await sizeOf(join(dist, "frame", name))) });

// The German catalog loads on open for German visitors only (i18n/index.ts loadCatalog): their
// chat is the English figure plus that chunk, held to the same budget.
const germanChunk = onDemand.find((f) => /i18n\/de\.ts$/.test(meta.outputs[f.name]?.entryPoint ?? ""));
const chatDeGz = chatGz + (germanChunk?.gz ?? 0);
const panels = [];
for (const name of panelNames) panels.push({ name, ...(await sizeOf(join(dist, "frame", name))) });
const panelsGz = panels.reduce((n, f) => n + f.gz, 0);
const panelsBr = panels.reduce((n, f) => n + f.br, 0);
const chatDeBr = chatBr + (germanChunk?.br ?? 0);
const cards = [];
for (const name of cardNames) cards.push({ name, ...(await sizeOf(join(dist, "frame", name))) });
const cardsGz = cards.reduce((n, f) => n + f.gz, 0);
const cardsBr = cards.reduce((n, f) => n + f.br, 0);
const live = [];
for (const name of liveNames) live.push({ name, ...(await sizeOf(join(dist, "frame", name))) });
const liveGz = live.reduce((n, f) => n + f.gz, 0);
const liveBr = live.reduce((n, f) => n + f.br, 0);
const map = [];
for (const name of mapNames) map.push({ name, ...(await sizeOf(join(dist, "frame", name))) });
const mapGz = map.reduce((n, f) => n + f.gz, 0);
const mapBr = map.reduce((n, f) => n + f.br, 0);
const calls = [];
for (const name of callsNames) calls.push({ name, ...(await sizeOf(join(dist, "frame", name))) });
const callsGz = calls.reduce((n, f) => n + f.gz, 0);
const callsBr = calls.reduce((n, f) => n + f.br, 0);

const rows = [
  ["parley.js (launcher)", launcher],
  ...files.map((f) => [`frame/${f.name}${f.libsodium ? " (libsodium)" : ""}`, f]),
  ...onDemand.map((f) => [`frame/${f.name} (${f === germanChunk ? "German catalog, " : ""}on demand, not counted)`, f]),
  ...panels.map((f) => [
    `frame/${f.name} (panel ${meta.outputs[f.name]?.entryPoint?.replace(/.*\//, "") ?? "chunk"})`,
    f,
  ]),
  ...cards.map((f) => [
    `frame/${f.name} (cards ${meta.outputs[f.name]?.entryPoint?.replace(/.*\//, "") ?? "chunk"})`,
    f,
  ]),
  ...live.map((f) => [`frame/${f.name} (live ${meta.outputs[f.name]?.entryPoint?.replace(/.*\//, "") ?? "chunk"})`, f]),
  ...map.map((f) => [`frame/${f.name} (map ${meta.outputs[f.name]?.entryPoint?.replace(/.*\//, "") ?? "chunk"})`, f]),
  ...calls.map((f) => [
    `frame/${f.name} (calls ${meta.outputs[f.name]?.entryPoint?.replace(/.*\//, "") ?? "chunk"})`,
    f,
  ]),
];
const pad = (n, width) => String(n).padStart(width);
for (const [name, f] of rows)
  console.log(`${name.padEnd(50)} ${pad(f.raw, 9)} B  ${pad(f.gz, 8)} B gz  ${pad(f.br, 8)} B br`);
const verdict = (name, value, br, max) =>
  `${name}: ${value} / ${max} gz bytes ${value <= max ? "ok" : "OVER BUDGET"} (${br} br bytes)`;
console.log(verdict("launcher", launcher.gz, launcher.br, budgets.launcher));
console.log(verdict("chat before the first message", chatGz, chatBr, budgets.chat));
console.log(verdict("chat before the first message, German visitor", chatDeGz, chatDeBr, budgets.chat));
console.log(verdict("panels (on demand, all together)", panelsGz, panelsBr, budgets.panels));
console.log(verdict("cards (on demand, all together)", cardsGz, cardsBr, budgets.cards));
console.log(verdict("live: location and listen (on demand, all together)", liveGz, liveBr, budgets.live));
console.log(verdict("map library (on demand)", mapGz, mapBr, budgets.map));
console.log(verdict("calls: views, fold and engine (on demand, all together)", callsGz, callsBr, budgets.calls));

const ok =
  launcher.gz <= budgets.launcher &&
  chatGz <= budgets.chat &&
  chatDeGz <= budgets.chat &&
  panelsGz <= budgets.panels &&
  cardsGz <= budgets.cards &&
  liveGz <= budgets.live &&
  mapGz <= budgets.map &&
  callsGz <= budgets.calls;
const report = {
  when: new Date().toISOString(),
  launcher_gz_bytes: launcher.gz,
  launcher_br_bytes: launcher.br,
  chat_gz_bytes: chatGz,
  chat_br_bytes: chatBr,
  chat_de_gz_bytes: chatDeGz,
  chat_de_br_bytes: chatDeBr,
  panels_gz_bytes: panelsGz,
  panels_br_bytes: panelsBr,
  cards_gz_bytes: cardsGz,
  cards_br_bytes: cardsBr,
  live_gz_bytes: liveGz,
  live_br_bytes: liveBr,
  map_gz_bytes: mapGz,
  map_br_bytes: mapBr,
  calls_gz_bytes: callsGz,
  calls_br_bytes: callsBr,
  budgets: {
    launcher_gz_bytes: budgets.launcher,
    chat_gz_bytes: budgets.chat,
    panels_gz_bytes: budgets.panels,
    cards_gz_bytes: budgets.cards,
    live_gz_bytes: budgets.live,
    map_gz_bytes: budgets.map,
    calls_gz_bytes: budgets.calls,
  },
  ok,
  files: [
    { name: "parley.js", raw: launcher.raw, gz: launcher.gz, br: launcher.br },
    ...files.map((f) => ({ ...f, name: `frame/${f.name}` })),
  ],
  on_demand: onDemand.map((f) => ({ ...f, name: `frame/${f.name}` })),
  panels: panels.map((f) => ({ ...f, name: `frame/${f.name}` })),
  cards: cards.map((f) => ({ ...f, name: `frame/${f.name}` })),
  live: live.map((f) => ({ ...f, name: `frame/${f.name}` })),
  map: map.map((f) => ({ ...f, name: `frame/${f.name}` })),
  calls: calls.map((f) => ({ ...f, name: `frame/${f.name}` })),
};
await writeFile(values.out ?? join(dist, "sizes.json"), `${JSON.stringify(report, null, 2)}\n`);
if (!ok) {
  console.error('size: over budget (docs/widget.md, "Build and size budgets"); see the table above');
  process.exit(1);
}
