/**
 * The gateway's OpenAPI 3.1 document, made from the route table (routes.ts)
 * and the zod schemas it names, with zod's own JSON Schema conversion (draft
 * 2020-12, the dialect of OpenAPI 3.1). Request bodies are converted as input
 * (defaults make a field optional), answers as output. Served at
 * `GET /v1/openapi.json` and written to docs/openapi.json (`npm run openapi`).
 */
import { type ErrorCode, ErrorCodes } from "@parley/sdk/protocol";
import { z } from "zod";
import { NAMED, TAGS } from "./components.js";
import { errorCodesOf, type RouteDoc, routes } from "./routes.js";

type Json = Record<string, unknown>;
/** An OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Json & { paths: Record<string, Record<string, Json>>; components: Json };

const REF = "#/components/schemas/";

/** `/v1/admin/shops/:shopId` → `/v1/admin/shops/{shopId}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replaceAll(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** An id for the route's operation: `rpc.msg.send`, `put.admin.shops.shopId`. */
export function operationId(route: RouteDoc): string {
  const words = route.path
    .replace(/^\/(v1\/)?/, "")
    .split(/[^A-Za-z0-9.]+/)
    .filter(Boolean);
  return route.tag === "rpc" ? words.join(".") : [route.method, ...words].join(".");
}

/** A standalone JSON Schema of `schema` (for parameters), without `$schema`. */
function inline(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
}

/** Converts a registry to components; `$schema` and `$id` dropped (the document sets the dialect). */
function convert(
  registry: z.core.$ZodRegistry<{ id: string; description?: string }>,
  io: "input" | "output",
): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    metadata: registry,
    unrepresentable: "any",
    uri: (id) => `${REF}${id}`,
  });
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema as Json;
    out[id] = rest;
  }
  return out;
}

/** The error answer for one status: `{error}` whose code is one of `codes`. */
function errorAnswer(codes: ErrorCode[]): Json {
  return {
    description: codes.map((c) => `\`${c}\``).join(", "),
    content: {
      "application/json": {
        schema: {
          type: "object",
          properties: { error: { $ref: `${REF}ErrorBody`, properties: { code: { enum: codes } } } },
          required: ["error"],
          additionalProperties: false,
        },
      },
    },
  };
}

function build(): OpenApiDocument {
  const inputs = z.registry<{ id: string; description?: string }>();
  const outputs = z.registry<{ id: string; description?: string }>();
  for (const [schema, id, io, description] of NAMED) {
    if (io !== "output") inputs.add(schema, { id, description });
    if (io !== "input") outputs.add(schema, { id, description });
  }
  const named = (registry: typeof inputs, schema: z.ZodType, id: string): Json => {
    if (!registry.has(schema)) registry.add(schema, { id });
    return { $ref: `${REF}${registry.get(schema)?.id}` };
  };

  /** Error answers are shared, one component per set of codes (named by them): every RPC op has the same. */
  const errorResponses: Record<string, Json> = {};
  const errorRef = (codes: ErrorCode[]): Json => {
    const name = `error.${codes.join(".")}`;
    errorResponses[name] ??= errorAnswer(codes);
    return { $ref: `#/components/responses/${name}` };
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const id = operationId(route);
    const parameters = [
      ...Object.entries(route.params ?? {}).map(([name, s]) => ({
        name,
        in: "path",
        required: true,
        schema: inline(s),
      })),
      ...Object.entries(route.query ?? {}).map(([name, s]) => ({
        name,
        in: "query",
        required: true,
        schema: inline(s),
      })),
    ];
    const responses: Record<string, Json> = {};
    for (const [status, answer] of Object.entries(route.answers)) {
      const content =
        "json" in answer
          ? { "application/json": { schema: named(outputs, answer.json, `${id}.${status}`) } }
          : { [answer.contentType]: {} };
      responses[status] = { description: answer.description, content };
    }
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of errorCodesOf(route)) {
      const status = ErrorCodes[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      if (responses[status]) throw new Error(`${id}: status ${status} is both an answer and an error`);
      responses[status] = errorRef(codes.sort());
    }
    const body = route.body;
    const operation: Json = {
      operationId: id,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: route.auth === "none" ? [] : [{ [route.auth]: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(body
        ? {
            requestBody: {
              required: true,
              content:
                "contentType" in body
                  ? { [body.contentType]: {} }
                  : { "application/json": { schema: named(inputs, body, `${id}.body`) } },
            },
          }
        : {}),
      responses,
    };
    const path = openApiPath(route.path);
    paths[path] ??= {};
    if (paths[path][route.method]) throw new Error(`${route.method} ${route.path} is in the route table twice`);
    paths[path][route.method] = operation;
  }

  const schemas = convert(inputs, "input");
  for (const [id, schema] of Object.entries(convert(outputs, "output"))) {
    const seen = schemas[id];
    if (seen && JSON.stringify(seen) !== JSON.stringify(schema)) {
      throw new Error(`schema ${id} reads differently as a request and as an answer: name the two apart`);
    }
    schemas[id] = schema;
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Parley gateway",
      version: "v1",
      description:
        "The HTTP side of a Parley gateway: sessions, every RPC operation, files, the admin API, health and the " +
        "widget. Every error is `{error: {code, message, retryAfter?}}` with the code's status (docs/protocol.md). " +
        "Generated from the zod schemas the routes validate with; do not edit docs/openapi.json by hand.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        session: {
          type: "http",
          scheme: "bearer",
          description: "The `apiToken` of a session (`POST /v1/session`, `/v1/agent/session`, `/v1/session/refresh`).",
        },
        admin: { type: "http", scheme: "bearer", description: "The gateway's `PARLEY_ADMIN_TOKEN`." },
      },
      responses: sortedByKey(errorResponses),
      schemas: sortedByKey(schemas),
    },
  };
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

let cached: OpenApiDocument | undefined;

/** The document (made once per process; it depends on nothing but the code). */
export function openApiDocument(): OpenApiDocument {
  cached ??= build();
  return cached;
}

/** The document as docs/openapi.json holds it. */
export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
