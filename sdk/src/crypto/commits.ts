/**
 * Epoch commits: the signed, hash-chained links that give a conversation its
 * epoch keys. A member device builds commit e+1 on the head e it has verified,
 * with a fresh 32-byte key sealed (`crypto_box_seal`) to every listed member
 * device and, when the shop has one, to the team key; the gateway orders
 * commits (compare-and-set on the head) and, before storing one, runs
 * {@link verifyCommit} against its own records (gateway commit-checks.ts), but
 * members never take its word for it.
 *
 * Verification is local and never trusts the gateway: the shape, the chain
 * (epoch and `prevHash`), a committer device pinned for the committer's
 * principal, the Ed25519 signature over the canonical encoding (which covers
 * every wrap), the committer's membership of the previous epoch, and a
 * one-to-one, canonically ordered match between listed devices and wraps.
 *
 * A member of the shop's team is not a listed member: it commits (adds someone
 * it invited, rotates before its 100th message) by also signing with the team
 * key, which only devices the shop's admins gave the team key hold. Verifiers
 * check that second signature against the team key record they pinned, so the
 * gateway cannot make anyone a team member.
 *
 * The shape check mirrors `epochCommitSchema` by hand (a test holds the two
 * together) so that this module, like the client, does not load zod.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { CommitError } from "../errors.js";
import { ID_PATTERN } from "../protocol/ids.js";
import {
  type CommitReason,
  CommitReasons,
  type DeviceRecord,
  type EpochCommit,
  HistoryPolicies,
  type HistoryPolicy,
} from "../protocol/models.js";
import { encodeCommitForHash, encodeCommitForSignature } from "./canonical.js";
import { type DeviceIdentity, verifyDeviceRecord } from "./device-keys.js";
import { DecryptError } from "./message-crypto.js";
import { createEpochKey, openEpochKey, sealEpochKey } from "./seal-box.js";
import { loadSodium } from "./sodium.js";
import { type TeamBoxKey, teamKeysFor } from "./team-wraps.js";

export { CommitError, type CommitFailure, CommitFailures } from "../errors.js";

/** Limits of `epochCommitSchema`. */
const MAX_EPOCH = 2 ** 31;
const MAX_TS = 8.64e15;
const MAX_MEMBERS = 256;
const MAX_DEVICES_PER_MEMBER = 16;
const MAX_WRAPS = 1024;
const KEY32 = /^[A-Za-z0-9_-]{43}$/;
const SEALED_KEY = /^[A-Za-z0-9_-]{107}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const COMMIT_KEYS = [
  "v",
  "convId",
  "epoch",
  "prevHash",
  "committer",
  "members",
  "wraps",
  "teamWrap",
  "historyPolicy",
  "reason",
  "ts",
  "teamVersion",
  "sig",
  "teamSig",
] as const;
const COMMIT_KEYS_V2 = [...COMMIT_KEYS, "teamWrapVersion"] as const;

const isId = (value: unknown): value is string => typeof value === "string" && ID_PATTERN.test(value);
const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

/** Whether `value` is a plain object with exactly these own keys. */
function hasExactKeys(value: unknown, keys: readonly string[]): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((key) => Object.hasOwn(value, key));
}

