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
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  noExternal: ["@parley/sdk"],
});
