/**
 * The listen schemas (zod), fold and playhead stay out of the SDK's first
 * load: bundled for browsers with code splitting, as the widget's chat frame
 * is, nothing of them is reachable from the entry through static imports, and
 * they arrive through one dynamic import of `client/listen-runtime.ts`.
 */
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

/** The outputs reached from `from` through imports of `kind`. */
function reach(meta: Metafile, from: string, kinds: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const i of meta.outputs[name]?.imports ?? []) if (kinds.has(i.kind)) visit(i.path);
  };
  visit(from);
  return seen;
}

describe("the SDK's first load", () => {
  it("reaches zod and the listen module only through one dynamic import", async () => {
    const { metafile } = await build({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "browser",
      splitting: true,
      minify: true,
      outdir: "/virtual-out",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    // The entry's own output (the lazy runtimes are entry points of their own too).
    const main = Object.keys(metafile.outputs).find((o) =>
      metafile.outputs[o]?.entryPoint?.endsWith("sdk/src/index.ts"),
    );
    expect(main).toBeDefined();
    const inputsOf = (names: Iterable<string>) =>
      [...names].flatMap((name) => Object.keys(metafile.outputs[name]?.inputs ?? {}));
    const listenCode = (input: string) =>
      /node_modules\/zod\/|sdk\/src\/listen\/|client\/listen-runtime\.ts/.test(input);

    const first = reach(metafile, main as string, new Set(["import-statement"]));
    expect(inputsOf(first).filter(listenCode)).toEqual([]);
    // The thin client module is in the first load; what it loads later holds the fold, the playhead and zod.
    expect(inputsOf(first).some((i) => i.endsWith("sdk/src/client/listen.ts"))).toBe(true);
    const lazy = (metafile.outputs[main as string]?.imports ?? []).filter(
      (i) => i.kind === "dynamic-import" && inputsOf([i.path]).some((x) => x.endsWith("client/listen-runtime.ts")),
    );
    expect(lazy).toHaveLength(1);
    const later = inputsOf(reach(metafile, lazy[0]?.path as string, new Set(["import-statement"])));
    for (const file of ["fold.ts", "playhead.ts", "schemas.ts", "board-folder.ts"]) {
      expect(
        later.some((i) => i.endsWith(`sdk/src/listen/${file}`)),
        file,
      ).toBe(true);
    }
    expect(later.some((i) => i.includes("node_modules/zod/"))).toBe(true);
  });
});
