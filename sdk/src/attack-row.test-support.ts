/**
 * Lets an SDK test report as a row of the attack table (`npm run attack`, ADR 0033): the
 * same task meta the gateway's harness writes (gateway/test/harness/attack.ts), which
 * scripts/attack-reporter.ts reads. The SDK project cannot import the gateway's
 * harness (its own root), so the row's shape is declared here too.
 */
import type { TestContext } from "vitest";

/** One row of the table. */
export interface SdkAttackRow {
  area: string;
  attack: string;
  expected: string;
  observed?: string;
}

declare module "vitest" {
  interface TaskMeta {
    attack?: SdkAttackRow;
  }
}

/** Marks the running test as an attack row; call `observed` with figures once its assertions hold. */
export function asAttack(context: TestContext, row: Omit<SdkAttackRow, "observed">): { observed(text: string): void } {
  const meta: SdkAttackRow = { ...row };
  context.task.meta.attack = meta;
  return {
    observed(text) {
      meta.observed = text;
    },
  };
}
