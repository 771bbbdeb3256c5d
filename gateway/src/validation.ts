import type { z } from "zod";
import { GatewayError } from "./errors.js";

/**
 * Parses a request body (or path parameter) with its schema, or throws
 * `bad_request` naming the first problem and where it is.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new GatewayError("bad_request", `${where}${issue?.message ?? "invalid body"}`);
}
