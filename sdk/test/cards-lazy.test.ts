/**
 * The cards' schemas (zod) and fold stay out of the SDK's first load: bundled
 * for browsers with code splitting, as the widget's chat frame is, nothing of
 * them is reachable from the entry through static imports, and they arrive in
 * one chunk through one dynamic import.
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
  it("reaches zod and the card fold only through one dynamic import", async () => {
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
    const main = Object.keys(metafile.outputs).find((o) => metafile.outputs[o]?.entryPoint !== undefined);
    expect(main).toBeDefined();
    const inputsOf = (names: Iterable<string>) =>
      [...names].flatMap((name) => Object.keys(metafile.outputs[name]?.inputs ?? {}));
    const cardsCode = (input: string) => /node_modules\/zod\/|sdk\/src\/cards\/fold\.ts|cards\/schemas\.ts/.test(input);

    const first = reach(metafile, main as string, new Set(["import-statement"]));
    expect(inputsOf(first).filter(cardsCode)).toEqual([]);
    // The client module itself is in the first load; what it loads later holds the fold and zod.
    expect(inputsOf(first).some((i) => i.endsWith("sdk/src/client/cards.ts"))).toBe(true);
    const lazy = (metafile.outputs[main as string]?.imports ?? []).filter(
      (i) => i.kind === "dynamic-import" && inputsOf([i.path]).some((x) => x.endsWith("client/cards-runtime.ts")),
    );
    expect(lazy).toHaveLength(1);
    const later = reach(metafile, lazy[0]?.path as string, new Set(["import-statement"]));
    expect(inputsOf(later).filter(cardsCode).length).toBeGreaterThan(3);
  });
});
