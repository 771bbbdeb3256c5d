/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. It keeps what an honest gateway keeps (device
 * records, commits with the head compare-and-set, the shop's team key and
 * conversations with member roles) and answers the end-to-end layer's `Rpc`
 * from it, built with the real crypto. A test then replaces any op's answer
 * with a lie (`lie(op, answer)`), and reads `calls` to see what the client
 * asked and sent.
 */
import { toBase64Url } from "../base64url.js";
import { buildCommit, CommitError } from "../crypto/commits.js";
import type { DeviceSetChange } from "../crypto/device-directory.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "../crypto/device-keys.js";
import { sealMessage } from "../crypto/message-crypto.js";
import { randomBytes } from "../crypto/random.js";
import { createTeamKey, type TeamKeySecret, wrapTeamKey } from "../crypto/team-key.js";
import { ParleyError } from "../errors.js";
import { ENVELOPE_VERSION, type StoredMessage } from "../protocol/envelope.js";
import type { MessageBody } from "../protocol/message-body.js";
import type {
  ConversationInfo,
  DeviceRecord,
  EpochCommit,
  HistoryPolicy,
  InviteHistory,
  InviteInfo,
  MemberInfo,
  MemberRole,
  PrincipalInfo,
  TeamKeyRecord,
} from "../protocol/models.js";
import type { RpcResults } from "../protocol/rpc.js";
import type { RpcOp, RpcRequest } from "../protocol/schemas.js";
import { type KeyValueStorage, memoryStorage } from "../storage.js";
import type { Rpc } from "./rpc.js";
import { E2ESession } from "./session.js";

export const SHOP = "s_shop";
export const CONV = "c_conv00000000000000000001";
export const OTHER_CONV = "c_conv00000000000000000002";
/** Commit times: now, so that no commit is old enough (7 days) to be rotated during a test. */
export const T0 = Date.now();

/** A principal whose device the test holds (not a session): what the test sends and commits as. */
export interface Actor {
  principal: PrincipalInfo;
  identity: DeviceIdentity;
  record: DeviceRecord;
}

export async function actor(id: string, kind: PrincipalInfo["kind"] = "customer"): Promise<Actor> {
  const identity = await createDeviceIdentity();
  return {
    principal: { id, kind, shopId: SHOP, displayName: id },
    identity,
    record: await signDeviceRecord(identity, id),
  };
}

/** A device record for `deviceId` under `principalId`, self-signed with fresh keys: what a gateway can always make. */
export async function forgedRecord(
  principalId: string,
  deviceId: string,
): Promise<{ identity: DeviceIdentity; record: DeviceRecord }> {
  const identity = { ...(await createDeviceIdentity()), deviceId };
  return { identity, record: await signDeviceRecord(identity, principalId) };
}

type Handler<Op extends RpcOp> = (
  body: RpcRequest<Op>,
  honest: () => Promise<RpcResults[Op]>,
) => Promise<RpcResults[Op]>;

type AnyHandler = (body: unknown, honest: () => Promise<unknown>) => Promise<unknown>;

export interface Call {
  principal: string;
  op: RpcOp;
  body: unknown;
}

export class LyingGateway {
  /** Device records served by principal (registration adds to it). */
  readonly devices = new Map<string, DeviceRecord[]>();
  /** Accepted commits by conversation, in epoch order. */
  readonly commits = new Map<string, EpochCommit[]>();
  /** The shop's team key records by version. */
  readonly teamRecords = new Map<number, TeamKeyRecord>();
  /** Invite records by conversation, as `invite.history` serves them (oldest first). */
  readonly invites = new Map<string, InviteInfo[]>();
  /** Conversation members and roles, as `conv.get` serves them. */
  readonly members = new Map<string, Array<{ principalId: string; role: MemberRole }>>();
  readonly calls: Call[] = [];
  readonly #lies = new Map<RpcOp, AnyHandler>();
  /** The admin device that made the team key, and its secret: wraps the key to team devices on `team.wrap.get`. */
  admin: Actor | undefined;
  teamSecret: TeamKeySecret | undefined;

  /** Answers `op` with `answer` from now on (it may call the honest answer). */
  lie<Op extends RpcOp>(op: Op, answer: Handler<Op>): void {
    this.#lies.set(op, answer as unknown as AnyHandler);
  }

  /** Back to honest answers for `op`. */
  truth(op: RpcOp): void {
    this.#lies.delete(op);
  }

  callsOf(op: RpcOp): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** Serves `record` for its principal (replacing a record with the same device id). */
  serveDevice(record: DeviceRecord): void {
    const list = (this.devices.get(record.principal) ?? []).filter((r) => r.deviceId !== record.deviceId);
    list.push(record);
    this.devices.set(record.principal, list);
  }

