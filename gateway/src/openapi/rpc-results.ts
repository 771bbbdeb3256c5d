/**
 * The result of every RPC operation as a zod schema, for the OpenAPI document
 * (`POST /v1/rpc/<op>` answers `{ok: true, result}`). {@link RpcResultChecks}
 * fails the type check when an op is missing here or its schema stops being
 * exactly `RpcResults[op]` (`@parley/sdk/protocol`).
 */
import {
  deviceRecordSchema,
  epochCommitSchema,
  keyBackupEntrySchema,
  type RpcOp,
  type RpcResults,
  teamKeyRecordSchema,
  teamKeyWrapSchema,
} from "@parley/sdk/protocol";
import { z } from "zod";
import {
  blockedInfoSchema,
  conversationInfoSchema,
  handleCheckSchema,
  iceServerSchema,
  inviteInfoSchema,
  memberInfoSchema,
  membershipEventSchema,
  okSchema,
  principalInfoSchema,
  readMarkSchema,
  storedMessageSchema,
  storedNoteSchema,
  teamPresenceSchema,
  webhookAttemptSchema,
  webhookInfoSchema,
} from "./wire-schemas.js";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const conversation = z.object({ conversation: conversationInfoSchema });
const count = z.number().int().min(0);
const teamKey = teamKeyRecordSchema.nullable();
const presence = z.object({ presence: teamPresenceSchema });

/** `RpcResults[op]` of every op, as a schema. */
export const rpcResultSchemas = {
  "conv.open": conversation,
  "conv.list": z.object({ conversations: z.array(conversationInfoSchema) }),
  "conv.get": z.object({
    conversation: conversationInfoSchema,
    members: z.array(memberInfoSchema),
    reads: z.array(readMarkSchema),
  }),
  "conv.leave": okSchema,
  "conv.remove": okSchema,
  "conv.assign": conversation,
  "conv.close": conversation,
  "conv.reopen": conversation,
  "conv.handover": conversation,
  "msg.send": z.object({ seq: count, ts: count, duplicate: z.boolean() }),
  "note.add": z.object({ note: storedNoteSchema, duplicate: z.boolean() }),
  "note.list": z.object({ notes: z.array(storedNoteSchema), hasMore: z.boolean() }),
  "msg.history": z.object({ messages: z.array(storedMessageSchema), hasMore: z.boolean() }),
  "msg.since": z.object({ messages: z.array(storedMessageSchema), hasMore: z.boolean() }),
  "handle.lookup": z.object({ principal: principalInfoSchema }),
  "handle.check": handleCheckSchema,
  "invite.revoke": okSchema,
  "invite.block": okSchema,
  "block.list": z.object({ blocked: z.array(blockedInfoSchema), hasMore: z.boolean() }),
  "block.remove": okSchema,
  "invite.create": z.object({ invite: inviteInfoSchema }),
  "invite.accept": conversation,
  "invite.decline": okSchema,
  "invite.list": z.object({ invites: z.array(inviteInfoSchema), hasMore: z.boolean() }),
  "invite.history": z.object({ invites: z.array(inviteInfoSchema), hasMore: z.boolean() }),
  "member.history": z.object({ events: z.array(membershipEventSchema) }),
  "device.register": okSchema,
  "device.list": z.object({ devices: z.array(deviceRecordSchema) }),
  "epoch.commit": z.object({ epoch: count }),
  "epoch.list": z.object({ commits: z.array(epochCommitSchema), hasMore: z.boolean() }),
  "team.get": z.object({ key: teamKey }),
  "team.init": z.object({ version: count }),
  "team.devices": z.object({
    key: teamKey,
    devices: z.array(z.object({ device: deviceRecordSchema, wrapped: z.boolean() })),
    rotationDue: z.boolean().optional(),
  }),
  "team.wrap.put": okSchema,
  "team.wrap.get": z.object({ key: teamKey, wraps: z.array(teamKeyWrapSchema) }),
  "team.members": z.object({
    members: z.array(z.object({ login: z.string(), role: z.enum(["admin", "agent"]), principal: principalInfoSchema })),
  }),
  "team.remove": okSchema,
  "keys.backup.put": z.object({ stored: count }),
  "keys.backup.list": z.object({ entries: z.array(keyBackupEntrySchema), hasMore: z.boolean() }),
  "profile.get": z.object({ principal: principalInfoSchema }),
  "profile.update": z.object({ principal: principalInfoSchema }),
  "signal.typing": okSchema,
  "signal.read": z.object({ seq: count }),
  "signal.live": okSchema,
  "call.ice": z.object({ iceServers: z.array(iceServerSchema), expiresAt: count }),
  "time.now": z.object({ now: count }),
  "presence.get": presence,
  "presence.ping": z.object({
    intervalMs: count,
    ttlMs: count,
    heartbeat: z.boolean().optional(),
    presence: teamPresenceSchema,
  }),
  "presence.leave": okSchema,
  "webhook.log": z.object({ webhook: webhookInfoSchema.nullable(), attempts: z.array(webhookAttemptSchema) }),
} satisfies { [Op in RpcOp]: z.ZodType };

type Checks = { [Op in RpcOp]: Same<z.output<(typeof rpcResultSchemas)[Op]>, RpcResults[Op]> };
/** The ops whose result schema is not exactly `RpcResults[op]` (`never` when all are). */
type Drifted = { [Op in RpcOp]: Checks[Op] extends true ? never : Op }[RpcOp];
/** Compile-time: `tsc` fails here when an op's schema drifted (`Drifted` names the ops). */
export const rpcResultsChecked: [Drifted] extends [never] ? true : Drifted = true;
