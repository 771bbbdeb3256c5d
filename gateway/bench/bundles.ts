/**
 * Bundle sizes as gzip -9 bytes. The widget (launcher, chat) does not exist
 * yet, so those are null; the SDK's browser ESM bundle is measured from
 * `sdk/dist/index.js` (built by `npm run build`) with esbuild, minified.
 */
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface Bundles {
  launcher_gz_bytes: number | null;
  chat_gz_bytes: number | null;
  sdk_gz_bytes: number | null;
  sdk_min_bytes: number | null;
}

export async function measureBundles(notes: string[]): Promise<Bundles> {
  const out: Bundles = { launcher_gz_bytes: null, chat_gz_bytes: null, sdk_gz_bytes: null, sdk_min_bytes: null };
  notes.push(
    "bundles: the widget (launcher, chat app) does not exist yet, so launcher_gz_bytes and chat_gz_bytes are null.",
  );
  const entry = "sdk/dist/index.js";
  if (!existsSync(entry)) {
    notes.push("bundles: sdk/dist/index.js missing (run `npm run build`); sdk_gz_bytes not measured.");
    return out;
  }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    // nats-core's Node-only fallback; never runs in a browser (ARCHITECTURE.md pitfalls).
    external: ["crypto"],
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) return out;
  out.sdk_min_bytes = code.byteLength;
  out.sdk_gz_bytes = gzipSync(code, { level: 9 }).byteLength;
  notes.push(
    "bundles: sdk_gz_bytes is sdk/dist/index.js bundled by esbuild (browser, ESM, minified) at gzip -9; no crypto yet.",
  );
  return out;
}
