// Builds the Lit components for apps that import `@parley/widget/components`, with
// types; lit and @parley/sdk stay external. The launcher and the frame are
// built by scripts/build.mjs with esbuild.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { "components/index": "src/components/index.ts" },
  outDir: "dist",
  format: ["esm"],
  target: "es2022",
  // Types resolve @parley/sdk from its source, so the widget builds without a built SDK.
  dts: {
    compilerOptions: {
      baseUrl: "..",
      paths: {
        "@parley/sdk": ["sdk/src/index.ts"],
        "@parley/sdk/protocol": ["sdk/src/protocol/index.ts"],
        "@parley/sdk/crypto": ["sdk/src/crypto/index.ts"],
      },
    },
  },
  sourcemap: true,
  clean: false,
  treeshake: true,
  external: ["lit", /^lit\//, /^@parley\/sdk/],
  tsconfig: "../tsconfig.json",
});
