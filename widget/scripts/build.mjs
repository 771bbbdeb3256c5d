#!/usr/bin/env node
// Builds @parley/widget:
//   dist/parley.js         the script-tag launcher (IIFE, minified)
//   dist/frame/            the chat frame: index.html, hashed ESM chunks and CSS
//                          (libsodium lands in its own chunk, imported lazily)
//   dist/components/       the Lit components for apps that import @parley/widget/components
//   dist/build-meta.json   esbuild's metafile of the frame (size.mjs reads the import graph)
//   *.gz, *.br             beside parley.js and every file in dist/frame/: the bytes the gateway
//                          sends to browsers that accept them (ADR 0017), made once here
// then runs scripts/size.mjs, which fails the build over budget.
//
//   node widget/scripts/build.mjs [--no-size]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build, transform } from "esbuild";
import { checkSodiumChunk, pruneSodiumWrappers, sodiumCallsIn, trimSodiumWasm } from "./sodium-prune.mjs";

const WIDGET = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = join(WIDGET, "..");
const DIST = join(WIDGET, "dist");
const FRAME = join(DIST, "frame");
const src = (path) => join(WIDGET, "src", path);

const common = {
  bundle: true,
  minify: true,
  legalComments: "none",
  target: ["es2022", "chrome111", "firefox111", "safari16.4"],
  platform: "browser",
  // The SDK resolves to its source (the `source` export condition), not a stale dist.
  conditions: ["source"],
  tsconfig: join(WIDGET, "tsconfig.json"),
  // nats.js carries a Node-only fallback that never runs in a browser.
  external: ["crypto"],
  logLevel: "warning",
};

await rm(DIST, { recursive: true, force: true });
await mkdir(FRAME, { recursive: true });

// libsodium's ESM build inlines its wasm as a base64 string (~130 KB gzipped). The frame
// serves it as a binary file instead (~100 KB gzipped): the string is cut out of the
// module and the wrappers' factory call gets an `instantiateWasm` hook that fetches
// the file. Checked against the pinned version: the build fails if the shape changes.
const fromSdk = createRequire(createRequire(import.meta.url).resolve("@parley/sdk/package.json"));
const fromWrappers = createRequire(fromSdk.resolve("libsodium-wrappers"));
const sodiumCore = join(dirname(fromWrappers.resolve("libsodium")), "..", "modules-esm", "libsodium.mjs");
const sodiumText = await readFile(sodiumCore, "utf8");
const inlined = [...sodiumText.matchAll(/"([A-Za-z0-9+/]{10000,}={0,2})"/g)];
if (inlined.length !== 1 || !sodiumText.includes("instantiateWasm")) {
  throw new Error("libsodium.mjs no longer has one inlined wasm and an instantiateWasm hook: update build.mjs");
}
// The wrappers and the wasm keep only the libsodium calls the frame's code names (sodium-prune.mjs).
const sodiumWrappersPath = join(
  dirname(fromWrappers.resolve("libsodium-wrappers")),
  "..",
  "modules-esm",
  "libsodium-wrappers.mjs",
);
const sodiumCalls = await sodiumCallsIn([join(ROOT, "sdk", "src"), join(WIDGET, "src")]);
const sodiumWrappers = pruneSodiumWrappers(await readFile(sodiumWrappersPath, "utf8"), sodiumCalls);
const { wasm, removed: sodiumRemoved } = await trimSodiumWasm(
  Buffer.from(inlined[0][1], "base64"),
  sodiumText,
  sodiumWrappers.dropped,
);
const wasmName = `libsodium-${createHash("sha256").update(wasm).digest("hex").slice(0, 12)}.wasm`;
await writeFile(join(FRAME, wasmName), wasm);
const sodiumShim = `import core from ${JSON.stringify(sodiumCore)};
const url = new URL("./${wasmName}", import.meta.url);
export default function (options) {
  return new Promise((resolve, reject) => {
    core({ ...options, instantiateWasm(imports, receive) {
      fetch(url, { credentials: "omit" })
        .then((r) => { if (!r.ok) throw new Error("libsodium wasm: HTTP " + r.status); return r.arrayBuffer(); })
        .then((bytes) => WebAssembly.instantiate(bytes, imports))
        .then((r) => receive(r.instance, r.module), reject);
      return {};
    } }).then(resolve, reject);
  });
}`;
// nats.js pulls in nkeys (and tweetnacl) for nkey signing; the frame connects with a
// bearer JWT only (docs/security.md, "Transport and server-side controls"), so signing is left out: calling it throws.
const nkeysStub = `const no = () => { throw new Error("nkey signing is not part of the Parley widget (bearer JWTs only)"); };
module.exports = { fromSeed: no, fromPublic: no, encode: no, decode: no, createUser: no, createAccount: no,
  createOperator: no, createPair: no, createServer: no, createCluster: no, createCurve: no, fromCurveSeed: no };`;
