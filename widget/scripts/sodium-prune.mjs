// The frame build's trim of libsodium-wrappers (widget/scripts/build.mjs). The wrappers' ESM build
// defines one top-level function per libsodium call (245 of them) and publishes them all from one
// table of names and functions, so tree-shaking keeps every one. The frame calls a dozen. This
// rewrites the table to the calls named anywhere in the SDK's or the widget's source (and the ones
// the wrappers' own start-up self-test makes); esbuild then drops the functions nothing refers to.
// A call left out is simply absent from the sodium object, as the wrappers already do for a call
// the wasm lacks. The wasm loses the same calls: their exports go, and binaryen's dead-code pass
// removes the functions only they reached (trimSodiumWasm). Checked against the pinned version: the
// build fails if the table's or the glue's shape changes, or if the frame's code still refers to a
// call the wasm no longer exports (checkSodiumChunk).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Kept whatever the source says: the calls the wrappers' start-up self-test makes, and the version
 * string the wrappers read at start-up (SODIUM_VERSION_STRING).
 */
const ALWAYS = ["randombytes_buf", "crypto_secretbox_easy", "crypto_secretbox_open_easy", "sodium_version_string"];

/** Every libsodium call name (crypto_*, randombytes_*, sodium_*) written in the .ts files under the given folders. */
export async function sodiumCallsIn(folders) {
  const names = new Set(ALWAYS);
  const visit = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.name.endsWith(".ts"))
        for (const m of (await readFile(path, "utf8")).matchAll(/\b(?:crypto|randombytes|sodium)_[a-z0-9_]+/g))
          names.add(m[0]);
    }
  };
  for (const folder of folders) await visit(folder);
  return names;
}

/**
 * The wrappers' module text with its table of calls cut down to the names in `keep`, and the names
 * of the table's calls that were left out.
 */
export function pruneSodiumWrappers(text, keep) {
  const found = [...text.matchAll(/for\(var e=\[([^\]]*)\],a=\[([^\]]*)\],_=0;/g)];
  const names = found.length === 1 ? found[0][1].split(",") : [];
  const fns = found.length === 1 ? found[0][2].split(",") : [];
  if (names.length < 100 || names.length !== fns.length || !names.every((n) => /^"[a-z0-9_]+"$/.test(n)))
    throw new Error(
      "libsodium-wrappers.mjs no longer has one table of call names and functions: update sodium-prune.mjs",
    );
  const kept = names.flatMap((name, i) => (keep.has(JSON.parse(name)) ? [i] : []));
  const table = `for(var e=[${kept.map((i) => names[i]).join(",")}],a=[${kept.map((i) => fns[i]).join(",")}],_=0;`;
  const dropped = names.map((n) => JSON.parse(n)).filter((n) => !keep.has(n));
  return { text: text.replace(found[0][0], () => table), dropped };
}

/**
 * The libsodium wasm without the exports of the given calls and the code only they reached, and the
 * names whose export went. `glue` is libsodium.mjs, which maps each call to its (minified) export name.
 */
export async function trimSodiumWasm(wasm, glue, dropped) {
  const exportOf = new Map(
    [...glue.matchAll(/\b\w+\._([a-z0-9_]+)=\w+\.([A-Za-z_$][\w$]*)[,;]/g)].map((m) => [m[1], m[2]]),
  );
  if (exportOf.size < 200 || !exportOf.has("crypto_box_seal"))
    throw new Error(
      "libsodium.mjs no longer maps its calls to wasm exports as name=exports.x: update sodium-prune.mjs",
    );
  const { default: binaryen } = await import("binaryen");
  const module = binaryen.readBinary(wasm);
  try {
    // What the wasm was built with (emscripten's default target); binaryen then writes nothing newer.
    const f = binaryen.Features;
    module.setFeatures(f.MutableGlobals | f.SignExt | f.BulkMemory | f.BulkMemoryOpt | f.NontrappingFPToInt);
    const removed = [];
    for (const name of dropped) {
      const x = exportOf.get(name);
      if (x === undefined) continue;
      module.removeExport(x);
      removed.push(name);
    }
    module.runPasses(["remove-unused-module-elements"]);
    if (!module.validate()) throw new Error("the trimmed libsodium wasm does not validate");
    const trimmed = Buffer.from(module.emitBinary());
    // Compiled here, so a build whose wasm an engine would refuse fails now rather than in a browser.
    await WebAssembly.compile(trimmed);
    return { wasm: trimmed, removed };
  } finally {
    module.dispose();
  }
}

/**
 * Throws if the built code reads (`._name`, other than the glue's `._name=` that stores the export)
 * a libsodium call whose wasm export was removed.
 */
export function checkSodiumChunk(code, removed) {
  const gone = new Set(removed);
  for (const m of code.matchAll(/\._((?:crypto|randombytes|sodium)_[a-z0-9_]+)(?![\w$])(?!=[^=])/g))
    if (gone.has(m[1])) throw new Error(`frame build: the frame calls ${m[1]}, whose export the wasm trim removed`);
}