  /** An admin agent's device makes team key `version`; `team.get` without a version serves the highest one. */
  async makeTeamKey(admin: Actor, version = 1): Promise<{ record: TeamKeyRecord; secret: TeamKeySecret }> {
    const made = await createTeamKey({
      identity: admin.identity,
      principalId: admin.principal.id,
      shopId: SHOP,
      version,
      now: T0,
    });
    this.serveDevice(admin.record);
    this.teamRecords.set(version, made.record);
    this.admin = admin;
    this.teamSecret = made.secret;
    return made;
  }

  setMembers(convId: string, members: Array<{ principalId: string; role: MemberRole }>): void {
    this.members.set(convId, members);
  }

  /** Records an accepted invite of `invitee` by `inviter` into `convId` offering `history`, settled at `settledAt`. */
  acceptedInvite(
    convId: string,
    inviter: string,
    invitee: string,
    history: InviteHistory,
    settledAt: number = T0,
  ): InviteInfo {
    const invite: InviteInfo = {
      id: `in_${inviter}_${invitee}_${(this.invites.get(convId) ?? []).length}`,
      convId,
      shopId: SHOP,
      inviter,
      inviterName: inviter,
      invitee,
      status: "accepted",
      history,
      createdAt: settledAt - 60_000,
      expiresAt: settledAt - 60_000 + 7 * 24 * 3600_000,
      settledAt,
    };
    this.invites.set(convId, [...(this.invites.get(convId) ?? []), invite]);
    return invite;
  }

  head(convId: string): EpochCommit | undefined {
    return this.commits.get(convId)?.at(-1);
  }

  /** Stores a commit as if a member had committed it (no checks: a lying gateway serves what it likes). */
  push(commit: EpochCommit): void {
    const list = this.commits.get(commit.convId) ?? [];
    list.push(commit);
    this.commits.set(commit.convId, list);
  }

  /** The `Rpc` of a session signed in as `principal`. */
  rpcFor(principal: PrincipalInfo): Rpc {
    return (async (op: RpcOp, body: unknown) => {
      this.calls.push({ principal: principal.id, op, body: structuredClone(body) });
      const honest = () => this.#honest(principal, op, body);
      const lie = this.#lies.get(op);
      return lie ? lie(body, honest) : honest();
    }) as Rpc;
  }

  async #honest(principal: PrincipalInfo, op: RpcOp, body: unknown): Promise<unknown> {
    const b = body as Record<string, unknown>;
    switch (op) {
      case "device.register":
        this.serveDevice(b.record as DeviceRecord);
        return { ok: true };
      case "device.list":
        return { devices: (b.principalIds as string[]).flatMap((p) => this.devices.get(p) ?? []) };
      case "epoch.list":
        return {
          commits: (this.commits.get(b.convId as string) ?? [])
            .filter((c) => c.epoch > (b.after as number))
            .slice(0, (b.limit as number | undefined) ?? 500),
          hasMore: false,
        };
      case "epoch.commit": {
        const commit = b.commit as EpochCommit;
        if (commit.epoch !== (this.head(commit.convId)?.epoch ?? 0) + 1) throw new ParleyError("conflict");
        this.push(commit);
        return { epoch: commit.epoch };
      }
      case "team.get": {
        const version = (b.version as number | undefined) ?? Math.max(0, ...this.teamRecords.keys());
        return { key: this.teamRecords.get(version) ?? null };
      }
      case "team.wrap.get": {
        const version = Math.max(0, ...this.teamRecords.keys());
        const key = this.teamRecords.get(version);
        if (!key || !this.admin || !this.teamSecret || (principal.kind !== "agent" && principal.kind !== "bot")) {
          return { key: key ?? null, wraps: [] };
        }
        const wraps = [];
        for (const to of this.devices.get(principal.id) ?? []) {
          wraps.push(
            await wrapTeamKey({
              secret: this.teamSecret,
              record: key,
              to,
              wrapper: this.admin.identity,
              wrapperPrincipalId: this.admin.principal.id,
              now: T0,
            }),
          );
        }
        return { key, wraps };
      }
      case "team.devices":
        throw new ParleyError("forbidden");
      case "invite.history":
        return {
          invites: (this.invites.get(b.convId as string) ?? []).filter(
            (i) => b.invitee === undefined || i.invitee === b.invitee,
          ),
        };
      case "conv.get": {
        const convId = b.convId as string;
        const members: MemberInfo[] = (this.members.get(convId) ?? []).map((m) => ({
          principalId: m.principalId,
          displayName: m.principalId,
          role: m.role,
          joinedAt: T0,
        }));
        return {
          conversation: {
            id: convId,
            shopId: SHOP,
            status: "open",
            createdBy: members[0]?.principalId ?? "p_nobody",
            createdAt: T0,
            updatedAt: T0,
            lastSeq: 0,
            epoch: this.head(convId)?.epoch ?? 0,
            readUpTo: 0,
            unread: 0,
          },
          members,
          reads: [],
        };
      }
      default:
        throw new ParleyError("bad_request", `the scripted gateway does not answer ${op}`);
    }
  }
}