// nats.js also re-exports its benchmark tool (Bench), which no client uses.
const benchStub = `const no = () => { throw new Error("nats.js Bench is not part of the Parley widget"); };
class Bench { constructor() { no(); } }
class Metric { constructor() { no(); } }
module.exports = { Bench, Metric, throughput: no, msgThroughput: no, humanizeBytes: no };`;
// nats.js ships CommonJS only: importing its entry (lib/mod.js, lib/internal_mod.js) pulls in every
// module it re-exports plus ~15 KB of re-export glue, none of which tree-shaking can drop. The SDK
// uses four of its values, so in the frame the package resolves to just the modules that hold them.
const natsLib = dirname(fromSdk.resolve("@nats-io/nats-core"));
const natsCore = `export { wsconnect } from ${JSON.stringify(join(natsLib, "ws_transport.js"))};
export { jwtAuthenticator } from ${JSON.stringify(join(natsLib, "authenticator.js"))};
export { nkeys } from ${JSON.stringify(join(natsLib, "nkeys.js"))};
export { headers } from ${JSON.stringify(join(natsLib, "headers.js"))};`;
const framePlugin = {
  name: "parley-frame",
  setup(b) {
    b.onResolve({ filter: /^libsodium$/ }, (args) =>
      args.importer.includes("libsodium-wrappers") ? { path: "libsodium", namespace: "parley-shim" } : undefined,
    );
    b.onResolve({ filter: /^@nats-io\/nats-core$/ }, (args) =>
      /sdk[\\/]src[\\/]/.test(args.importer) ? { path: "nats-core", namespace: "parley-shim" } : undefined,
    );
    b.onResolve({ filter: /^@nats-io\/nkeys$/ }, () => ({ path: "nkeys", namespace: "parley-shim" }));
    b.onResolve({ filter: /^\.\/bench$/ }, (args) =>
      /@nats-io[\\/]nats-core/.test(args.importer) ? { path: "bench", namespace: "parley-shim" } : undefined,
    );
    // The frame always encrypts, so the SDK's lazily imported E2E session is part of its entry
    // rather than a chunk of its own (fewer files up front, one gzip context: ~880 B less).
    b.onLoad({ filter: /sdk[\\/]src[\\/]client[\\/]e2e-start\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const lazy = 'await import("../e2e/session.js")';
      if (!text.includes(lazy)) throw new Error("frame build: the SDK no longer imports its E2E session lazily");
      return {
        contents: `import * as parleyE2ESession from "../e2e/session.js";\n${text.replace(lazy, "parleyE2ESession")}`,
        loader: "ts",
      };
    });
    b.onLoad({ filter: /.*/, namespace: "parley-shim" }, (args) => ({
      contents: { libsodium: sodiumShim, nkeys: nkeysStub, bench: benchStub, "nats-core": natsCore }[args.path],
      resolveDir: ROOT,
      loader: "js",
    }));
    // The wrappers publish all 245 libsodium calls; the frame keeps the ones its code names (sodium-prune.mjs).
    b.onLoad({ filter: /libsodium-wrappers[\\/]dist[\\/]modules-esm[\\/]libsodium-wrappers\.mjs$/ }, () => ({
      contents: sodiumWrappers.text,
      loader: "js",
    }));
    b.onLoad({ filter: /libsodium[\\/]dist[\\/]modules-esm[\\/]libsodium\.mjs$/ }, () => ({
      contents: sodiumText.replace(inlined[0][0], '""'),
      loader: "js",
    }));
  },
};

// Lit's css`...` templates reach the bundle as written (indentation, one declaration a line): the
// frame build minifies the ones without interpolations with esbuild's CSS minifier (~500 B gzip
// off the chat's first load). A template that is only declarations (theme.ts's palettes) is
// minified inside a dummy rule and unwrapped.
/**
 * Lit html`...` templates keep their indentation too: in their static text, a run of white space
 * with a line break becomes one line break (the same to HTML, and no widget template has literal
 * text in a pre-formatted element). Templates nested in `${...}` are handled the same; quotes and
 * braces inside expressions are followed so the scan stays in step.
 */
function squeezeHtml(text) {
  let out = "";
  let i = 0;
  const template = (squeeze) => {
    // text[i] is just after the opening backtick; copies up to and including the closing one.
    let start = i;
    const flush = () => {
      const part = text.slice(start, i);
      out += squeeze ? part.replace(/[ \t]*\n\s*/g, "\n") : part;
    };
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        flush();
        out += "`";
        i++;
        return;
      } else if (c === "$" && text[i + 1] === "{") {
        flush();
        out += "${";
        i += 2;
        expression();
        start = i;
      } else i++;
    }
    throw new Error("unterminated template");
  };
  const expression = () => {
    // Copies an expression up to and including its closing brace.
    let depth = 1;
    while (i < text.length) {
      const c = text[i];
      if (c === "'" || c === '"') {
        const end = text.indexOf(c, i + 1);
        out += text.slice(i, end + 1);
        i = end + 1;
      } else if (c === "`") {
        const tagged = /html\s*$/.test(text.slice(Math.max(0, i - 8), i));
        out += "`";
        i++;
        template(tagged);
      } else {
        if (c === "{") depth++;
        if (c === "}" && --depth === 0) {
          out += "}";
          i++;
          return;
        }
        out += c;
        i++;
      }
    }
    throw new Error("unterminated expression");
  };
  while (i < text.length) {
    const at = text.indexOf("html`", i);
    if (at < 0) break;
    out += text.slice(i, at + 5);
    i = at + 5;
    template(true);
  }
  return out + text.slice(i);
}

