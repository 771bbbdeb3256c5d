import { type ErrorCode, ErrorCodes } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "./errors.js";

/** The stable code a schema's refinement names in its `params` (e.g. `display_name_invalid`), if any. */
function refinementCode(issue: z.core.$ZodIssue | undefined): ErrorCode | undefined {
  const code = issue?.code === "custom" ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === "string" && Object.hasOwn(ErrorCodes, code) ? (code as ErrorCode) : undefined;
}

/** Every issue, with those of each branch of a failed union (a guest session's display name sits in one). */
function allIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((i) => (i.code === "invalid_union" ? [i, ...allIssues(i.errors.flat())] : [i]));
}

/**
 * Parses a request body (or path parameter) with its schema, or throws the
 * stable code the failing refinement names (`display_name_invalid`,
 * `handle_invalid`), else `bad_request`, naming the first problem and where it is.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = allIssues(result.error.issues).find((i) => refinementCode(i) !== undefined) ?? result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new GatewayError(refinementCode(issue) ?? "bad_request", `${where}${issue?.message ?? "invalid body"}`);
}
