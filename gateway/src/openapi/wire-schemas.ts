/**
 * Zod schemas of what the gateway answers over HTTP, for its OpenAPI document
 * (document.ts). The request schemas are the ones the routes validate with
 * (`@parley/sdk/protocol`, shop-admin.ts); the answers are TypeScript types in
 * the protocol, so they are written out here once, and {@link WireSchemaChecks}
 * fails the type check whenever one stops being exactly its type.
 */
import {
  type BlockedInfo,
  type ConversationInfo,
  ConversationStatuses,
  type deviceRecordSchema,
  type ErrorBody,
  type ErrorCode,
  ErrorCodes,
  envelopeSchema,
  type HandleCheck,
  HandleRefusals,
  type IceServer,
  InviteHistories,
  type InviteInfo,
  InviteStatuses,
  idSchema,
  type MemberInfo,
  MemberRoles,
  type MembershipEvent,
  type PrincipalInfo,
  PrincipalKinds,
  type ReadMark,
  type SessionResponse,
  type StoredMessage,
  type StoredNote,
  TeamKinds,
  type TeamPresence,
  WebhookEventTypes,
  type WidgetConfig,
} from "@parley/sdk/protocol";
import { z } from "zod";
import { shopInputSchema } from "../service/shop-admin.js";
import { mapTilesSchema, shopMediaSchema } from "../service/shop-features.js";

/** Whether two types are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only when `T` is `true`. */
type Assert<T extends true> = T;

const ms = z.number().int().min(0);

export const principalInfoSchema = z.object({
  id: idSchema,
  kind: z.enum(PrincipalKinds),
  shopId: idSchema,
  displayName: z.string(),
  handle: z.string().optional(),
});

export const conversationInfoSchema = z.object({
  id: idSchema,
  shopId: idSchema,
  status: z.enum(ConversationStatuses),
  createdBy: idSchema,
  createdAt: ms,
  updatedAt: ms,
  lastSeq: z.number().int().min(0),
  epoch: z.number().int().min(0),
  ownerName: z.string().optional(),
  assignee: idSchema.optional(),
  handover: z.boolean().optional(),
  readUpTo: z.number().int().min(0),
  unread: z.number().int().min(0),
});

export const memberInfoSchema = z.object({
  principalId: idSchema,
  displayName: z.string(),
  handle: z.string().optional(),
  role: z.enum(MemberRoles),
  joinedAt: ms,
  invitedBy: idSchema.optional(),
  historyFrom: ms.optional(),
  externalId: z.string().optional(),
});

export const readMarkSchema = z.object({ principalId: idSchema, seq: z.number().int().min(0) });

export const inviteInfoSchema = z.object({
  id: idSchema,
  convId: idSchema,
  shopId: idSchema,
  inviter: idSchema,
  inviterName: z.string(),
  invitee: idSchema,
  status: z.enum(InviteStatuses),
  history: z.enum(InviteHistories),
  createdAt: ms,
  expiresAt: ms,
  settledAt: ms.optional(),
  inviteeName: z.string().optional(),
  inviteeHandle: z.string().optional(),
  inviterKind: z.enum(PrincipalKinds).optional(),
  inviterHandle: z.string().optional(),
  shopName: z.string().optional(),
  members: z
    .array(z.object({ displayName: z.string(), handle: z.string().optional(), role: z.enum(MemberRoles) }))
    .optional(),
});

export const storedMessageSchema = z.object({
  convId: idSchema,
  seq: z.number().int().min(1),
  msgId: z.string(),
  sender: idSchema,
  ts: ms,
  envelope: envelopeSchema,
});

export const storedNoteSchema = z.object({
  convId: idSchema,
  id: idSchema,
  author: idSchema,
  authorName: z.string().optional(),
  ts: ms,
  envelope: envelopeSchema,
});

export const handleCheckSchema = z.object({
  handle: z.string(),
  available: z.boolean(),
  reason: z.enum(HandleRefusals).optional(),
});

export const blockedInfoSchema = z.object({
  principalId: idSchema,
  displayName: z.string(),
  handle: z.string().optional(),
  blockedAt: ms,
});

export const membershipEventSchema = z.object({
  convId: idSchema,
  principalId: idSchema,
  change: z.enum(["joined", "left", "removed"]),
  by: idSchema,
  ts: ms,
});

export const teamPresenceSchema = z.object({
  shopId: idSchema,
  online: z.array(z.object({ principalId: idSchema, displayName: z.string(), kind: z.enum(TeamKinds) })),
  updatedAt: ms,
});

export const iceServerSchema = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** `POST /v1/session`, `/v1/agent/session` and `/v1/session/refresh`. */
export const sessionResponseSchema = z.object({
  principal: principalInfoSchema,
  nats: z.object({ servers: z.array(z.string()), jwt: z.string(), expiresAt: ms, inboxPrefix: z.string() }),
  apiToken: z.string(),
  refreshToken: z.string(),
  refreshExpiresAt: ms,
});

/** `GET /widget/config/:shopId`. */
export const widgetConfigSchema = z.object({
  shopId: idSchema,
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  allowGuests: z.boolean(),
  mapTiles: mapTilesSchema.optional(),
  media: shopMediaSchema.optional(),
});

/** `{ok: true}`: the answer of calls that return nothing else. */
export const okSchema = z.object({ ok: z.literal(true) });

/** `PUT /v1/admin/shops/:shopId`: the shop as stored, without its token key. */
export const adminShopReplySchema = z.object({
  shop: shopInputSchema.omit({ tokenKey: true }).extend({ id: idSchema, createdAt: ms }),
});

