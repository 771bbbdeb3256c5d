// The built `@parley/widget/components` entry, as the package's exports map
// hands it out: the `types` and `import` targets resolve to files in dist/,
// the JavaScript exports exactly what src/components/index.ts exports, and the
// declarations name the same things. Read without running it (the elements
// need a DOM): esbuild lists the exports of both modules.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureWidgetBuilt } from "../embed/fixtures.js";

const WIDGET = fileURLToPath(new URL("../../", import.meta.url));
const GATEWAY = fileURLToPath(new URL("../../../gateway/", import.meta.url));

interface Manifest {
  private?: boolean;
  files?: string[];
  exports: Record<string, string | Record<string, string>>;
}

/** The names a module exports, read by esbuild without bundling or running it. */
async function exportsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: false,
    write: false,
    metafile: true,
    format: "esm",
    outdir: "out",
    logLevel: "silent",
  });
  const outputs = Object.values(result.metafile.outputs).filter((o) => o.entryPoint);
  return [...(outputs[0]?.exports ?? [])].sort();
}

describe("@parley/widget/components as built", () => {
  const manifest = JSON.parse(readFileSync(`${WIDGET}package.json`, "utf8")) as Manifest;
  const entry = manifest.exports["./components"] as Record<string, string>;

  beforeAll(() => ensureWidgetBuilt(), 180_000);

  it("declares types first, then the ESM import, both inside the published files", () => {
    // `source` (the repository's own condition, ADR 0021) leads and points at the TypeScript entry;
    // what npm users resolve comes after it, types before the import.
    expect(Object.keys(entry)).toEqual(["source", "types", "import"]);
    expect(entry.source).toBe("./src/components/index.ts");
    expect(existsSync(`${WIDGET}src/components/index.ts`)).toBe(true);
    for (const target of [entry.types, entry.import].filter((t) => t !== undefined)) {
      expect(target.startsWith("./dist/")).toBe(true);
      expect(manifest.files).toContain("dist");
      expect(existsSync(`${WIDGET}${target}`), target).toBe(true);
    }
  });

  it("resolves through the exports map from a package that depends on the widget", () => {
    // The gateway depends on @parley/widget: Node's resolver, run there, applies the exports map.
    const resolved = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", "console.log(import.meta.resolve('@parley/widget/components'))"],
      { cwd: GATEWAY, encoding: "utf8" },
    ).trim();
    expect(fileURLToPath(resolved)).toBe(`${WIDGET}${entry.import?.slice(2)}`);
  });

  it("exports what the source entry exports, and declares it", async () => {
    const built = await exportsOf(`${WIDGET}${entry.import?.slice(2)}`);
    const source = await exportsOf(`${WIDGET}src/components/index.ts`);
    expect(built).toEqual(source);
    expect(built).toContain("defineParleyElements");
    expect(built).toContain("ParleyChat");
    const types = readFileSync(`${WIDGET}${entry.types?.slice(2)}`, "utf8");
    for (const name of source) expect(types, name).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