/** Why `value` fails `epochCommitSchema`, or undefined when it passes. */
export function commitShapeProblem(value: unknown): string | undefined {
  const v = value !== null && typeof value === "object" ? (value as { v?: unknown }).v : undefined;
  if (v !== 1 && v !== 2) return "unsupported commit version";
  if (!hasExactKeys(value, v === 2 ? COMMIT_KEYS_V2 : COMMIT_KEYS))
    return "not an object with exactly the commit fields";
  const c = value;
  if (v === 2) {
    if (!isInt(c.teamWrapVersion, 0, MAX_EPOCH)) return "teamWrapVersion is out of range";
  }
  if (!isId(c.convId)) return "convId is not an id";
  if (!isInt(c.epoch, 1, MAX_EPOCH)) return "epoch is out of range";
  if (c.prevHash !== "" && !(typeof c.prevHash === "string" && KEY32.test(c.prevHash))) return "prevHash is invalid";
  if (!hasExactKeys(c.committer, ["principalId", "deviceId"])) return "committer is malformed";
  if (!isId(c.committer.principalId) || !isId(c.committer.deviceId)) return "committer ids are invalid";
  if (!Array.isArray(c.members) || c.members.length > MAX_MEMBERS) return "members is not a list of at most 256";
  for (let i = 0; i < c.members.length; i++) {
    const m: unknown = c.members[i];
    if (!hasExactKeys(m, ["principalId", "deviceIds"]) || !isId(m.principalId)) return `member ${i} is malformed`;
    const ids = m.deviceIds;
    if (!Array.isArray(ids) || ids.length > MAX_DEVICES_PER_MEMBER) return `member ${i} has a bad device list`;
    for (let j = 0; j < ids.length; j++) if (!isId(ids[j])) return `member ${i} device ${j} is not an id`;
  }
  if (!Array.isArray(c.wraps) || c.wraps.length > MAX_WRAPS) return "wraps is not a list of at most 1024";
  for (let i = 0; i < c.wraps.length; i++) {
    const w: unknown = c.wraps[i];
    if (!hasExactKeys(w, ["deviceId", "sealed"]) || !isId(w.deviceId)) return `wrap ${i} is malformed`;
    if (typeof w.sealed !== "string" || !SEALED_KEY.test(w.sealed)) return `wrap ${i} is not a sealed key`;
  }
  if (c.teamWrap !== "" && !(typeof c.teamWrap === "string" && SEALED_KEY.test(c.teamWrap))) {
    return "teamWrap is invalid";
  }
  if (!(HistoryPolicies as readonly unknown[]).includes(c.historyPolicy)) return "unknown historyPolicy";
  if (!(CommitReasons as readonly unknown[]).includes(c.reason)) return "unknown reason";
  if (!isInt(c.ts, 0, MAX_TS)) return "ts is out of range";
  if (!isInt(c.teamVersion, 0, MAX_EPOCH)) return "teamVersion is out of range";
  if (typeof c.sig !== "string" || !SIGNATURE.test(c.sig)) return "sig is not a signature";
  if (c.teamVersion === 0 ? c.teamSig !== "" : !(typeof c.teamSig === "string" && SIGNATURE.test(c.teamSig))) {
    return "teamSig must be a signature exactly when teamVersion is set";
  }
  return undefined;
}

/** Code-unit order; ids are ASCII, so this is also byte order. */
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const strictlyAscending = (ids: readonly string[]) => ids.every((id, i) => i === 0 || (ids[i - 1] ?? "") < id);

/** base64url BLAKE2b-256 of the commit's canonical encoding, signature included: the next commit's `prevHash`. */
export async function commitHash(commit: EpochCommit): Promise<string> {
  const sodium = await loadSodium();
  return toBase64Url(sodium.crypto_generichash(32, encodeCommitForHash(commit), null));
}