/** A shop as the admin API lists it: without its token key (its algorithm instead), with its team. */
export const shopViewSchema = adminShopReplySchema.shape.shop.extend({
  tokenKeyAlg: z.enum(["EdDSA", "HS256"]),
  team: z.array(z.object({ login: z.string(), role: z.enum(["admin", "agent"]), principal: principalInfoSchema })),
});

/** `GET /v1/admin/shops`. */
export const adminShopListSchema = z.object({ shops: z.array(shopViewSchema) });

/** `GET /v1/admin/shops/:shopId`. */
export const adminShopViewSchema = z.object({ shop: shopViewSchema });

/** `POST /v1/admin/doctor`: the gateway's clock and whether the store took a scratch write. */
export const doctorReplySchema = z.object({
  now: ms,
  store: z.union([
    z.object({ ok: z.literal(true), kind: z.string() }),
    z.object({ ok: z.literal(false), kind: z.string(), message: z.string() }),
  ]),
});

/** A shop's webhook as the admin API and `webhook.log` show it (never its secret). */
export const webhookInfoSchema = z.object({ url: z.string(), updatedAt: ms });

/** `PUT /v1/admin/shops/:shopId/webhook`: the secret is shown in this answer only. */
export const adminWebhookPutSchema = z.object({ webhook: webhookInfoSchema.extend({ secret: z.string() }) });

/** `GET /v1/admin/shops/:shopId/webhook`. */
export const adminWebhookSchema = z.object({ webhook: webhookInfoSchema });

/** One delivery attempt in `webhook.log`. */
export const webhookAttemptSchema = z.object({
  eventId: z.string(),
  type: z.enum(WebhookEventTypes),
  attempt: z.number().int().min(1),
  at: ms,
  status: z.number().int().min(0),
  durationMs: z.number().min(0),
  outcome: z.enum(["delivered", "retry", "failed"]),
  nextAt: ms.optional(),
  error: z.string().optional(),
});

/** `POST /v1/admin/shops/:shopId/agents`. */
export const adminAgentReplySchema = z.object({
  agent: z.object({ login: z.string(), role: z.string(), principal: principalInfoSchema }),
});

/** `GET /healthz`. */
export const healthSchema = z.object({ status: z.literal("ok") });

/** `GET /readyz`, 200 or 503. */
export const readinessSchema = z.object({
  status: z.enum(["ready", "unavailable"]),
  checks: z.object({ nats: z.boolean(), store: z.boolean() }),
});

/** `POST /v1/files` (201). */
export const fileUploadResultSchema = z.object({
  id: z.string().regex(/^fb_[A-Za-z0-9_-]{22}$/),
  size: z.number().int().min(0),
});

/** Codes only the SDK raises (errors.ts): never in a gateway's answer. */
const SDK_ONLY: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "file_corrupt",
  "card_invalid",
  "card_rejected",
  "live_invalid",
  "live_rejected",
  "call_unavailable",
  "media_denied",
  "call_refused",
]);

/** Every code a gateway may answer with. */
export const GATEWAY_ERROR_CODES = (Object.keys(ErrorCodes) as ErrorCode[]).filter((c) => !SDK_ONLY.has(c));

/** The body of every error ({@link ErrorBody}). */
export const errorBodySchema = z.object({
  code: z.enum(GATEWAY_ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  retryAfter: z.number().min(0).optional(),
  requestId: z.string().optional(),
});

/** Compile-time: each answer schema is exactly its protocol type (`tsc` fails otherwise). */
export type WireSchemaChecks = [
  Assert<Same<z.output<typeof principalInfoSchema>, PrincipalInfo>>,
  Assert<Same<z.output<typeof conversationInfoSchema>, ConversationInfo>>,
  Assert<Same<z.output<typeof memberInfoSchema>, MemberInfo>>,
  Assert<Same<z.output<typeof readMarkSchema>, ReadMark>>,
  Assert<Same<z.output<typeof inviteInfoSchema>, InviteInfo>>,
  Assert<Same<z.output<typeof storedMessageSchema>, StoredMessage>>,
  Assert<Same<z.output<typeof storedNoteSchema>, StoredNote>>,
  Assert<Same<z.output<typeof handleCheckSchema>, HandleCheck>>,
  Assert<Same<z.output<typeof blockedInfoSchema>, BlockedInfo>>,
  Assert<Same<z.output<typeof membershipEventSchema>, MembershipEvent>>,
  Assert<Same<z.output<typeof teamPresenceSchema>, TeamPresence>>,
  Assert<Same<z.output<typeof iceServerSchema>, IceServer>>,
  Assert<Same<z.output<typeof sessionResponseSchema>, SessionResponse>>,
  Assert<Same<z.output<typeof widgetConfigSchema>, WidgetConfig>>,
  Assert<z.output<typeof errorBodySchema> extends ErrorBody ? true : false>,
  Assert<Same<z.output<typeof deviceRecordSchema>, import("@parley/sdk/protocol").DeviceRecord>>,
  Assert<Same<z.output<typeof webhookInfoSchema>, import("@parley/sdk/protocol").WebhookInfo>>,
  Assert<Same<z.output<typeof webhookAttemptSchema>, import("@parley/sdk/protocol").WebhookAttemptInfo>>,
  Assert<Same<z.output<typeof shopViewSchema>, import("../service/shop-admin.js").ShopView>>,
  Assert<Same<z.output<typeof doctorReplySchema>, import("../transport/admin-routes.js").DoctorReply>>,
];
