/**
 * Each feature's schemas (zod), fold and checks stay out of the SDK's first
 * load: bundled for browsers with code splitting, as the widget's chat frame
 * is, nothing of them is reachable from the entry through static imports, and
 * each arrives through one dynamic import of its `client/<feature>-runtime.ts`.
 * The thin client module (`client/<feature>.ts`) is in the first load.
 */
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

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

const FEATURES = [
  // The feature's folder may hold a contract (api.ts: types and a few lines) that loads first; the rest may not.
  { name: "cards", lazy: /sdk\/src\/cards\/(?!api\.ts$)/, files: ["fold.ts", "board-folder.ts", "event-rules.ts"] },
  { name: "listen", lazy: /sdk\/src\/listen\/(?!api\.ts$)/, files: ["fold.ts", "playhead.ts", "schemas.ts"] },
  {
    name: "location",
    lazy: /sdk\/src\/location\/(?!api\.ts$)/,
    files: ["fold.ts", "board-folder.ts", "live-share.ts", "schemas.ts", "geo.ts"],
  },
  // The WebRTC engine (calls/engine/) comes later still, through the runtime's own dynamic import.
  { name: "calls", lazy: /sdk\/src\/calls\/(?!api\.ts$)/, files: ["fold.ts", "board-folder.ts", "schemas.ts"] },
] as const;

const STATIC = new Set(["import-statement"]);

describe("the SDK's first load", () => {
  let metafile: Metafile;
  let main: string;
  const inputsOf = (names: Iterable<string>) =>
    [...names].flatMap((name) => Object.keys(metafile.outputs[name]?.inputs ?? {}));

  beforeAll(async () => {
    ({ metafile } = await build({
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
    }));
    // The entry's own output (the lazy runtimes are entry points of their own too).
    main = Object.keys(metafile.outputs).find((o) =>
      metafile.outputs[o]?.entryPoint?.endsWith("sdk/src/index.ts"),
    ) as string;
    expect(main).toBeDefined();
  });

  it("holds no zod", () => {
    expect(inputsOf(reach(metafile, main, STATIC)).filter((i) => i.includes("node_modules/zod/"))).toEqual([]);
  });

  for (const feature of FEATURES) {
    it(`reaches the ${feature.name} fold and schemas only through one dynamic import`, () => {
      const first = inputsOf(reach(metafile, main, STATIC));
      const runtime = `client/${feature.name}-runtime.ts`;
      expect(first.filter((i) => feature.lazy.test(i) || i.endsWith(runtime))).toEqual([]);
      expect(first.some((i) => i.endsWith(`sdk/src/client/${feature.name}.ts`))).toBe(true);
      const lazy = (metafile.outputs[main]?.imports ?? []).filter(
        (i) => i.kind === "dynamic-import" && inputsOf([i.path]).some((x) => x.endsWith(runtime)),
      );
      expect(lazy).toHaveLength(1);
      const later = inputsOf(reach(metafile, lazy[0]?.path as string, STATIC));
      for (const file of feature.files) {
        expect(
          later.some((i) => i.endsWith(`sdk/src/${feature.name}/${file}`)),
          file,
        ).toBe(true);
      }
      expect(later.some((i) => i.includes("node_modules/zod/"))).toBe(true);
    });
  }

  it("reaches the calls engine only through the calls runtime's own dynamic import", () => {
    const engine = /sdk\/src\/calls\/engine\//;
    const withRuntime = Object.keys(metafile.outputs).find((o) =>
      inputsOf([o]).some((i) => i.endsWith("client/calls-runtime.ts")),
    ) as string;
    expect(inputsOf(reach(metafile, withRuntime, STATIC)).filter((i) => engine.test(i))).toEqual([]);
    const dynamic = (metafile.outputs[withRuntime]?.imports ?? []).filter((i) => i.kind === "dynamic-import");
    expect(dynamic.some((i) => inputsOf(reach(metafile, i.path, STATIC)).some((x) => engine.test(x)))).toBe(true);
  });
});
