/**
 * What the gateway checks of an epoch commit before it stores it (issue 17,
 * item 5): everything that needs no content, with the SDK's own verifier
 * (`verifyCommit` from `@parley/sdk/crypto`: pure, libsodium only) run against
 * what the gateway stores instead of a client's pins.
 *
 * - `bad_commit`: the shape; `prevHash` and epoch continuity with the stored
 *   head; the signature by the committer's registered, self-signed device; the
 *   committer listed in the head (or, for a team commit, the team key's
 *   signature under the stored team key record of that version); one wrap per
 *   listed device, no device under two members; more than `maxDevices`
 *   devices for a member.
 * - `conflict` (the committer's view is stale: fetch and commit again, as the
 *   SDK does): the listed principals are not exactly the conversation's
 *   current customers and guests, or a listed device is not (or no longer) a
 *   registered, signed device of its principal.
 *
 * Members still verify every commit against their own pins: the gateway's
 * device records are its word, a client's are pinned.
 */
import { CommitError, verifyCommit } from "@parley/sdk/crypto";
import { fromBase64Url } from "@parley/sdk/internal";
import { type EpochCommit, isTeamRole, type DeviceRecord as SignedDevice } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type {
  ConversationRecord,
  DeviceRecord,
  DeviceStore,
  EpochStore,
  MemberRecord,
  TeamKeyStore,
} from "../store/port.js";

/** What {@link checkCommit} checks a commit against. */
export interface CommitCheckInput {
  /** The conversation as read before the commit (its `epoch` is the stored head). */
  conv: ConversationRecord;
  /** Its current members. */
  members: readonly MemberRecord[];
  /** The commit to check (already through `epochCommitSchema`). */
  commit: EpochCommit;
  /** The committer's registered, signed device record. */
  committer: DeviceRecord & { sig: string };
  /** Devices a commit may list per member. */
  maxDevices: number;
}

/** Resolves when `commit` may be appended; rejects with `bad_commit` or `conflict` (see the module comment). */
export async function checkCommit(store: EpochStore & DeviceStore & TeamKeyStore, input: CommitCheckInput) {
  const { conv, members, commit, committer, maxDevices } = input;
  const prev = conv.epoch === 0 ? undefined : (await store.listCommits(conv.id, conv.epoch - 1, 1))[0];
  if (conv.epoch > 0 && prev?.epoch !== conv.epoch) {
    throw new GatewayError("unavailable", `the stored head commit ${conv.epoch} cannot be read`);
  }
  const team = commit.teamVersion > 0 ? await store.getTeamKey(conv.shopId, commit.teamVersion) : undefined;
  const teamSigPk = team ? fromBase64Url(team.sigPk) : undefined;
  const device: SignedDevice = {
    principal: committer.principalId,
    deviceId: committer.deviceId,
    sigPk: committer.sigPk,
    boxPk: committer.boxPk,
    sig: committer.sig,
  };
  try {
    await verifyCommit(commit, {
      prev,
      committerDevice: device,
      teamSigPk: (version) => (version === commit.teamVersion ? teamSigPk : undefined),
    });
  } catch (err) {
    if (err instanceof CommitError) throw new GatewayError("bad_commit", `${err.reason}: ${err.message}`);
    throw err;
  }
  for (const m of commit.members) {
    if (m.deviceIds.length > maxDevices) {
      throw new GatewayError("bad_commit", `${m.principalId} is listed with more than ${maxDevices} devices`);
    }
  }

  const expected = members
    .filter((m) => !isTeamRole(m.role))
    .map((m) => m.principalId)
    .sort();
  const listed = commit.members.map((m) => m.principalId); // sorted: verifyCommit checked
  if (expected.length !== listed.length || expected.some((id, i) => id !== listed[i])) {
    throw new GatewayError("conflict", "the commit does not list the conversation's members: fetch them, commit again");
  }
  for (const m of commit.members) {
    if (m.deviceIds.length === 0) continue;
    const registered = new Set(
      (await store.listDevices(m.principalId)).filter((d) => d.sig !== undefined).map((d) => d.deviceId),
    );
    const missing = m.deviceIds.find((id) => !registered.has(id));
    if (missing !== undefined) {
      throw new GatewayError("conflict", `device ${missing} is not a registered device of ${m.principalId}`);
    }
  }
}
