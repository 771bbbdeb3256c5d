/**
 * Record validation shared by both adapters: client-signed records (epoch
 * commits, team keys and wraps, key backups) are copied field by field with
 * their types checked, so what is stored holds exactly the wire shape and
 * nothing else the caller's object had, and no object can become a MongoDB
 * query operator.
 */
import {
  type Envelope,
  type EpochCommit,
  InviteHistories,
  type InviteHistory,
  type InviteInfo,
  type KeyBackupEntry,
  type TeamKeyRecord,
  type TeamKeyWrap,
} from "@parley/sdk/protocol";
import type { InviteRecord } from "../port/invites.js";

/** Checks a value is a plain string (a filter value or a stored field). */
export function str(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`store: ${name} must be a string`);
  return value;
}

/** Checks a value is a number other than NaN. */
export function num(value: unknown, name: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new TypeError(`store: ${name} must be a number`);
  return value;
}

/** Copies the envelope field by field: the stored document holds exactly the wire shape. */
export const envelopeDoc = (e: Envelope): Envelope => ({
  v: e.v,
  convId: e.convId,
  epoch: e.epoch,
  msgId: e.msgId,
  senderDevice: e.senderDevice,
  ts: e.ts,
  alg: e.alg,
  nonce: e.nonce,
  ct: e.ct,
  sig: e.sig,
});

/** Copies a client-signed commit field by field, checking the types. */
export const commitDoc = (c: EpochCommit): EpochCommit => ({
  v: c.v,
  convId: str(c.convId, "convId"),
  epoch: num(c.epoch, "epoch"),
  prevHash: str(c.prevHash, "prevHash"),
  committer: {
    principalId: str(c.committer.principalId, "committer.principalId"),
    deviceId: str(c.committer.deviceId, "committer.deviceId"),
  },
  members: c.members.map((m) => ({
    principalId: str(m.principalId, "members.principalId"),
    deviceIds: m.deviceIds.map((d) => str(d, "members.deviceIds")),
  })),
  wraps: c.wraps.map((w) => ({ deviceId: str(w.deviceId, "wraps.deviceId"), sealed: str(w.sealed, "wraps.sealed") })),
  teamWrap: str(c.teamWrap, "teamWrap"),
  historyPolicy: str(c.historyPolicy, "historyPolicy") as EpochCommit["historyPolicy"],
  reason: str(c.reason, "reason") as EpochCommit["reason"],
  ts: num(c.ts, "ts"),
  teamVersion: num(c.teamVersion, "teamVersion"),
  sig: str(c.sig, "sig"),
  teamSig: str(c.teamSig, "teamSig"),
  ...(c.teamWrapVersion === undefined ? {} : { teamWrapVersion: num(c.teamWrapVersion, "teamWrapVersion") }),
});

/** A commit stored before team signatures existed reads as a listed members' commit. */
export const withTeamDefaults = (stored: Partial<EpochCommit>): EpochCommit =>
  ({ ...stored, teamVersion: stored.teamVersion ?? 0, teamSig: stored.teamSig ?? "" }) as EpochCommit;

/** Copies a team key record field by field, checking the types. */
export const teamKeyDoc = (r: TeamKeyRecord): TeamKeyRecord => ({
  shopId: str(r.shopId, "shopId"),
  version: num(r.version, "version"),
  boxPk: str(r.boxPk, "boxPk"),
  sigPk: str(r.sigPk, "sigPk"),
  createdBy: {
    principalId: str(r.createdBy.principalId, "createdBy.principalId"),
    deviceId: str(r.createdBy.deviceId, "createdBy.deviceId"),
  },
  ts: num(r.ts, "ts"),
  sig: str(r.sig, "sig"),
  ...(r.prevSig === undefined ? {} : { prevSig: str(r.prevSig, "prevSig") }),
});

/** Copies a team key wrap field by field, checking the types. */
export const teamWrapDoc = (w: TeamKeyWrap): TeamKeyWrap => ({
  shopId: str(w.shopId, "shopId"),
  version: num(w.version, "version"),
  deviceId: str(w.deviceId, "deviceId"),
  principalId: str(w.principalId, "principalId"),
  sealed: str(w.sealed, "sealed"),
  wrappedBy: {
    principalId: str(w.wrappedBy.principalId, "wrappedBy.principalId"),
    deviceId: str(w.wrappedBy.deviceId, "wrappedBy.deviceId"),
  },
  ts: num(w.ts, "ts"),
  sig: str(w.sig, "sig"),
});

/** A sealed epoch key of a principal's key backup (ADR 0016), as stored. */
export interface KeyBackupDoc extends KeyBackupEntry {
  principalId: string;
}

/** Copies a key backup entry field by field, checking the types. */
export const keyBackupDoc = (principalId: string, e: KeyBackupEntry): KeyBackupDoc => ({
  principalId: str(principalId, "principalId"),
  convId: str(e.convId, "convId"),
  epoch: num(e.epoch, "epoch"),
  v: num(e.v, "v"),
  ct: str(e.ct, "ct"),
});

/** How long an invite stays answerable when a record from before expiry existed has none: 7 days. */
export const LEGACY_INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The stored fields of an invite, copied field by field with their types checked (the gateway's
 * answer-time additions, such as `inviteeName`, are never stored). Records written before the
 * history choice and expiry existed read as `history: "none"`, expiring 7 days after they were made.
 * `dropped` is kept only when true.
 */
export function inviteDoc(i: InviteInfo & { dropped?: unknown }): InviteRecord {
  const history: InviteHistory = (InviteHistories as readonly unknown[]).includes(i.history) ? i.history : "none";
  const createdAt = num(i.createdAt, "createdAt");
  return {
    id: str(i.id, "invite id"),
    convId: str(i.convId, "convId"),
    shopId: str(i.shopId, "shopId"),
    inviter: str(i.inviter, "inviter"),
    inviterName: str(i.inviterName, "inviterName"),
    invitee: str(i.invitee, "invitee"),
    status: i.status,
    history,
    createdAt,
    expiresAt: typeof i.expiresAt === "number" ? i.expiresAt : createdAt + LEGACY_INVITE_TTL_MS,
    ...(typeof i.settledAt === "number" ? { settledAt: i.settledAt } : {}),
    ...(i.dropped === true ? { dropped: true as const } : {}),
  };
}
