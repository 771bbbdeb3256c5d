import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { StrictReporter } from "./scripts/strict-reporter.js";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@parley\/sdk\/protocol$/, replacement: src("./sdk/src/protocol/index.ts") },
      { find: /^@parley\/sdk\/crypto$/, replacement: src("./sdk/src/crypto/index.ts") },
      { find: /^@parley\/sdk\/server$/, replacement: src("./sdk/src/server/index.ts") },
      { find: /^@parley\/sdk$/, replacement: src("./sdk/src/index.ts") },
    ],
  },
  test: {
    include: ["sdk/**/*.test.ts", "gateway/**/*.test.ts", "widget/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    globalSetup: ["./gateway/test/global-setup.ts"],
    allowOnly: false,
    reporters: ["default", new StrictReporter()],
  },
});
