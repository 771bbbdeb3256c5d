/**
 * Runtime schemas for everything that crosses the wire. Objects are strict:
 * unknown keys (`$gt`, `__proto__`, dotted keys) are rejected, and every leaf
 * is a primitive, so only primitives can reach a store query.
 */
import { z } from "zod";
import { ENVELOPE_VERSION, EnvelopeAlgs, MAX_CIPHERTEXT_CHARS } from "./envelope.js";
import { BLOB_ID_PATTERN, MAX_CLAIMED_BLOBS } from "./files.js";
import { isHandle } from "./handles.js";
import { HANDLE_PATTERN, ID_PATTERN, MSG_ID_PATTERN, NATS_USER_KEY_PATTERN } from "./ids.js";
import { KEY_BACKUP_CT_CHARS, MAX_KEY_BACKUP_PAGE, MAX_KEY_BACKUP_PUT, MAX_KEY_BACKUP_VERSION } from "./key-backup.js";
import { CommitReasons, HistoryPolicies, InviteHistories, MAX_DEVICE_LIST_PRINCIPALS } from "./models.js";

const B64URL = /^[A-Za-z0-9_-]*$/;

/** An id that may stand in a NATS subject ({@link ID_PATTERN}). */
export const idSchema = z.string().regex(ID_PATTERN, "must be 1-64 of [A-Za-z0-9_-]");
/** A message id chosen by a client ({@link MSG_ID_PATTERN}). */
export const msgIdSchema = z.string().regex(MSG_ID_PATTERN, "must be 16-64 of [A-Za-z0-9_-]");
/** A handle in its stored form ({@link isHandle}: folded, {@link HANDLE_PATTERN}, one script); `handle_invalid` otherwise. */
export const handleSchema = z
  .string()
  .max(128)
  .refine(isHandle, {
    message: "must be 3-32 letters, digits or _ of one script, starting with a letter, in lower case",
    params: { code: "handle_invalid" },
  });

/**
 * Characters a display name may not hold ({@link displayNameProblem}): bidi controls
 * (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), zero-width and other invisible
 * characters (every format character `\p{Cf}`, such as U+200B-U+200D, U+2060-U+2064, U+FEFF,
 * U+00AD, and the other default-ignorable code points such as U+3164), and line or paragraph
 * separators. Variation selectors stay allowed: emoji need them.
 */
const INVISIBLE = /(?![\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/u;

/** Whether a display name holds a bidi control or an invisible character (the `display_name_invalid` refusal). */
export function displayNameProblem(value: string): "invisible" | undefined {
  return INVISIBLE.test(value) ? "invisible" : undefined;
}

/**
 * A display name: trimmed, 1 to 80 characters, no control characters (`bad_request`), no bidi
 * controls or invisible characters (`display_name_invalid`, {@link displayNameProblem}).
 */
export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters")
  .refine((s) => displayNameProblem(s) === undefined, {
    message: "must not contain bidi controls, zero-width or other invisible characters",
    params: { code: "display_name_invalid" },
  });
const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const key32Schema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes base64url");

/** Checks an {@link Envelope}: strict, every limit of docs/protocol.md. */
export const envelopeSchema = z.strictObject({
  v: z.literal(ENVELOPE_VERSION),
  convId: idSchema,
  epoch: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  msgId: msgIdSchema,
  senderDevice: idSchema,
  ts: z.number().int().min(0).max(8.64e15),
  alg: z.enum(EnvelopeAlgs),
  nonce: z.string().max(64).regex(B64URL),
  ct: z.string().min(1).max(MAX_CIPHERTEXT_CHARS).regex(B64URL),
  sig: z.string().max(128).regex(B64URL),
});

/** Checks the {@link DeviceKeys} a session request may carry. */
export const deviceKeysSchema = z.strictObject({
  deviceId: idSchema,
  sigPk: key32Schema,
  boxPk: key32Schema,
});

const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/, "must be 64 bytes base64url");

/** Checks a signed {@link DeviceRecord} (`device.register`). */
export const deviceRecordSchema = z.strictObject({
  principal: idSchema,
  deviceId: idSchema,
  sigPk: key32Schema,
  boxPk: key32Schema,
  sig: signatureSchema,
});

/** crypto_box_seal of a 32-byte key: 80 bytes, 107 base64url characters. */
const sealedKeySchema = z.string().regex(/^[A-Za-z0-9_-]{107}$/, "must be a sealed 32-byte key");

/** Checks the shape of an {@link EpochCommit}; members verify its signatures and chain. */
export const epochCommitSchema = z
  .strictObject({
    v: z.union([z.literal(1), z.literal(2)]),
    convId: idSchema,
    epoch: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31),
    prevHash: z.union([z.literal(""), key32Schema]),
    committer: z.strictObject({ principalId: idSchema, deviceId: idSchema }),
    members: z.array(z.strictObject({ principalId: idSchema, deviceIds: z.array(idSchema).max(16) })).max(256),
    wraps: z.array(z.strictObject({ deviceId: idSchema, sealed: sealedKeySchema })).max(1024),
    teamWrap: z.union([z.literal(""), sealedKeySchema]),
    historyPolicy: z.enum(HistoryPolicies),
    reason: z.enum(CommitReasons),
    ts: z.number().int().min(0).max(8.64e15),
    teamVersion: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
    teamWrapVersion: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .optional(),
    sig: signatureSchema,
    teamSig: z.union([z.literal(""), signatureSchema]),
  })
  .refine((c) => (c.v === 2) === (c.teamWrapVersion !== undefined), "teamWrapVersion is there exactly in version 2");

