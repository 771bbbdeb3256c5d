/**
 * Fails the run when any test or suite was skipped or marked todo while
 * `CI=true` (a skipped suite must never pass as green), names every failed
 * test and every test file that failed outside a test (a hook, an import)
 * with the first line of its error, and prints the plain closing line
 * "N passed, N failed" that CI tooling reads. The names come last so a log's
 * tail always says what failed.
 */
import type { Reporter, TestModule } from "vitest/node";

const firstLine = (errors: ReadonlyArray<{ message?: string }> | undefined) =>
  (errors?.[0]?.message ?? "").split("\n", 1)[0]?.slice(0, 300) ?? "";

export class StrictReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    const failures: string[] = [];
    for (const mod of testModules) {
      if (mod.state() === "skipped") skipped.push(mod.moduleId);
      const moduleErrors = mod.errors();
      if (moduleErrors.length > 0)
        failures.push(`${mod.relativeModuleId} (outside a test): ${firstLine(moduleErrors)}`);
      // A suite's own errors: a beforeAll or afterAll that threw (its tests then show as skipped).
      for (const suite of mod.children.allSuites()) {
        const errors = suite.errors();
        if (errors.length > 0)
          failures.push(`${mod.relativeModuleId} > ${suite.fullName} (a hook): ${firstLine(errors)}`);
      }
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") passed++;
        else if (result.state === "failed") {
          failed++;
          failures.push(`${mod.relativeModuleId} > ${test.fullName}: ${firstLine(result.errors)}`);
        } else if (result.state === "skipped") skipped.push(test.fullName);
      }
    }
    if (skipped.length > 0 && process.env.CI === "true") {
      console.error(`\n${skipped.length} skipped under CI=true (not allowed):\n  ${skipped.join("\n  ")}`);
      failed += skipped.length;
      process.exitCode = 1;
    }
    if (failures.length > 0) console.log(`\nFailed:\n  ${failures.join("\n  ")}`);
    console.log(`\n${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} skipped` : ""}`);
  }
}
