/**
 * Checks a value against the schema of its registered body kind. Apart from
 * the registry so that only what validates loads zod (the client and the
 * widget's frame use the registry for senders and folds only).
 */
import { z } from "zod";
import type { BodyKind } from "./body-kind.js";
import { bodyKinds } from "./registry.js";

const schemas = new Map<BodyKind, z.ZodType<{ type: string }>>();

/** The zod schema of a body kind (built once). */
export function schemaOf(kind: BodyKind): z.ZodType<{ type: string }> {
  let schema = schemas.get(kind);
  if (!schema) {
    schema = kind.schema(z);
    schemas.set(kind, schema);
  }
  return schema;
}

/** Whether `value` is a body of a registered kind, by that kind's schema. */
export function isRegisteredBody(value: unknown): boolean {
  const type = (value as { type?: unknown } | null)?.type;
  const kind = typeof type === "string" ? bodyKinds.get(type) : undefined;
  return kind !== undefined && schemaOf(kind).safeParse(value).success;
}
