import { defineConfig } from "vitest/config";
import { AttackReporter } from "./scripts/attack-reporter.js";
import { StrictReporter } from "./scripts/strict-reporter.js";

// The packages' `source` export condition: @parley/* imports resolve to their TypeScript
// sources (no build needed), and the test-only subpaths (@parley/gateway/testing,
// @parley/widget/testing) exist only under it. Vitest's own server conditions follow.
const conditions = ["source", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["sdk/**/*.test.ts", "gateway/**/*.test.ts", "widget/**/*.test.ts", "examples/**/*.test.ts"],
    // The second Node runtime's pass (scripts/test-runtimes.mjs) adds its own exclusions (ADR 0054).
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    globalSetup: ["./gateway/test/global-setup.ts"],
    allowOnly: false,
    reporters: ["default", new AttackReporter(), new StrictReporter()],
  },
});
