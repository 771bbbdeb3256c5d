import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    main: "src/main.ts",
    // The embedded store's writer thread, loaded by URL next to the bundle (src/store/sqlite/writer.ts).
    "writer-thread": "src/store/sqlite/writer-thread.js",
  },
  format: ["esm"],
  target: "node20",
  platform: "node",
  // The package tsconfig is a composite project (tsc -b); the declaration build is a plain one.
  dts: { entry: "src/index.ts", compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  // The SDK is bundled from its source (the `source` export condition), so the gateway needs no built SDK.
  noExternal: ["@parley/sdk"],
  esbuildOptions(options) {
    options.conditions = ["source"];
  },
});