/** Checks the shape of a {@link TeamKeyRecord} (`team.init`). */
export const teamKeyRecordSchema = z.strictObject({
  shopId: idSchema,
  version: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31),
  boxPk: key32Schema,
  sigPk: key32Schema,
  createdBy: z.strictObject({ principalId: idSchema, deviceId: idSchema }),
  ts: z.number().int().min(0).max(8.64e15),
  sig: signatureSchema,
  prevSig: signatureSchema.optional(),
});

/** Checks the shape of a {@link TeamKeyWrap} (`team.wrap.put`). */
export const teamKeyWrapSchema = z.strictObject({
  shopId: idSchema,
  version: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31),
  deviceId: idSchema,
  principalId: idSchema,
  sealed: z.string().regex(/^[A-Za-z0-9_-]{150}$/, "must be a sealed 64-byte team secret"),
  wrappedBy: z.strictObject({ principalId: idSchema, deviceId: idSchema }),
  ts: z.number().int().min(0).max(8.64e15),
  sig: signatureSchema,
});

const epochSchema = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31);

/** One sealed epoch key of a customer's key backup (ADR 0016); the gateway cannot open it. */
export const keyBackupEntrySchema = z.strictObject({
  convId: idSchema,
  epoch: epochSchema,
  v: z.number().int().min(1).max(MAX_KEY_BACKUP_VERSION),
  ct: z
    .string()
    .length(KEY_BACKUP_CT_CHARS, "must be a sealed 32-byte key")
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url"),
});