/** What {@link buildCommit} needs. */
export interface BuildCommitOptions {
  /** The committing device: signs the commit. */
  identity: DeviceIdentity;
  /** The principal the committing device belongs to. */
  principalId: string;
  /** The conversation. */
  convId: string;
  /** The verified head this commit follows; undefined for the first commit (epoch 1). */
  prev: EpochCommit | undefined;
  /** The members of the new epoch and the device records (pinned, verified) that get its key. */
  members: Array<{
    /** A member of the new epoch. */
    principalId: string;
    /** That member's devices that get the key. */
    devices: DeviceRecord[];
  }>;
  /** The shop team's X25519 public key; when given, the epoch key is also sealed to it. */
  teamBoxPk?: Uint8Array;
  /**
   * The team key version of `teamBoxPk`: given, the commit is format 2 and says which version its
   * team wrap is sealed to (`teamWrapVersion`). Without it the commit is format 1.
   */
  teamWrapVersion?: number;
  /** The history policy to carry (signed; no longer decides history grants: each invite's choice does). */
  historyPolicy: HistoryPolicy;
  /** Why this epoch is committed. */
  reason: CommitReason;
  /**
   * The commit's timestamp, ms.
   * @default Date.now()
   */
  now?: number;
  /** Team members: the team key (version and Ed25519 secret key) that co-signs, proving the committer is on the team. */
  teamSigner?: {
    /** The team key version. */
    version: number;
    /** Its Ed25519 secret key. */
    signSk: Uint8Array;
  };
}

/**
 * Makes the next commit: a fresh epoch key sealed to every listed device and
 * the team key, members and wraps sorted by id, signed by `identity`. Returns
 * the key too, so the committer need not open its own wrap. Throws
 * `RangeError` on caller errors: a device listed under another principal, a
 * principal or device listed twice, a convId other than `prev`'s, or a result
 * that would not pass the commit schema.
 */
export async function buildCommit(options: BuildCommitOptions): Promise<{
  /** The signed commit, to send with `epoch.commit`. */
  commit: EpochCommit;
  /** The new epoch key (32 bytes), to keep once the commit is accepted. */
  epochKey: Uint8Array;
}> {
  const { identity, principalId, convId, prev, teamBoxPk, historyPolicy, reason } = options;
  if (prev && prev.convId !== convId) throw new RangeError("prev belongs to another conversation");
  const seenPrincipals = new Set<string>();
  const seenDevices = new Set<string>();
  for (const member of options.members) {
    if (seenPrincipals.has(member.principalId)) throw new RangeError(`member ${member.principalId} listed twice`);
    seenPrincipals.add(member.principalId);
    for (const device of member.devices) {
      if (device.principal !== member.principalId) {
        throw new RangeError(`device ${device.deviceId} belongs to ${device.principal}, not ${member.principalId}`);
      }
      if (seenDevices.has(device.deviceId)) throw new RangeError(`device ${device.deviceId} listed twice`);
      seenDevices.add(device.deviceId);
    }
  }

  const sodium = await loadSodium();
  const epochKey = createEpochKey();
  const members = [...options.members]
    .sort((a, b) => byId(a.principalId, b.principalId))
    .map((m) => ({ principalId: m.principalId, deviceIds: m.devices.map((d) => d.deviceId).sort(byId) }));
  const devices = options.members.flatMap((m) => m.devices).sort((a, b) => byId(a.deviceId, b.deviceId));
  const wraps: EpochCommit["wraps"] = [];
  for (const device of devices) {
    const sealed = await sealEpochKey(epochKey, fromBase64Url(device.boxPk));
    wraps.push({ deviceId: device.deviceId, sealed: toBase64Url(sealed) });
  }
  const unsigned: Omit<EpochCommit, "sig" | "teamSig"> = {
    v: options.teamWrapVersion === undefined ? 1 : 2,
    convId,
    epoch: prev ? prev.epoch + 1 : 1,
    prevHash: prev ? await commitHash(prev) : "",
    committer: { principalId, deviceId: identity.deviceId },
    members,
    wraps,
    teamWrap: teamBoxPk ? toBase64Url(await sealEpochKey(epochKey, teamBoxPk)) : "",
    historyPolicy,
    reason,
    ts: options.now ?? Date.now(),
    teamVersion: options.teamSigner?.version ?? 0,
    ...(options.teamWrapVersion === undefined ? {} : { teamWrapVersion: teamBoxPk ? options.teamWrapVersion : 0 }),
  };
  const input = encodeCommitForSignature(unsigned);
  const sig = sodium.crypto_sign_detached(input, identity.sign.secretKey);
  const teamSig = options.teamSigner ? sodium.crypto_sign_detached(input, options.teamSigner.signSk) : undefined;
  const { teamWrapVersion, ...v1 } = unsigned;
  const signatures = { sig: toBase64Url(sig), teamSig: teamSig ? toBase64Url(teamSig) : "" };
  // Key order matches the schema's: format 2 appends teamWrapVersion after the signatures.
  const commit: EpochCommit =
    teamWrapVersion === undefined ? { ...v1, ...signatures } : { ...v1, ...signatures, teamWrapVersion };
  const problem = commitShapeProblem(commit);
  if (problem) throw new RangeError(`cannot build this commit: ${problem}`);
  return { commit, epochKey };
}

