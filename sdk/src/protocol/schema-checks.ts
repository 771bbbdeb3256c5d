/**
 * What the feature schemas (cards, locations, listening, calls) share around
 * their zod/mini schemas: a parse that answers a checked copy or undefined,
 * the first problem in a few words for an error message, and a compile-time
 * check that a schema's output is exactly its wire type. Loaded only with
 * those schemas (they load on demand), never with the chat.
 */
import * as z from "zod/mini";

/** Whether two types are assignable both ways: `const ok: Same<z.output<typeof s>, Wire> = true` fails to compile otherwise. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A checked copy of `value` under `schema`, or `undefined` when it does not pass. */
export function checked<T>(schema: z.ZodMiniType<T>, value: unknown): T | undefined {
  const result = z.safeParse(schema, value);
  return result.success ? result.data : undefined;
}

/** Why `value` does not pass `schema`, as `path: message` of the first issue; `undefined` when it passes. */
export function firstProblem(schema: z.ZodMiniType, value: unknown): string | undefined {
  const result = z.safeParse(schema, value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
