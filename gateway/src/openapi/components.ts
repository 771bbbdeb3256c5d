/**
 * The named parts of the OpenAPI document (document.ts): the schemas that
 * become components, each with a line for people, and the tags that group
 * the routes.
 */
import {
  agentSessionRequestSchema,
  deviceKeysSchema,
  deviceRecordSchema,
  envelopeSchema,
  epochCommitSchema,
  keyBackupEntrySchema,
  refreshRequestSchema,
  sessionRequestSchema,
  teamKeyRecordSchema,
  teamKeyWrapSchema,
} from "@parley/sdk/protocol";
import type { z } from "zod";
import { agentInputSchema, passwordInputSchema, shopInputSchema } from "../service/shop-admin.js";
import { mapTilesSchema, shopMediaSchema } from "../service/shop-features.js";
import type { RouteDoc } from "./routes.js";
import * as wire from "./wire-schemas.js";

/**
 * Schemas that get a name of their own (a component) wherever they appear, in requests, answers or both
 * (those must read the same either way: no defaults or transforms), with a line for people.
 */
export const NAMED: Array<[z.ZodType, string, "input" | "output" | "both", string]> = [
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

/** The document's tags, one per kind of route ({@link RouteDoc.tag}). */
export const TAGS = [
  { name: "sessions", description: "Signing in (customers, guests, agents, bots), refreshing and signing out." },
  { name: "rpc", description: "Every RPC operation over HTTP, for clients without NATS: `POST /v1/rpc/<op>`." },
  { name: "files", description: "Encrypted file blobs of a conversation." },
  { name: "admin", description: "Shops and their team logins; only with `PARLEY_ADMIN_TOKEN` set (404 otherwise)." },
  { name: "health", description: "Liveness and readiness probes." },
  { name: "widget", description: "The embeddable widget, served from the gateway's own origin." },
  { name: "meta", description: "This document." },
];
