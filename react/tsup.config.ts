// Builds @parley/react with types; React, @lit/react, the widget and the SDK stay external.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  target: "es2022",
  // The package tsconfig is a composite project (tsc -b); the declaration build is a plain one.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  treeshake: true,
  external: ["react", "@lit/react", /^@parley\//],
  tsconfig: "tsconfig.json",
});
