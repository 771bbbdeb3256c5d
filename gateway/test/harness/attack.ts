/**
 * Rows of the attack suite (`npm run attack`, ADR 0033). An attack is a vitest
 * test that performs one abuse against the real stack and records what it
 * expected and what it observed; `scripts/attack-reporter.ts` prints every
 * row as a table (area, attack, expected, observed, pass) at the end of the
 * run. Rows live in `gateway/test/attack/*.test.ts`, so `npm test` runs them
 * too.
 *
 *   attack({ area: "rpc", attack: "reply aimed at team.<shop>.ev", expected: "dropped, 0 bytes to the team" },
 *     async (row) => { ...; row.observed(`${bytes} bytes to the team`); expect(bytes).toBe(0); });
 *
 * `observed` should state a figure ("0 of 50 delivered", "p99 12 ms"), not an
 * adjective; the row passes when the test's assertions pass.
 */
import { type TestContext, test } from "vitest";

/** What one row of the table says before it runs. */
export interface AttackRow {
  /** Where the attack lands: `nats`, `rpc`, `http`, `sessions`, `epochs`, `widget`, ... */
  area: string;
  /** The abuse, in a few words. */
  attack: string;
  /** What a safe system does, with its limit where one applies. */
  expected: string;
}

/** A row as the reporter reads it from the test's meta. */
export interface AttackMeta extends AttackRow {
  /** What the run saw (the last value passed to `observed`). */
  observed?: string;
}

declare module "vitest" {
  interface TaskMeta {
    attack?: AttackMeta;
  }
}

/** Handed to an attack's body: records the observation the table prints. */
export interface AttackRecorder {
  observed(text: string): void;
  /** The vitest context (for `onTestFinished`, `skip` is never used). */
  readonly context: TestContext;
}

/** Declares one attack row: a vitest test named `area: attack` whose meta carries the row. */
export function attack(
  row: AttackRow,
  body: (recorder: AttackRecorder) => Promise<void>,
  options: { timeout?: number } = {},
): void {
  test(
    `${row.area}: ${row.attack}`,
    async (context) => {
      const meta: AttackMeta = { ...row };
      context.task.meta.attack = meta;
      await body({
        observed(text) {
          meta.observed = text;
        },
        context,
      });
    },
    options.timeout,
  );
}

/**
 * Makes an existing test a row of the attack table (the design's matrix rows live in the suites
 * that test them best: nats-permissions, customer-tokens, bad-input, ...): call it first thing
 * in the test body with the test's context.
 */
export function asAttack(context: TestContext, row: AttackRow): AttackRecorder {
  const meta: AttackMeta = { ...row };
  context.task.meta.attack = meta;
  return {
    observed(text) {
      meta.observed = text;
    },
    context,
  };
}
