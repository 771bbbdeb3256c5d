// The bundle budget check that runs with every widget build (docs/widget.md, "Build and size budgets"):
// it passes on the real build, fails when a budget is below the real figure
// (by argument or environment), and reports what it counted: the sizes of
// the gzip and brotli copies the gateway sends (ADR 0017).
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureWidgetBuilt, measureSizes } from "./fixtures.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

describe("widget/scripts/size.mjs", () => {
  beforeAll(() => ensureWidgetBuilt());

  it("passes within the budgets and reports the launcher and the chat before the first message", () => {
    const { status, output, report } = measureSizes();
    expect(status, output).toBe(0);
    expect(report?.ok).toBe(true);
    expect(report?.launcher_gz_bytes).toBeGreaterThan(1000);
    expect(report?.launcher_gz_bytes).toBeLessThanOrEqual(6500);
    expect(report?.chat_gz_bytes).toBeLessThanOrEqual(200_000);
    // libsodium (its wasm as a file and its wrapper chunk) is counted, since it loads before the first message.
    expect(report?.files.some((f) => f.name.endsWith(".wasm") && f.gz > 50_000)).toBe(true);
    const frameFiles = report?.files.filter((f) => f.name.startsWith("frame/")) ?? [];
    expect(report?.chat_gz_bytes).toBe(frameFiles.reduce((n, f) => n + f.gz, 0));
    expect(report?.chat_br_bytes).toBe(frameFiles.reduce((n, f) => n + f.br, 0));
    // The figures are the sizes of the precompressed copies the gateway sends (serving.test.ts checks the wire).
    for (const f of [...(report?.files ?? []), ...(report?.on_demand ?? [])]) {
      expect([f.gz, f.br], f.name).toEqual([
        statSync(`${DIST}${f.name}.gz`).size,
        statSync(`${DIST}${f.name}.br`).size,
      ]);
      expect(f.br, f.name).toBeLessThan(f.raw);
    }
    expect(report?.launcher_br_bytes).toBeLessThan(report?.launcher_gz_bytes ?? 0);
    console.log(
      `widget sizes: launcher ${report?.launcher_gz_bytes} gz / ${report?.launcher_br_bytes} br bytes, chat ${report?.chat_gz_bytes} gz / ${report?.chat_br_bytes} br bytes`,
    );
  });

  it("fails over budget: a chat budget below the real figure (argument)", () => {
    const { status, output, report } = measureSizes(["--chat-budget", "1000"]);
    expect(status).toBe(1);
    expect(output).toContain("OVER BUDGET");
    expect(report?.ok).toBe(false);
  });

  it("counts the live group (location and listen) apart from the chat, and fails over a live budget", () => {
    const { report } = measureSizes();
    const live = report?.live ?? [];
    expect(live.length).toBeGreaterThan(0);
    expect(report?.live_gz_bytes).toBe(live.reduce((n, f) => n + f.gz, 0));
    expect(report?.live_gz_bytes).toBeLessThanOrEqual(40_000);
    const chat = new Set(report?.files.map((f) => f.name));
    for (const f of live) expect(chat.has(f.name), f.name).toBe(false);
    const over = measureSizes(["--live-budget", String((report?.live_gz_bytes ?? 2) - 1)]);
    expect(over.status).toBe(1);
    expect(over.output).toMatch(
      /live: location and listen \(on demand, all together\): \d+ \/ \d+ gz bytes OVER BUDGET/,
    );
  });

  it("counts the calls group (views, fold and engine) apart from the chat, and fails over a calls budget", () => {
    const { report } = measureSizes();
    const calls = report?.calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    expect(report?.calls_gz_bytes).toBe(calls.reduce((n, f) => n + f.gz, 0));
    expect(report?.calls_gz_bytes).toBeLessThanOrEqual(32_000);
    const chat = new Set(report?.files.map((f) => f.name));
    for (const f of calls) expect(chat.has(f.name), f.name).toBe(false);
    const over = measureSizes(["--calls-budget", String((report?.calls_gz_bytes ?? 2) - 1)]);
    expect(over.status).toBe(1);
    expect(over.output).toMatch(
      /calls: views, fold and engine \(on demand, all together\): \d+ \/ \d+ gz bytes OVER BUDGET/,
    );
  });

  it("fails over budget: a launcher budget below the real figure (environment)", () => {
    const { status, output } = measureSizes([], { PARLEY_LAUNCHER_BUDGET: "100" });
    expect(status).toBe(1);
    expect(output).toMatch(/launcher: \d+ \/ 100 gz bytes OVER BUDGET/);
  });
});
