/**
 * Bundle sizes as gzip -9 bytes (and brotli for the widget). The widget's
 * figures come from its own size check (`widget/scripts/size.mjs`, run here on
 * the built `widget/dist`), which measures the precompressed copies the
 * gateway actually sends (ADR 0017): the launcher, and everything the chat
 * frame loads before its first message, libsodium included. The SDK's browser ESM bundle is measured from
 * `sdk/dist/index.js` (built by `npm run build`) with esbuild, minified.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface Bundles {
  launcher_gz_bytes: number | null;
  chat_gz_bytes: number | null;
  /** What Chromium, Firefox and Safari receive (they accept brotli). */
  launcher_br_bytes: number | null;
  chat_br_bytes: number | null;
  sdk_gz_bytes: number | null;
  sdk_min_bytes: number | null;
}

export async function measureBundles(notes: string[]): Promise<Bundles> {
  const out: Bundles = {
    launcher_gz_bytes: null,
    chat_gz_bytes: null,
    launcher_br_bytes: null,
    chat_br_bytes: null,
    sdk_gz_bytes: null,
    sdk_min_bytes: null,
  };
  measureWidget(out, notes);
  const entry = "sdk/dist/index.js";
  if (!existsSync(entry)) {
    notes.push("bundles: sdk/dist/index.js missing (run `npm run build`); sdk_gz_bytes not measured.");
    return out;
  }
  // Code splitting keeps lazily imported parts (the encryption session, libsodium, file transfer) in their
  // own chunks; what an app pays up front is the entry chunk and the chunks it imports statically.
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: "sdk-bundle",
    write: false,
    metafile: true,
    // nats-core's Node-only fallback; never runs in a browser (docs/widget.md, "Build and size budgets").
    external: ["crypto"],
    logLevel: "silent",
  });
  const outputs = result.metafile?.outputs ?? {};
  const entryOut = Object.keys(outputs).find((k) => outputs[k]?.entryPoint !== undefined);
  if (!entryOut) return out;
  const upFront = new Set<string>();
  const visit = (name: string) => {
    if (upFront.has(name)) return;
    upFront.add(name);
    for (const imp of outputs[name]?.imports ?? []) if (imp.kind === "import-statement") visit(imp.path);
  };
  visit(entryOut);
  const files = result.outputFiles.filter((f) => [...upFront].some((name) => f.path.endsWith(name)));
  const code = Buffer.concat(files.map((f) => f.contents));
  out.sdk_min_bytes = code.byteLength;
  out.sdk_gz_bytes = gzipSync(code, { level: 9 }).byteLength;
  notes.push(
    "bundles: sdk_gz_bytes is sdk/dist/index.js bundled by esbuild (browser, ESM, minified) at gzip -9, crypto excluded (loaded lazily).",
  );
  return out;
}

/** Runs the widget's size check on `widget/dist` and copies its figures (null when the widget is not built). */
function measureWidget(out: Bundles, notes: string[]): void {
  if (!existsSync("widget/dist/parley.js") || !existsSync("widget/dist/frame/index.html")) {
    notes.push("bundles: widget/dist missing (run `npm run build`); launcher and chat not measured.");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-sizes-"));
  const file = join(dir, "sizes.json");
  try {
    try {
      execFileSync(process.execPath, ["widget/scripts/size.mjs", "--out", file], { stdio: "pipe" });
    } catch {
      // Over budget exits 1 after writing the report: the figures are still the figures.
    }
    const report = JSON.parse(readFileSync(file, "utf8")) as Pick<
      Bundles,
      "launcher_gz_bytes" | "chat_gz_bytes" | "launcher_br_bytes" | "chat_br_bytes"
    >;
    out.launcher_gz_bytes = report.launcher_gz_bytes;
    out.chat_gz_bytes = report.chat_gz_bytes;
    out.launcher_br_bytes = report.launcher_br_bytes ?? null;
    out.chat_br_bytes = report.chat_br_bytes ?? null;
    notes.push(
      "bundles: launcher_gz_bytes is widget/dist/parley.js; chat_gz_bytes is everything the chat frame loads before its first message (widget/scripts/size.mjs), libsodium's wasm and JavaScript included; both are the build's precompressed copies the gateway sends (gzip -9; *_br_bytes: brotli 11, what Chromium receives).",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