const cssLiterals = {
  name: "parley-css-literals",
  setup(b) {
    b.onLoad({ filter: /widget[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = squeezeHtml(await readFile(args.path, "utf8"));
      if (!text.includes("css`")) return { contents: text, loader: "ts" };
      let out = "";
      let at = 0;
      for (const m of text.matchAll(/css`([^`$\\]*)`/g)) {
        const rules = m[1].includes("{");
        const { code } = await transform(rules ? m[1] : `a{${m[1]}}`, {
          loader: "css",
          minify: true,
          target: common.target.filter((t) => t !== "es2022"),
        });
        const min = rules ? code.trim() : code.trim().replace(/^a\{/, "").replace(/\}$/, "");
        out += `${text.slice(at, m.index)}css\`${min}\``;
        at = m.index + m[0].length;
      }
      return { contents: out + text.slice(at), loader: "ts" };
    });
  },
};

// 1. The launcher: one small classic script.
await build({
  ...common,
  entryPoints: [src("launcher/main.ts")],
  outfile: join(DIST, "parley.js"),
  format: "iife",
});

// 2. The frame: ESM with code splitting; every name but index.html carries a content hash.
const frame = await build({
  ...common,
  entryPoints: { main: src("frame/main.ts"), frame: src("frame/frame.css") },
  outdir: FRAME,
  format: "esm",
  splitting: true,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  metafile: true,
  plugins: [framePlugin, cssLiterals],
});
const outputs = Object.entries(frame.metafile.outputs);
for (const [name] of outputs) if (name.endsWith(".js")) checkSodiumChunk(await readFile(name, "utf8"), sodiumRemoved);
// PARLEY_FRAME_METAFILE=<path> keeps esbuild's whole metafile of the frame, for size work (esbuild.github.io/analyze).
if (process.env.PARLEY_FRAME_METAFILE)
  await writeFile(process.env.PARLEY_FRAME_METAFILE, JSON.stringify(frame.metafile));
const entryJs = outputs.find(([, o]) => o.entryPoint?.endsWith("frame/main.ts"))?.[0];
const entryCss = outputs.find(([, o]) => o.entryPoint?.endsWith("frame/frame.css"))?.[0];
if (!entryJs || !entryCss) throw new Error("esbuild produced no frame entry");
const file = (out) => basename(out);
const head = [
  `<link rel="stylesheet" href="./${file(entryCss)}">`,
  `<script type="module" src="./${file(entryJs)}"></script>`,
].join("\n");
const template = await readFile(src("frame/index.html"), "utf8");
await writeFile(join(FRAME, "index.html"), template.replace("<!--PARLEY:HEAD-->", head));
const meta = {
  entry: file(entryJs),
  css: file(entryCss),
  wasm: wasmName,
  outputs: Object.fromEntries(
    outputs
      .filter(([name]) => name.endsWith(".js"))
      .map(([name, o]) => [
        file(name),
        {
          bytes: o.bytes,
          // Set on chunks made for a dynamic import: the module that was imported.
          ...(o.entryPoint ? { entryPoint: o.entryPoint } : {}),
          imports: o.imports.filter((i) => !i.external).map((i) => ({ path: file(i.path), kind: i.kind })),
          // The packages this chunk is mostly made of, for the size report.
          inputs: Object.keys(o.inputs).filter((i) => i.includes("node_modules") || i.includes("sdk/src")).length,
          libsodium: Object.keys(o.inputs).some((i) => i.includes("libsodium")),
        },
      ]),
  ),
};
await writeFile(join(DIST, "build-meta.json"), `${JSON.stringify(meta, null, 2)}\n`);

// 3. Precompressed copies of what the gateway serves (widget-routes.ts picks one by Accept-Encoding):
// gzip -9 and brotli at quality 11, made once here rather than per request.
const precompress = async (path) => {
  const bytes = await readFile(path);
  const text = !path.endsWith(".wasm");
  await writeFile(`${path}.gz`, gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
  await writeFile(
    `${path}.br`,
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
};
await precompress(join(DIST, "parley.js"));
for (const name of await readdir(FRAME)) await precompress(join(FRAME, name));

// 4. The components for apps that import them (lit and the SDK stay external), with types, when they exist.
if (existsSync(src("components/index.ts"))) {
  const tsup = spawnSync(process.execPath, [join(ROOT, "node_modules/tsup/dist/cli-default.js")], {
    cwd: WIDGET,
    stdio: "inherit",
  });
  if (tsup.status !== 0) process.exit(tsup.status ?? 1);
}

console.log(`widget: built ${relative(process.cwd(), DIST) || "."}`);
if (!process.argv.includes("--no-size")) {
  const size = spawnSync(process.execPath, [join(WIDGET, "scripts/size.mjs")], { stdio: "inherit" });
  process.exit(size.status ?? 1);
}