/** The conversation as `conv.open` would return it to its creator. */
export function conversationInfo(convId = CONV): ConversationInfo {
  return {
    id: convId,
    shopId: SHOP,
    status: "open",
    createdBy: "p_alice",
    createdAt: T0,
    updatedAt: T0,
    lastSeq: 0,
    epoch: 0,
    readUpTo: 0,
    unread: 0,
  };
}

/** Opens a session for `principal` on this gateway; device-set changes and background errors are collected. */
export async function openSession(
  gateway: LyingGateway,
  principal: PrincipalInfo,
  storage: KeyValueStorage = memoryStorage(),
): Promise<{
  session: E2ESession;
  storage: KeyValueStorage;
  changes: DeviceSetChange[][];
  errors: Error[];
  grants: string[];
}> {
  const changes: DeviceSetChange[][] = [];
  const errors: Error[] = [];
  const grants: string[] = [];
  const session = await E2ESession.open({
    request: gateway.rpcFor(principal),
    storage,
    principal,
    onDevicesChanged: (c) => changes.push(c),
    onError: (e) => errors.push(e),
    onGrant: (convId) => grants.push(convId),
  });
  return { session, storage, changes, errors, grants };
}

/** Commit e+1 on `prev` by `by` for these members (each with the records given), sealed to the team key when given. */
export async function commitBy(
  by: { principalId: string; identity: DeviceIdentity },
  prev: EpochCommit | undefined,
  members: Array<{ principalId: string; devices: DeviceRecord[] }>,
  options: {
    convId?: string;
    teamBoxPk?: Uint8Array;
    historyPolicy?: HistoryPolicy;
    reason?: EpochCommit["reason"];
    teamSigner?: { version: number; signSk: Uint8Array };
    /** The commit's signed time. @default T0 */
    now?: number;
  } = {},
): Promise<{ commit: EpochCommit; epochKey: Uint8Array }> {
  return buildCommit({
    identity: by.identity,
    principalId: by.principalId,
    convId: options.convId ?? prev?.convId ?? CONV,
    prev,
    members,
    historyPolicy: options.historyPolicy ?? prev?.historyPolicy ?? "none",
    reason: options.reason ?? (prev ? "add" : "create"),
    now: options.now ?? T0,
    ...(options.teamBoxPk ? { teamBoxPk: options.teamBoxPk } : {}),
    ...(options.teamSigner ? { teamSigner: options.teamSigner } : {}),
  });
}

let seq = 0;

/** A stored message sealed by `from`'s device (any identity: a forger's too) under `epochKey`, as the gateway delivers it. */
export async function storedMessage(options: {
  sender: string;
  identity: DeviceIdentity;
  epoch: number;
  epochKey: Uint8Array;
  body: MessageBody;
  convId?: string;
}): Promise<StoredMessage> {
  const convId = options.convId ?? CONV;
  const msgId = toBase64Url(randomBytes(16));
  const envelope = await sealMessage({
    header: {
      v: ENVELOPE_VERSION,
      convId,
      epoch: options.epoch,
      msgId,
      senderDevice: options.identity.deviceId,
      ts: T0,
    },
    body: options.body,
    epochKey: options.epochKey,
    signer: options.identity.sign.secretKey,
  });
  seq += 1;
  return { convId, seq, msgId, sender: options.sender, ts: T0, envelope };
}

/** Resolves the rejection of `promise` (fails the test when it resolves). */
/**
 * Awaits `work` (a sync or a commit event meeting a commit that continues the chain but fails
 * verification) and answers the reason of the `CommitError` the session reported as skipped.
 */
export async function skippedReason(errors: readonly Error[], work: Promise<unknown>): Promise<string | undefined> {
  const before = errors.length;
  await work;
  const cause = errors
    .slice(before)
    .map((e) => e.cause)
    .find((c) => c instanceof CommitError);
  return cause instanceof CommitError ? cause.reason : undefined;
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