/** Request bodies of the RPC operations, served over NATS (`api.<principal>.<op>`) and HTTP (`POST /v1/rpc/<op>`). */
export const rpcRequestSchemas = {
  /** Customers and guests: open a conversation with the shop. */
  "conv.open": z.strictObject({}),
  /** The caller's conversations (the team: the shop's), newest activity first; `limit` defaults to 50. */
  "conv.list": z.strictObject({ limit: z.number().int().min(1).max(200).optional() }),
  /** One conversation with its members and read markers. */
  "conv.get": z.strictObject({ convId: idSchema }),
  /** The caller leaves the conversation. */
  "conv.leave": z.strictObject({ convId: idSchema }),
  /** Remove a member (the team, the conversation's creator, or the member's inviter). */
  "conv.remove": z.strictObject({ convId: idSchema, principalId: idSchema }),
  /** Team only: assign to an agent or bot of the shop, or unassign with `null`. */
  "conv.assign": z.strictObject({ convId: idSchema, assignee: idSchema.nullable() }),
  /** Team only: close the conversation. */
  "conv.close": z.strictObject({ convId: idSchema }),
  /** Team only: open a closed conversation again. */
  "conv.reopen": z.strictObject({ convId: idSchema }),
  /** Team only (meant for bots): hand the conversation to the humans. */
  "conv.handover": z.strictObject({ convId: idSchema }),
  /**
   * Store and deliver a message. `blobs` names the files the message refers to (uploaded to the same
   * conversation), in the clear beside the sealed envelope: a file no message claims is deleted after
   * the gateway's claim window (a day by default).
   */
  "msg.send": z.strictObject({
    convId: idSchema,
    envelope: envelopeSchema,
    blobs: z.array(z.string().regex(BLOB_ID_PATTERN, "not a file id")).max(MAX_CLAIMED_BLOBS).optional(),
  }),
  /** Team only: add an internal note (end-to-end encrypted under the team key). */
  "note.add": z.strictObject({ convId: idSchema, envelope: envelopeSchema }),
  /**
   * Team only: the newest notes of a conversation, or with `before` (a note's `ts` and `id`) the newest
   * older than that note; `limit` defaults to 100.
   */
  "note.list": z.strictObject({
    convId: idSchema,
    limit: z.number().int().min(1).max(200).optional(),
    before: z.strictObject({ ts: z.number().int().min(0).max(8.64e15), id: idSchema }).optional(),
  }),
  /** Older messages, newest first, below `before`; `limit` defaults to 50. */
  "msg.history": z.strictObject({
    convId: idSchema,
    before: seqSchema.optional(),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  /** Newer messages, oldest first, above `after`; `limit` defaults to 200. */
  "msg.since": z.strictObject({
    convId: idSchema,
    after: seqSchema,
    limit: z.number().int().min(1).max(500).optional(),
  }),
  /**
   * Who holds this handle in the caller's shop, to confirm an invite before it is sent (exact match only;
   * rate-limited with every other handle probe, per principal and per IP; `unknown_handle` when no one of the shop does).
   */
  "handle.lookup": z.strictObject({ convId: idSchema, handle: z.string().max(128) }),
  /** Whether the caller could claim this handle now (rate-limited with every other handle probe). */
  "handle.check": z.strictObject({ handle: z.string().max(128) }),
  /** Invite someone into the conversation by handle, offering `history` (default `none`). */
  "invite.create": z.strictObject({
    convId: idSchema,
    handle: z.string().max(128),
    history: z.enum(InviteHistories).optional(),
  }),
  /** The inviter, the conversation's owner or the shop's team withdraws a pending invite. */
  "invite.revoke": z.strictObject({ inviteId: idSchema }),
  /** The invitee declines and blocks the inviter: the inviter's later invites to the caller are dropped without a word. */
  "invite.block": z.strictObject({ inviteId: idSchema }),
  /** The principals the caller blocked. */
  "block.list": z.strictObject({}),
  /** Unblocks a principal. */
  "block.remove": z.strictObject({ principalId: idSchema }),
  /** The invitee joins. */
  "invite.accept": z.strictObject({ inviteId: idSchema }),
  /** The invitee says no. */
  "invite.decline": z.strictObject({ inviteId: idSchema }),
  /** The caller's pending invites. */
  "invite.list": z.strictObject({}),
  /** A conversation's newest 200 invites, any status, oldest first; only those to `invitee` when given. */
  "invite.history": z.strictObject({ convId: idSchema, invitee: idSchema.optional() }),
  /** The conversation's recorded joins, leaves and removals (members and the shop's team). */
  "member.history": z.strictObject({ convId: idSchema }),
  /** Register the caller's own device with its self-signed record. */
  "device.register": z.strictObject({ record: deviceRecordSchema }),
  /** The signed device records of principals the caller may see. */
  "device.list": z.strictObject({ principalIds: z.array(idSchema).min(1).max(MAX_DEVICE_LIST_PRINCIPALS) }),
  /** Append the next link of a conversation's epoch chain (compare-and-set). */
  "epoch.commit": z.strictObject({ commit: epochCommitSchema }),
  /** A conversation's commits above `after`, oldest first; `limit` defaults to 100. */
  "epoch.list": z.strictObject({
    convId: idSchema,
    after: seqSchema,
    limit: z.number().int().min(1).max(500).optional(),
  }),
  /** A shop team's current public key, or the given version. */
  "team.get": z.strictObject({
    shopId: idSchema,
    version: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31)
      .optional(),
  }),
  /** Admin agents: store the team key record of the next version. */
  "team.init": z.strictObject({ record: teamKeyRecordSchema }),
  /** Admin agents: the team's devices and whether each holds the team key. */
  "team.devices": z.strictObject({}),
  /** Admin agents: seal the current team key to a team device. */
  "team.wrap.put": z.strictObject({ wrap: teamKeyWrapSchema }),
  /** Team members: the current team key sealed to the caller's devices. */
  "team.wrap.get": z.strictObject({}),
  /** Admin agents: the shop's agent and bot logins with their roles. */
  "team.members": z.strictObject({}),
  /** Admin agents: the shop's webhook and its delivery log. */
  "webhook.log": z.strictObject({ limit: z.number().int().min(1).max(100).optional() }),
  /** Admin agents: remove another agent or bot login of the shop (its sessions end). */
  "team.remove": z.strictObject({ login: z.string().min(1).max(120) }),
  /** Customers: store sealed epoch keys in their key backup. */
  "keys.backup.put": z.strictObject({
    entries: z.array(keyBackupEntrySchema).min(1).max(MAX_KEY_BACKUP_PUT),
  }),
  /** Customers: their sealed epoch keys of one conversation, above `after`. */
  "keys.backup.list": z.strictObject({
    convId: idSchema,
    after: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .optional(),
    limit: z.number().int().min(1).max(MAX_KEY_BACKUP_PAGE).optional(),
  }),
  /** The caller's own principal. */
  "profile.get": z.strictObject({}),
  /**
   * Set the caller's handle (normalised by the gateway; guests cannot claim one) or display name.
   * A handle change counts as a handle probe for the rate limits.
   */
  "profile.update": z.strictObject({
    handle: z.string().max(128).optional(),
    displayName: displayNameSchema.optional(),
  }),
  /** Tell the other members the caller is typing, or stopped. */
  "signal.typing": z.strictObject({ convId: idSchema, active: z.boolean() }),
  /** Move the caller's read marker forward. */
  "signal.read": z.strictObject({ convId: idSchema, seq: seqSchema }),
  /**
   * Relay a live signal (a sealed `live` body, e.g. a live location update) to
   * the conversation's other members and the team; never stored. The envelope's
   * `convId` must be the request's; its `ct` is at most MAX_LIVE_CIPHERTEXT_CHARS.
   */
  "signal.live": z.strictObject({ convId: idSchema, envelope: envelopeSchema }),
  /** ICE servers for a call, with TURN credentials minted for the caller (rate-limited per principal). */
  "call.ice": z.strictObject({}),
  /** The gateway's clock (for the shared clock's offset estimate). */
  "time.now": z.strictObject({}),
  /** Who of the shop's team is online. */
  "presence.get": z.strictObject({}),
  /** `conn` names one connection of the principal (one per client), so one device leaving keeps the others online. */
  "presence.ping": z.strictObject({ conn: idSchema.optional() }),
  /** One connection of the caller goes offline now. */
  "presence.leave": z.strictObject({ conn: idSchema.optional() }),
} as const;

/** The name of an RPC operation, such as `msg.send`. */
export type RpcOp = keyof typeof rpcRequestSchemas;
/** Every RPC operation name. */
export const RPC_OPS = Object.keys(rpcRequestSchemas) as RpcOp[];
/** The request body of an operation, as a client writes it. */
export type RpcRequest<Op extends RpcOp> = z.input<(typeof rpcRequestSchemas)[Op]>;

/** Whether `value` names an RPC operation. */
export function isRpcOp(value: string): value is RpcOp {
  return Object.hasOwn(rpcRequestSchemas, value);
}

/** `POST /v1/session`: a customer token from the shop's backend, or a guest. */
export const sessionRequestSchema = z.union([
  z.strictObject({ shopId: idSchema, token: z.string().min(1).max(4096), device: deviceKeysSchema.optional() }),
  z.strictObject({
    shopId: idSchema,
    guest: z.literal(true),
    displayName: displayNameSchema.optional(),
    device: deviceKeysSchema.optional(),
  }),
]);

/** A NATS user public nkey (`U` + 55 base32 characters): a bot's own key, whose seed never leaves the bot. */
export const natsUserKeySchema = z.string().regex(NATS_USER_KEY_PATTERN, "not a NATS user public key");

/** `POST /v1/agent/session`: a member of a shop's team logs in. */
export const agentSessionRequestSchema = z.strictObject({
  shopId: idSchema,
  login: z.string().min(1).max(120),
  password: z.string().min(1).max(1024),
  device: deviceKeysSchema.optional(),
  /** Bots only (required for them): the public nkey the bot's non-bearer NATS JWT is issued to. */
  natsUserKey: natsUserKeySchema.optional(),
});

/** `POST /v1/session/refresh`. */
export const refreshRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(4096),
  /** Bots only (required for them): as in the agent session request. */
  natsUserKey: natsUserKeySchema.optional(),
});