/** What {@link verifyCommit} checks a commit against. */
export interface VerifyCommitOptions {
  /** The verified commit this one must follow; undefined when it must be epoch 1. */
  prev: EpochCommit | undefined;
  /** The pinned record of the committer device (from the device directory), or undefined when unknown. */
  committerDevice: DeviceRecord | undefined;
  /**
   * The Ed25519 public key of the shop's team key `version`, from a record
   * this device verified and pinned; undefined when unknown. A commit whose
   * committer is not a listed member must carry a team signature that
   * verifies under it.
   */
  teamSigPk?: (version: number) => Uint8Array | undefined;
  /**
   * The members whose principals may commit without a team signature, when
   * they are not `prev`'s: `prev` was skipped as invalid (`EpochKeyring.skip`),
   * so the last valid commit's members decide, or the commit's own (as for
   * epoch 1) when `null`: no commit before it was valid.
   * @default `prev`'s members (the commit's own for epoch 1)
   */
  authority?: EpochCommit["members"] | null;
}

/**
 * Checks `commit` against the previous one and the committer's pinned device;
 * resolves when every check passes, rejects with {@link CommitError} at the
 * first that fails, in this order: bad_shape, bad_chain, unknown_committer,
 * bad_signature, not_a_member, bad_wraps.
 */
export async function verifyCommit(commit: unknown, options: VerifyCommitOptions): Promise<void> {
  const problem = commitShapeProblem(commit);
  if (problem) throw new CommitError("bad_shape", problem);
  const c = commit as EpochCommit;
  if (!strictlyAscending(c.members.map((m) => m.principalId))) {
    throw new CommitError("bad_shape", "members are not sorted by principal id, or repeat one");
  }

  const { prev, committerDevice, teamSigPk = () => undefined } = options;
  if (prev) {
    if (c.convId !== prev.convId) throw new CommitError("bad_chain", "another conversation");
    if (c.epoch !== prev.epoch + 1)
      throw new CommitError("bad_chain", `epoch ${c.epoch} does not follow ${prev.epoch}`);
    if (c.prevHash !== (await commitHash(prev))) throw new CommitError("bad_chain", "prevHash does not match");
  } else if (c.epoch !== 1 || c.prevHash !== "") {
    throw new CommitError("bad_chain", "the first commit must be epoch 1 with an empty prevHash");
  }

  if (
    !committerDevice ||
    committerDevice.principal !== c.committer.principalId ||
    committerDevice.deviceId !== c.committer.deviceId ||
    !(await verifyDeviceRecord(committerDevice))
  ) {
    throw new CommitError("unknown_committer", `${c.committer.principalId}/${c.committer.deviceId}`);
  }

  const sodium = await loadSodium();
  const { sig, teamSig, ...unsigned } = c;
  const input = encodeCommitForSignature(unsigned);
  let signed = false;
  try {
    signed = sodium.crypto_sign_verify_detached(fromBase64Url(sig), input, fromBase64Url(committerDevice.sigPk));
  } catch (cause) {
    throw new CommitError("bad_signature", undefined, { cause });
  }
  if (!signed) throw new CommitError("bad_signature");

  if (c.teamVersion > 0) {
    // A team commit: the team key must vouch for it, whether or not the committer is also listed.
    const teamPk = teamSigPk(c.teamVersion);
    let vouched = false;
    try {
      vouched = teamPk !== undefined && sodium.crypto_sign_verify_detached(fromBase64Url(teamSig), input, teamPk);
    } catch {
      vouched = false;
    }
    if (!vouched) throw new CommitError("not_a_member", `${c.committer.principalId} (team key ${c.teamVersion})`);
  } else {
    const authority =
      options.authority === undefined ? (prev ? prev.members : c.members) : (options.authority ?? c.members);
    if (!authority.some((m) => m.principalId === c.committer.principalId)) {
      throw new CommitError("not_a_member", c.committer.principalId);
    }
  }

  const listed: string[] = [];
  for (const member of c.members) {
    if (!strictlyAscending(member.deviceIds)) {
      throw new CommitError("bad_wraps", `devices of ${member.principalId} are not sorted, or repeat one`);
    }
    listed.push(...member.deviceIds);
  }
  listed.sort(byId);
  if (!strictlyAscending(listed)) throw new CommitError("bad_wraps", "a device is listed under two members");
  const wrapped = c.wraps.map((w) => w.deviceId);
  if (!strictlyAscending(wrapped)) throw new CommitError("bad_wraps", "wraps are not sorted, or repeat a device");
  if (wrapped.length !== listed.length || wrapped.some((id, i) => id !== listed[i])) {
    throw new CommitError("bad_wraps", "wraps and listed devices differ");
  }
}

