#!/usr/bin/env node
// Builds the merchant dashboard into examples/merchant-dashboard/dist/:
//   index.html, dashboard.js (entry), chunk-<hash>.js (libsodium and other lazy parts), dashboard.css,
//   and server/serve.mjs (serve.ts compiled for plain Node: `import { startDashboard } from ".../dist/server/serve.mjs"`)
// with esbuild's JS API. @parley/sdk and @parley/widget/components resolve to their sources through the
// packages' `source` export condition (ADR 0021), so the build needs no other package built first.
//
//   node examples/merchant-dashboard/build.mjs
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const DIST = join(HERE, "dist");

/** Builds dist/ and resolves the output directory. */
export async function buildDashboard({ minify = true } = {}) {
  await rm(DIST, { recursive: true, force: true });
  await mkdir(DIST, { recursive: true });
  await build({
    entryPoints: { dashboard: join(HERE, "src/main.ts"), "dashboard-style": join(HERE, "src/dashboard.css") },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome111", "firefox111", "safari16.4"],
    minify,
    sourcemap: false,
    legalComments: "none",
    entryNames: "[name]",
    chunkNames: "chunk-[hash]",
    // @parley/sdk and @parley/widget/components resolve to their sources (the `source` export condition).
    conditions: ["source"],
    tsconfig: join(ROOT, "tsconfig.json"),
    // nats.js carries a Node-only fallback that never runs in a browser.
    external: ["crypto"],
    logLevel: "warning",
  });
  // esbuild names a CSS entry after its key; the page links dashboard.css.
  await copyFile(join(DIST, "dashboard-style.css"), join(DIST, "dashboard.css"));
  await rm(join(DIST, "dashboard-style.css"));
  await copyFile(join(HERE, "index.html"), join(DIST, "index.html"));
  // The static server, for plain Node scripts (`.mjs`: the server itself never serves it).
  await build({
    entryPoints: [join(HERE, "serve.ts")],
    outfile: join(DIST, "server", "serve.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  return DIST;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildDashboard();
  console.log(`merchant-dashboard: built ${relative(process.cwd(), out) || "."}`);
}
