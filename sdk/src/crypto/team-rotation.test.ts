/**
 * Team-key rotation in the crypto layer: a record of version n + 1 vouched for
 * by version n (`prevSig`), and commit format 2, which says which team key
 * version its team wrap is sealed to (`teamWrapVersion`), beside format 1.
 */
import { describe, expect, it } from "vitest";
import type { EpochCommit } from "../protocol/models.js";
import { epochCommitSchema, teamKeyRecordSchema } from "../protocol/schemas.js";
import { encodeCommitForSignature } from "./canonical.js";
import { buildCommit, CommitError, commitShapeProblem, openCommitKey, verifyCommit } from "./commits.js";
import { createDeviceIdentity, signDeviceRecord } from "./device-keys.js";
import { createTeamKey, verifyTeamKeyRotation } from "./team-key.js";

const SHOP = "s_rotation00000000000000";
const CONV = "c_rotation00000000000000";
const admin = await createDeviceIdentity();
const key = (version: number, previous?: Awaited<ReturnType<typeof createTeamKey>>) =>
  createTeamKey({
    identity: admin,
    principalId: "p_admin",
    shopId: SHOP,
    version,
    ...(previous ? { previous } : {}),
  });

describe("team key records across a rotation", () => {
  it("vouches for version n + 1 with version n's key; nothing else verifies as its vouch", async () => {
    const v1 = await key(1);
    const v2 = await key(2, v1);
    expect(v1.record.prevSig).toBeUndefined();
    expect(teamKeyRecordSchema.safeParse(v2.record).success).toBe(true);
    expect(await verifyTeamKeyRotation(v2.record, v1.record)).toBe(true);
    const other = await key(1);
    expect(await verifyTeamKeyRotation(v2.record, other.record)).toBe(false);
    expect(await verifyTeamKeyRotation({ ...v2.record, ts: v2.record.ts + 1 }, v1.record)).toBe(false);
    expect(await verifyTeamKeyRotation({ ...v2.record, version: 3 }, v1.record)).toBe(false);
    const { prevSig: _gone, ...bare } = v2.record;
    expect(await verifyTeamKeyRotation(bare, v1.record)).toBe(false);
    const v3 = await key(3, v2);
    expect(await verifyTeamKeyRotation(v3.record, v2.record)).toBe(true);
    expect(await verifyTeamKeyRotation(v3.record, v1.record)).toBe(false);
  });

  it("refuses to make a rotation that skips a version or changes shop", async () => {
    const v1 = await key(1);
    await expect(key(3, v1)).rejects.toThrow(RangeError);
  });
});

describe("commit format 2", () => {
  const member = async () => {
    const identity = await createDeviceIdentity();
    return { identity, record: await signDeviceRecord(identity, "p_alice") };
  };

  it("signs teamWrapVersion, passes both shape checks, and a reader opens the team wrap with that version only", async () => {
    const alice = await member();
    const v1 = await key(1);
    const v2 = await key(2, v1);
    const built = await buildCommit({
      identity: alice.identity,
      principalId: "p_alice",
      convId: CONV,
      prev: undefined,
      members: [{ principalId: "p_alice", devices: [alice.record] }],
      teamBoxPk: v2.secret.boxPk,
      teamWrapVersion: 2,
      historyPolicy: "none",
      reason: "create",
    });
    const { commit } = built;
    expect(commit.v).toBe(2);
    expect(commit.teamWrapVersion).toBe(2);
    expect(commitShapeProblem(commit)).toBeUndefined();
    expect(epochCommitSchema.safeParse(commit).success).toBe(true);
    await verifyCommit(commit, { prev: undefined, committerDevice: alice.record });
    // The version is signed: changing it breaks the signature.
    const relabelled: EpochCommit = { ...commit, teamWrapVersion: 1 };
    await expect(verifyCommit(relabelled, { prev: undefined, committerDevice: alice.record })).rejects.toThrow();
    // Formats never share an encoding; each needs exactly its own fields.
    const { teamWrapVersion: _v, ...asV1 } = commit;
    const { sig: _s, teamSig: _t, ...unsigned } = commit;
    const { sig: _s1, teamSig: _t1, ...unsignedV1 } = { ...asV1, v: 1 as const };
    expect(encodeCommitForSignature(unsigned)).not.toEqual(encodeCommitForSignature(unsignedV1));
    expect(commitShapeProblem({ ...asV1 })).toBeDefined();
    expect(commitShapeProblem({ ...commit, v: 1 })).toBeDefined();
    expect(epochCommitSchema.safeParse({ ...asV1 }).success).toBe(false);
    expect(epochCommitSchema.safeParse({ ...commit, v: 1 }).success).toBe(false);

    const other = await createDeviceIdentity();
    const held = [
      { boxPk: v1.secret.boxPk, boxSk: v1.secret.boxSk, version: 1 },
      { boxPk: v2.secret.boxPk, boxSk: v2.secret.boxSk, version: 2 },
    ];
    expect(await openCommitKey(commit, other, held)).toEqual(built.epochKey);
    // Holding only version 1 (a removed agent): nothing to try.
    expect(await openCommitKey(commit, other, [held[0] as (typeof held)[0]])).toBeUndefined();
  });

  it("a format-1 commit's team wrap opens with whichever held version sealed it", async () => {
    const alice = await member();
    const v1 = await key(1);
    const v2 = await key(2, v1);
    const built = await buildCommit({
      identity: alice.identity,
      principalId: "p_alice",
      convId: CONV,
      prev: undefined,
      members: [{ principalId: "p_alice", devices: [alice.record] }],
      teamBoxPk: v1.secret.boxPk,
      historyPolicy: "none",
      reason: "create",
    });
    expect(built.commit.v).toBe(1);
    expect(Object.hasOwn(built.commit, "teamWrapVersion")).toBe(false);
    const other = await createDeviceIdentity();
    const held = [
      { boxPk: v2.secret.boxPk, boxSk: v2.secret.boxSk, version: 2 },
      { boxPk: v1.secret.boxPk, boxSk: v1.secret.boxSk, version: 1 },
    ];
    expect(await openCommitKey(built.commit, other, held)).toEqual(built.epochKey);
    await expect(openCommitKey(built.commit, other, [held[0] as (typeof held)[0]])).rejects.toBeInstanceOf(CommitError);
  });
});
