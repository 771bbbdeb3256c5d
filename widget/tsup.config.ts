// Builds the Lit components for apps that import `@parley/widget/components`, with
// types; lit and @parley/sdk stay external. The launcher and the frame are
// built by scripts/build.mjs with esbuild.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { "components/index": "src/components/index.ts" },
  outDir: "dist",
  format: ["esm"],
  target: "es2022",
  // Types resolve @parley/sdk to its source (the `source` condition in tsconfig.base.json), so the
  // widget builds without a built SDK. The package tsconfig is a composite project (tsc -b); this is a plain build.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: false,
  treeshake: true,
  external: ["lit", /^lit\//, /^@parley\/sdk/],
  tsconfig: "tsconfig.json",
});
