/**
 * Prints the attack suite's table (rows declared with `attack()` from
 * gateway/test/harness/attack.ts): area, attack, expected, observed and pass
 * for every row that ran, and writes it to `test-artifacts/attack-table.md`
 * and `.json` for the issue notes. Prints nothing when no row ran.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

interface Row {
  area: string;
  attack: string;
  expected: string;
  observed: string;
  pass: boolean;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

export class AttackReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: Row[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const meta = test.meta().attack;
        if (!meta) continue;
        const state = test.result().state;
        rows.push({
          area: meta.area,
          attack: meta.attack,
          expected: meta.expected,
          observed: meta.observed ?? (state === "failed" ? "(failed before observing)" : "(not recorded)"),
          pass: state === "passed",
        });
      }
    }
    if (rows.length === 0) return;
    rows.sort((a, b) => a.area.localeCompare(b.area) || a.attack.localeCompare(b.attack));
    const passed = rows.filter((r) => r.pass).length;
    const lines = [
      "| area | attack | expected | observed | pass |",
      "|---|---|---|---|---|",
      ...rows.map(
        (r) =>
          `| ${cell(r.area)} | ${cell(r.attack)} | ${cell(r.expected)} | ${cell(r.observed)} | ${r.pass ? "pass" : "FAIL"} |`,
      ),
    ];
    const summary = `${passed} of ${rows.length} attacks pass`;
    console.log(`\nAttack suite\n\n${lines.join("\n")}\n\n${summary}`);
    mkdirSync("test-artifacts", { recursive: true });
    writeFileSync("test-artifacts/attack-table.md", `${lines.join("\n")}\n\n${summary}\n`);
    writeFileSync("test-artifacts/attack-table.json", `${JSON.stringify(rows, null, 2)}\n`);
  }
}
