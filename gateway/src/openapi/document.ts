/**
 * The gateway's OpenAPI 3.1 document, made from the route table (routes.ts)
 * and the zod schemas it names, with zod's own JSON Schema conversion (draft
 * 2020-12, the dialect of OpenAPI 3.1). Request bodies are converted as input
 * (defaults make a field optional), answers as output. Served at
 * `GET /v1/openapi.json` and written to docs/openapi.json (`npm run openapi`).
 */
import {
  agentSessionRequestSchema,
  deviceKeysSchema,
  deviceRecordSchema,
  type ErrorCode,
  ErrorCodes,
  envelopeSchema,
  epochCommitSchema,
  keyBackupEntrySchema,
  refreshRequestSchema,
  sessionRequestSchema,
  teamKeyRecordSchema,
  teamKeyWrapSchema,
} from "@parley/sdk/protocol";
import { z } from "zod";
import { agentInputSchema, passwordInputSchema, shopInputSchema } from "../service/shop-admin.js";
import { mapTilesSchema, shopMediaSchema } from "../service/shop-features.js";
import { errorCodesOf, type RouteDoc, routes } from "./routes.js";
import * as wire from "./wire-schemas.js";

type Json = Record<string, unknown>;
/** An OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Json & { paths: Record<string, Record<string, Json>>; components: Json };

const REF = "#/components/schemas/";

/**
 * Schemas that get a name of their own (a component) wherever they appear, in requests, answers or both
 * (those must read the same either way: no defaults or transforms), with a line for people.
 */
const NAMED: Array<[z.ZodType, string, "input" | "output" | "both", string]> = [
  [
    envelopeSchema,
    "Envelope",
    "both",
    "A sealed message: the signed header in the clear, the ciphertext opaque to the gateway (docs/protocol.md, the envelope).",
  ],
  [
    deviceKeysSchema,
    "DeviceKeys",
    "input",
    "A device's id and public keys (Ed25519 `sigPk`, X25519 `boxPk`, base64url), sent at sign-in.",
  ],
  [
    deviceRecordSchema,
    "DeviceRecord",
    "both",
    "A device's self-signed registration, binding its public keys to a principal.",
  ],
  [
    epochCommitSchema,
    "EpochCommit",
    "both",
    "One link of a conversation's epoch chain, made and signed by a member device.",
  ],
  [
    teamKeyRecordSchema,
    "TeamKeyRecord",
    "both",
    "A shop team's public key, version n, signed by the admin device that made it.",
  ],
  [
    teamKeyWrapSchema,
    "TeamKeyWrap",
    "both",
    "A team key's secret halves sealed to one team device by an admin device.",
  ],
  [
    keyBackupEntrySchema,
    "KeyBackupEntry",
    "both",
    "One sealed epoch key of a customer's key backup; the gateway cannot open it.",
  ],
  [sessionRequestSchema, "SessionRequest", "input", "A customer token from the shop's backend, or a guest."],
  [
    agentSessionRequestSchema,
    "AgentSessionRequest",
    "input",
    "A member of a shop's team signs in; bots add their own NATS user key.",
  ],
  [refreshRequestSchema, "RefreshRequest", "input", "The refresh token to exchange; bots add their NATS user key."],
  [
    shopInputSchema,
    "ShopInput",
    "input",
    "A shop: its name, how its customer tokens are verified, its storefront origins and features.",
  ],
  [agentInputSchema, "AgentInput", "input", "An agent or bot login of a shop."],
  [passwordInputSchema, "PasswordInput", "input", "A new password for a login."],
  [mapTilesSchema, "MapTiles", "both", "The shop's own map tile server."],
  [shopMediaSchema, "ShopMedia", "both", "The shop's audio for listening together."],
  [wire.principalInfoSchema, "PrincipalInfo", "output", "A principal (someone who signs in) as others see it."],
  [wire.conversationInfoSchema, "ConversationInfo", "output", "A conversation as the calling principal sees it."],
  [wire.memberInfoSchema, "MemberInfo", "output", "A member of a conversation."],
  [wire.readMarkSchema, "ReadMark", "output", "A member's read marker."],
  [wire.inviteInfoSchema, "InviteInfo", "output", "An invite into a conversation, by handle."],
  [
    wire.storedMessageSchema,
    "StoredMessage",
    "output",
    "A message as stored: its sequence number, sender and envelope.",
  ],
  [wire.storedNoteSchema, "StoredNote", "output", "An internal note of the shop's team, sealed under the team key."],
  [wire.handleCheckSchema, "HandleCheck", "output", "Whether the caller could claim a handle now."],
  [wire.blockedInfoSchema, "BlockedInfo", "output", "A principal the caller blocked."],
  [wire.membershipEventSchema, "MembershipEvent", "output", "One recorded join, leave or removal."],
  [wire.teamPresenceSchema, "TeamPresence", "output", "Who of a shop's team is online."],
  [wire.iceServerSchema, "IceServer", "output", "One STUN or TURN server, as `RTCIceServer` takes it."],
  [
    wire.sessionResponseSchema,
    "SessionResponse",
    "output",
    "A session: who signed in, how to reach NATS, and the API and refresh tokens.",
  ],
  [wire.widgetConfigSchema, "WidgetConfig", "output", "A shop's public widget settings."],
  [wire.okSchema, "Ok", "output", "Done; nothing else to say."],
  [
    wire.errorBodySchema,
    "ErrorBody",
    "output",
    "Why a request failed: a stable code (the contract), a message for people, and `retryAfter` seconds for `rate_limited` and `busy`.",
  ],
];

const TAGS = [
  { name: "sessions", description: "Signing in (customers, guests, agents, bots), refreshing and signing out." },
  { name: "rpc", description: "Every RPC operation over HTTP, for clients without NATS: `POST /v1/rpc/<op>`." },
  { name: "files", description: "Encrypted file blobs of a conversation." },
  { name: "admin", description: "Shops and their team logins; only with `PARLEY_ADMIN_TOKEN` set (404 otherwise)." },
  { name: "health", description: "Liveness and readiness probes." },
  { name: "widget", description: "The embeddable widget, served from the gateway's own origin." },
  { name: "meta", description: "This document." },
];

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
