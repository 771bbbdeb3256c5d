/**
 * Fails the run when any test or suite was skipped or marked todo while
 * `CI=true` (a skipped suite must never pass as green), and prints the plain
 * closing line "N passed, N failed" that CI tooling reads.
 */
import type { Reporter, TestModule } from "vitest/node";

export class StrictReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const mod of testModules) {
      if (mod.state() === "skipped") skipped.push(mod.moduleId);
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else if (state === "skipped") skipped.push(test.fullName);
      }
    }
    if (skipped.length > 0 && process.env.CI === "true") {
      console.error(`\n${skipped.length} skipped under CI=true (not allowed):\n  ${skipped.join("\n  ")}`);
      failed += skipped.length;
      process.exitCode = 1;
    }
    console.log(`\n${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} skipped` : ""}`);
  }
}
