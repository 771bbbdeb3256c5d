/**
 * Runtime schemas for everything that crosses the wire. Objects are strict:
 * unknown keys (`$gt`, `__proto__`, dotted keys) are rejected, and every leaf
 * is a primitive, so only primitives can reach a store query.
 */
import { z } from "zod";
import { ENVELOPE_VERSION, EnvelopeAlgs, MAX_CIPHERTEXT_CHARS } from "./envelope.js";
import { HANDLE_PATTERN, ID_PATTERN, MSG_ID_PATTERN } from "./ids.js";
import { KEY_BACKUP_CT_CHARS, MAX_KEY_BACKUP_PAGE, MAX_KEY_BACKUP_PUT, MAX_KEY_BACKUP_VERSION } from "./key-backup.js";
import { CommitReasons, HistoryPolicies } from "./models.js";

const B64URL = /^[A-Za-z0-9_-]*$/;

export const idSchema = z.string().regex(ID_PATTERN, "must be 1-64 of [A-Za-z0-9_-]");
export const msgIdSchema = z.string().regex(MSG_ID_PATTERN, "must be 16-64 of [A-Za-z0-9_-]");
export const handleSchema = z.string().regex(HANDLE_PATTERN, "must be 3-32 of [a-z0-9_], starting with a letter");
export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters");
const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const key32Schema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes base64url");

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

export const deviceKeysSchema = z.strictObject({
  deviceId: idSchema,
  sigPk: key32Schema,
  boxPk: key32Schema,
});

const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/, "must be 64 bytes base64url");

export const deviceRecordSchema = z.strictObject({
  principal: idSchema,
  deviceId: idSchema,
  sigPk: key32Schema,
  boxPk: key32Schema,
  sig: signatureSchema,
});

/** crypto_box_seal of a 32-byte key: 80 bytes, 107 base64url characters. */
const sealedKeySchema = z.string().regex(/^[A-Za-z0-9_-]{107}$/, "must be a sealed 32-byte key");

export const epochCommitSchema = z.strictObject({
  v: z.literal(1),
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
  sig: signatureSchema,
  teamSig: z.union([z.literal(""), signatureSchema]),
});

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
});

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
  "conv.open": z.strictObject({}),
  "conv.list": z.strictObject({ limit: z.number().int().min(1).max(200).optional() }),
  "conv.get": z.strictObject({ convId: idSchema }),
  "conv.leave": z.strictObject({ convId: idSchema }),
  "conv.remove": z.strictObject({ convId: idSchema, principalId: idSchema }),
  "conv.assign": z.strictObject({ convId: idSchema, assignee: idSchema.nullable() }),
  "conv.close": z.strictObject({ convId: idSchema }),
  "conv.reopen": z.strictObject({ convId: idSchema }),
  "conv.handover": z.strictObject({ convId: idSchema }),
  "msg.send": z.strictObject({ convId: idSchema, envelope: envelopeSchema }),
  "note.add": z.strictObject({ convId: idSchema, envelope: envelopeSchema }),
  "note.list": z.strictObject({ convId: idSchema, limit: z.number().int().min(1).max(200).optional() }),
  "msg.history": z.strictObject({
    convId: idSchema,
    before: seqSchema.optional(),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  "msg.since": z.strictObject({
    convId: idSchema,
    after: seqSchema,
    limit: z.number().int().min(1).max(500).optional(),
  }),
  "invite.create": z.strictObject({ convId: idSchema, handle: z.string().max(40) }),
  "invite.accept": z.strictObject({ inviteId: idSchema }),
  "invite.decline": z.strictObject({ inviteId: idSchema }),
  "invite.list": z.strictObject({}),
  "invite.history": z.strictObject({ convId: idSchema }),
  "device.register": z.strictObject({ record: deviceRecordSchema }),
  "device.list": z.strictObject({ principalIds: z.array(idSchema).min(1).max(256) }),
  "epoch.commit": z.strictObject({ commit: epochCommitSchema }),
  "epoch.list": z.strictObject({
    convId: idSchema,
    after: seqSchema,
    limit: z.number().int().min(1).max(500).optional(),
  }),
  "team.get": z.strictObject({
    shopId: idSchema,
    version: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31)
      .optional(),
  }),
  "team.init": z.strictObject({ record: teamKeyRecordSchema }),
  "team.devices": z.strictObject({}),
  "team.wrap.put": z.strictObject({ wrap: teamKeyWrapSchema }),
  "team.wrap.get": z.strictObject({}),
  "keys.backup.put": z.strictObject({
    entries: z.array(keyBackupEntrySchema).min(1).max(MAX_KEY_BACKUP_PUT),
  }),
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
  "profile.get": z.strictObject({}),
  "profile.update": z.strictObject({ handle: handleSchema.optional(), displayName: displayNameSchema.optional() }),
  "signal.typing": z.strictObject({ convId: idSchema, active: z.boolean() }),
  "signal.read": z.strictObject({ convId: idSchema, seq: seqSchema }),
  "presence.get": z.strictObject({}),
  /** `conn` names one connection of the principal (one per client), so one device leaving keeps the others online. */
  "presence.ping": z.strictObject({ conn: idSchema.optional() }),
  "presence.leave": z.strictObject({ conn: idSchema.optional() }),
} as const;

export type RpcOp = keyof typeof rpcRequestSchemas;
export const RPC_OPS = Object.keys(rpcRequestSchemas) as RpcOp[];
export type RpcRequest<Op extends RpcOp> = z.input<(typeof rpcRequestSchemas)[Op]>;

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
export const natsUserKeySchema = z.string().regex(/^U[A-Z2-7]{55}$/, "not a NATS user public key");

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
