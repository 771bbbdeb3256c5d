import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "protocol/index": "src/protocol/index.ts",
    "cards/index": "src/cards/index.ts",
    "listen/index": "src/listen/index.ts",
    "location/index": "src/location/index.ts",
    "calls/index": "src/calls/index.ts",
    "crypto/index": "src/crypto/index.ts",
    "server/index": "src/server/index.ts",
    internal: "src/internal.ts",
  },
  format: ["esm"],
  target: "es2022",
  // The package tsconfig is a composite project (tsc -b); the declaration build is a plain one.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  treeshake: true,
  // An optional native addon: imported at run time in Node, never bundled (tsup externalises only dependencies).
  external: ["sodium-native"],
});