/**
 * Whether `commit` carries a valid signature by `device`, the pinned record of
 * its committer device. Only the signature: for an older commit that already
 * hash-chains to a verified one (older-commits.ts), so that a commit a member
 * skipped as invalid and then committed over is not taken as verified.
 */
export async function commitSignedBy(commit: EpochCommit, device: DeviceRecord): Promise<boolean> {
  if (device.principal !== commit.committer.principalId || device.deviceId !== commit.committer.deviceId) return false;
  if (!(await verifyDeviceRecord(device))) return false;
  const sodium = await loadSodium();
  const { sig, teamSig, ...unsigned } = commit;
  try {
    return sodium.crypto_sign_verify_detached(
      fromBase64Url(sig),
      encodeCommitForSignature(unsigned),
      fromBase64Url(device.sigPk),
    );
  } catch {
    return false;
  }
}

export type { TeamBoxKey } from "./team-wraps.js";

/**
 * The epoch key of a verified commit for this device: its own wrap, else the
 * team wrap when `teamKey` is given, else undefined (this device was not given
 * the key). A wrap that is there but does not open rejects with
 * `CommitError("bad_wraps")`: the committer sealed garbage or to other keys.
 */
export async function openCommitKey(
  commit: EpochCommit,
  identity: DeviceIdentity,
  teamKey?: TeamBoxKey | readonly TeamBoxKey[],
): Promise<Uint8Array | undefined> {
  const own = commit.wraps.find((w) => w.deviceId === identity.deviceId);
  try {
    if (own) return await openEpochKey(fromBase64Url(own.sealed), identity.box);
    const candidates = teamKey && commit.teamWrap !== "" ? teamKeysFor(commit, teamKey) : [];
    // Format 1 says not which version sealed it: every held version but the last may fail.
    for (const [i, key] of candidates.entries()) {
      try {
        return await openEpochKey(fromBase64Url(commit.teamWrap), { publicKey: key.boxPk, secretKey: key.boxSk });
      } catch (cause) {
        if (!(cause instanceof DecryptError) || i === candidates.length - 1) throw cause;
      }
    }
  } catch (cause) {
    if (cause instanceof DecryptError) {
      throw new CommitError("bad_wraps", own ? "this device's wrap does not open" : "the team wrap does not open", {
        cause,
      });
    }
    throw cause;
  }
  return undefined;
}
