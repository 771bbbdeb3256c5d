import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../base64url.js";
import type { DeviceRecord, EpochCommit } from "../protocol/models.js";
import { epochCommitSchema } from "../protocol/schemas.js";
import { encodeCommitForHash, encodeCommitForSignature } from "./canonical.js";
import {
  buildCommit,
  CommitError,
  type CommitFailure,
  commitHash,
  commitShapeProblem,
  openCommitKey,
  type VerifyCommitOptions,
  verifyCommit,
} from "./commits.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "./device-keys.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import { createEpochKey, sealEpochKey } from "./seal-box.js";
import { loadSodium } from "./sodium.js";

const sodium = await loadSodium();
const CONV = "c_commits0000000000000000";

interface Device {
  identity: DeviceIdentity;
  record: DeviceRecord;
}
const device = async (principal: string): Promise<Device> => {
  const identity = await createDeviceIdentity();
  return { identity, record: await signDeviceRecord(identity, principal) };
};
const alice = [await device("p_alice"), await device("p_alice")];
const bob = [await device("p_bob")];
const carol = [await device("p_carol")];
const mallory = [await device("p_mallory")];
const agent = await device("p_agent");
const team = sodium.crypto_box_keypair();

const alice0 = alice[0] as Device;
const bob0 = bob[0] as Device;
const carol0 = carol[0] as Device;
const mallory0 = mallory[0] as Device;

const membersOf = (...groups: Device[][]) =>
  groups.map((g) => ({ principalId: (g[0] as Device).record.principal, devices: g.map((d) => d.record) }));

async function build(
  by: Device,
  prev: EpochCommit | undefined,
  members: ReturnType<typeof membersOf>,
  extra: {
    teamBoxPk?: Uint8Array;
    reason?: EpochCommit["reason"];
    teamSigner?: { version: number; signSk: Uint8Array };
  } = {},
) {
  return buildCommit({
    identity: by.identity,
    principalId: by.record.principal,
    convId: CONV,
    prev,
    members,
    historyPolicy: "none",
    reason: extra.reason ?? (prev ? "add" : "create"),
    now: 1_700_000_000_000,
    ...(extra.teamBoxPk ? { teamBoxPk: extra.teamBoxPk } : {}),
    ...(extra.teamSigner ? { teamSigner: extra.teamSigner } : {}),
  });
}

/** Signs `commit` again with `by`, as a committer who can sign but lies about the content would. */
function resign(commit: EpochCommit, by: Device): EpochCommit {
  const { sig: _sig, ...unsigned } = commit;
  const sig = sodium.crypto_sign_detached(encodeCommitForSignature(unsigned), by.identity.sign.secretKey);
  return { ...unsigned, sig: toBase64Url(sig) };
}

async function failure(commit: unknown, options: VerifyCommitOptions): Promise<CommitFailure> {
  try {
    await verifyCommit(commit, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CommitError);
    return (error as CommitError).reason;
  }
  throw new Error(`accepted: ${JSON.stringify(commit).slice(0, 200)}`);
}

/** Every single-bit flip of an id's UTF-8 bytes (some leave the id alphabet: those must fail the shape check). */
function flipIdBits(id: string): string[] {
  const bytes = new TextEncoder().encode(id);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const flipped = bytes.slice();
      flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
      out.push(new TextDecoder().decode(flipped));
    }
  }
  return out;
}

const first = await build(alice0, undefined, membersOf(alice, bob));
const second = await build(bob0, first.commit, membersOf(alice, bob, carol));
const ok = (prev: EpochCommit | undefined, by: Device) => ({ prev, committerDevice: by.record });

describe("buildCommit and verifyCommit", () => {
  it("round-trips: every listed device opens the same fresh key, others get nothing", async () => {
    await verifyCommit(first.commit, ok(undefined, alice0));
    await verifyCommit(second.commit, ok(first.commit, bob0));
    expect(first.commit).toMatchObject({ v: 1, convId: CONV, epoch: 1, prevHash: "", teamWrap: "", reason: "create" });
    expect(second.commit.epoch).toBe(2);
    expect(second.commit.prevHash).toBe(await commitHash(first.commit));
    expect(second.commit.prevHash).toBe(
      toBase64Url(sodium.crypto_generichash(32, encodeCommitForHash(first.commit), null)),
    );
    expect(first.epochKey).toHaveLength(32);
    expect(second.epochKey).not.toEqual(first.epochKey);
    for (const d of [...alice, ...bob, ...carol]) {
      expect(await openCommitKey(second.commit, d.identity)).toEqual(second.epochKey);
    }
    expect(await openCommitKey(first.commit, carol0.identity)).toBeUndefined();
    expect(await openCommitKey(second.commit, mallory0.identity)).toBeUndefined();
    expect(
      await openCommitKey(second.commit, mallory0.identity, { boxPk: team.publicKey, boxSk: team.privateKey }),
    ).toBeUndefined();
    expect(epochCommitSchema.safeParse(second.commit).success).toBe(true);
    expect(second.commit.wraps[0]?.sealed).toHaveLength(107);
  });

  it("sorts members, device ids and wraps by id whatever the input order", async () => {
    const shuffled = [
      { principalId: "p_carol", devices: carol.map((d) => d.record) },
      { principalId: "p_alice", devices: [...alice].reverse().map((d) => d.record) },
      { principalId: "p_bob", devices: bob.map((d) => d.record) },
    ];
    const { commit } = await build(alice0, undefined, shuffled);
    const sorted = (ids: string[]) => [...ids].sort((a, b) => (a < b ? -1 : 1));
    expect(commit.members.map((m) => m.principalId)).toEqual(["p_alice", "p_bob", "p_carol"]);
    for (const m of commit.members) expect(m.deviceIds).toEqual(sorted(m.deviceIds));
    const deviceIds = commit.members.flatMap((m) => m.deviceIds);
    expect(commit.wraps.map((w) => w.deviceId)).toEqual(sorted(deviceIds));
    await verifyCommit(commit, ok(undefined, alice0));
  });

  it("seals to the team key; an agent device opens the team wrap and commits with the team key's signature", async () => {
    const teamKey = { boxPk: team.publicKey, boxSk: team.privateKey };
    const teamSign = sodium.crypto_sign_keypair();
    const otherSign = sodium.crypto_sign_keypair();
    const teamSigPk = (version: number) => (version === 3 ? teamSign.publicKey : undefined);
    const withTeam = await build(alice0, undefined, membersOf(alice, bob), { teamBoxPk: team.publicKey });
    expect(withTeam.commit.teamWrap).toHaveLength(107);
    expect(withTeam.commit).toMatchObject({ teamVersion: 0, teamSig: "" });
    expect(await openCommitKey(withTeam.commit, agent.identity, teamKey)).toEqual(withTeam.epochKey);
    expect(await openCommitKey(withTeam.commit, agent.identity)).toBeUndefined();
    // Without the team's signature an agent is just a non-member.
    const unsigned = await build(agent, withTeam.commit, membersOf(alice, bob), { reason: "rotate" });
    expect(await failure(unsigned.commit, { ...ok(withTeam.commit, agent), teamSigPk })).toBe("not_a_member");
    const byAgent = await build(agent, withTeam.commit, membersOf(alice, bob), {
      teamBoxPk: team.publicKey,
      reason: "rotate",
      teamSigner: { version: 3, signSk: teamSign.privateKey },
    });
    await verifyCommit(byAgent.commit, { ...ok(withTeam.commit, agent), teamSigPk });
    expect(await openCommitKey(byAgent.commit, agent.identity, teamKey)).toEqual(byAgent.epochKey);
    // The team version must be one the verifier pinned, and the signature must be that key's.
    expect(await failure(byAgent.commit, ok(withTeam.commit, agent))).toBe("not_a_member");
    const forged = await build(agent, withTeam.commit, membersOf(alice, bob), {
      reason: "rotate",
      teamSigner: { version: 3, signSk: otherSign.privateKey },
    });
    expect(await failure(forged.commit, { ...ok(withTeam.commit, agent), teamSigPk })).toBe("not_a_member");
    // The team signature covers the version: moving it to another version breaks the device signature first.
    expect(await failure({ ...byAgent.commit, teamVersion: 4 }, { ...ok(withTeam.commit, agent), teamSigPk })).toBe(
      "bad_signature",
    );
    expect(await failure({ ...byAgent.commit, teamSig: "" }, { ...ok(withTeam.commit, agent), teamSigPk })).toBe(
      "bad_shape",
    );
  });

  it("refuses caller errors when building", async () => {
    const wrongOwner = [{ principalId: "p_bob", devices: [alice0.record] }];
    await expect(build(alice0, undefined, wrongOwner)).rejects.toThrow(RangeError);
    await expect(
      build(alice0, undefined, [...membersOf(alice), { principalId: "p_alice", devices: [] }]),
    ).rejects.toThrow(RangeError);
    await expect(
      build(alice0, undefined, [{ principalId: "p_alice", devices: [alice0.record, alice0.record] }]),
    ).rejects.toThrow(RangeError);
    await expect(
      buildCommit({
        identity: alice0.identity,
        principalId: "p_alice",
        convId: "c_other",
        prev: first.commit,
        members: membersOf(alice),
        historyPolicy: "none",
        reason: "rotate",
      }),
    ).rejects.toThrow(RangeError);
    await expect(build(alice0, undefined, [{ principalId: "bad id", devices: [] }])).rejects.toThrow(RangeError);
  });
});

describe("tampering with a commit", () => {
  it("rejects every single-bit flip of the signature, prevHash, epoch, member ids and wraps", async () => {
    const { commit } = second;
    const prev = first.commit;
    const counts = { sig: 0, prevHash: 0, epoch: 0, members: 0, wraps: 0 };
    const reasons: Record<string, number> = {};
    const tries: [keyof typeof counts, unknown][] = [];
    for (const sig of flipEveryBit(commit.sig)) tries.push(["sig", { ...commit, sig }]);
    for (const prevHash of flipEveryBit(commit.prevHash)) tries.push(["prevHash", { ...commit, prevHash }]);
    for (let bit = 0; bit < 64; bit++) {
      const epoch = commit.epoch + (Math.floor(commit.epoch / 2 ** bit) % 2 === 1 ? -1 : 1) * 2 ** bit;
      tries.push(["epoch", { ...commit, epoch }]);
    }
    commit.members.forEach((member, i) => {
      const at = (m: EpochCommit["members"][number]) => commit.members.map((x, j) => (j === i ? m : x));
      for (const principalId of flipIdBits(member.principalId)) {
        tries.push(["members", { ...commit, members: at({ ...member, principalId }) }]);
      }
      member.deviceIds.forEach((deviceId, k) => {
        for (const flipped of flipIdBits(deviceId)) {
          const deviceIds = member.deviceIds.map((d, n) => (n === k ? flipped : d));
          tries.push(["members", { ...commit, members: at({ ...member, deviceIds }) }]);
        }
      });
    });
    commit.wraps.forEach((wrap, i) => {
      const at = (w: EpochCommit["wraps"][number]) => commit.wraps.map((x, j) => (j === i ? w : x));
      for (const sealed of flipEveryBit(wrap.sealed))
        tries.push(["wraps", { ...commit, wraps: at({ ...wrap, sealed }) }]);
      for (const deviceId of flipIdBits(wrap.deviceId)) {
        tries.push(["wraps", { ...commit, wraps: at({ ...wrap, deviceId }) }]);
      }
    });
    for (const [part, tampered] of tries) {
      const reason = await failure(tampered, ok(prev, bob0));
      reasons[reason] = (reasons[reason] ?? 0) + 1;
      counts[part]++;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`commit bit flips: ${total} tried, 0 accepted`, counts, reasons);
    expect(counts.sig).toBe(64 * 8);
    expect(counts.prevHash).toBe(32 * 8);
    expect(counts.wraps).toBe(commit.wraps.length * (80 * 8 + 22 * 8 + 2 * 8));
    expect(total).toBeGreaterThan(3000);
  });

  it("rejects a change to any other signed field, and a signature by another device", async () => {
    const { commit } = second;
    const changed: Partial<EpochCommit>[] = [
      { convId: "c_commits0000000000000001" },
      { committer: { principalId: "p_bob", deviceId: alice0.identity.deviceId } },
      { teamWrap: toBase64Url(await sealEpochKey(second.epochKey, team.publicKey)) },
      { historyPolicy: "full" },
      { reason: "rotate" },
      { ts: commit.ts + 1 },
      { members: commit.members.slice(0, 2), wraps: commit.wraps.filter((w) => w.deviceId !== carol0.record.deviceId) },
    ];
    for (const change of changed) {
      expect(await failure({ ...commit, ...change }, ok(first.commit, bob0))).toMatch(
        /^(bad_signature|bad_chain|unknown_committer)$/,
      );
    }
    expect(await failure(resign(commit, carol0), ok(first.commit, bob0))).toBe("bad_signature");
    // A signature made for the hash encoding (another label) does not verify as a commit signature.
    const hashSig = sodium.crypto_sign_detached(encodeCommitForHash(commit), bob0.identity.sign.secretKey);
    expect(await failure({ ...commit, sig: toBase64Url(hashSig) }, ok(first.commit, bob0))).toBe("bad_signature");
  });

  it("refuses a commit signed by a device of a non-member (not_a_member)", async () => {
    const byMallory = await build(mallory0, first.commit, membersOf(alice, bob, mallory));
    expect(await failure(byMallory.commit, ok(first.commit, mallory0))).toBe("not_a_member");
    // Listing itself in the new epoch does not help: authority comes from the previous epoch.
    expect(byMallory.commit.members.some((m) => m.principalId === "p_mallory")).toBe(true);
    const create = await build(mallory0, undefined, membersOf(alice, bob));
    expect(await failure(create.commit, ok(undefined, mallory0))).toBe("not_a_member");
    // Carol became a member at epoch 2, not before: she may commit epoch 3 but could not have committed epoch 2.
    const byCarol = await build(carol0, first.commit, membersOf(alice, bob, carol));
    expect(await failure(byCarol.commit, ok(first.commit, carol0))).toBe("not_a_member");
    const third = await build(carol0, second.commit, membersOf(alice, carol), { reason: "remove" });
    await verifyCommit(third.commit, ok(second.commit, carol0));
  });

  it("refuses an unknown, mismatched or forged committer record (unknown_committer)", async () => {
    const { commit } = second;
    const prev = first.commit;
    expect(await failure(commit, { prev, committerDevice: undefined })).toBe("unknown_committer");
    expect(await failure(commit, { prev, committerDevice: alice0.record })).toBe("unknown_committer");
    const sameIdOtherPrincipal = await signDeviceRecord(bob0.identity, "p_alice");
    expect(await failure(commit, { prev, committerDevice: sameIdOtherPrincipal })).toBe("unknown_committer");
    const forged = { ...bob0.record, sigPk: mallory0.record.sigPk };
    expect(await failure(commit, { prev, committerDevice: forged })).toBe("unknown_committer");
  });

  it("refuses a broken chain: wrong epoch, wrong prevHash, another conversation, a first commit with a prevHash", async () => {
    const { commit } = second;
    expect(await failure(commit, ok(undefined, bob0))).toBe("bad_chain");
    expect(await failure(first.commit, ok(first.commit, alice0))).toBe("bad_chain");
    expect(await failure(commit, ok(commit, bob0))).toBe("bad_chain");
    const otherFirst = await build(alice0, undefined, membersOf(alice, bob));
    expect(await failure(commit, ok(otherFirst.commit, bob0))).toBe("bad_chain");
    const prevHash = await commitHash(first.commit);
    expect(await failure(resign({ ...first.commit, prevHash }, alice0), ok(undefined, alice0))).toBe("bad_chain");
    const skip = resign({ ...commit, epoch: 3 }, bob0);
    expect(await failure(skip, ok(first.commit, bob0))).toBe("bad_chain");
    const otherConv = resign({ ...commit, convId: "c_other" }, bob0);
    expect(await failure(otherConv, ok(first.commit, bob0))).toBe("bad_chain");
  });

  it("refuses wraps that do not match the listed devices one to one, in order (bad_wraps)", async () => {
    const { commit } = second;
    const prev = first.commit;
    const extra = { deviceId: mallory0.record.deviceId, sealed: commit.wraps[0]?.sealed ?? "" };
    const sortWraps = (wraps: EpochCommit["wraps"]) => [...wraps].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
    const bad: EpochCommit[] = [
      { ...commit, wraps: sortWraps([...commit.wraps, extra]) },
      { ...commit, wraps: commit.wraps.slice(1) },
      { ...commit, wraps: [...commit.wraps, commit.wraps.at(-1) as EpochCommit["wraps"][number]] },
      { ...commit, wraps: [...commit.wraps].reverse() },
      {
        ...commit,
        members: commit.members.map((m) =>
          m.principalId === "p_alice" ? { ...m, deviceIds: [...m.deviceIds].reverse() } : m,
        ),
      },
      {
        ...commit,
        members: commit.members.map((m) =>
          m.principalId === "p_carol" ? { ...m, deviceIds: [...m.deviceIds, bob0.record.deviceId].sort() } : m,
        ),
      },
      {
        ...commit,
        members: commit.members.map((m) =>
          m.principalId === "p_bob" ? { ...m, deviceIds: [...m.deviceIds, ...m.deviceIds] } : m,
        ),
      },
    ];
    for (const c of bad) expect(await failure(resign(c, bob0), ok(prev, bob0))).toBe("bad_wraps");
    // Members out of order or repeated: not canonical.
    const reordered = { ...commit, members: [...commit.members].reverse() };
    expect(await failure(resign(reordered, bob0), ok(prev, bob0))).toBe("bad_shape");
  });

  it("reports a wrap that is present but does not open as bad_wraps, and a missing one as undefined", async () => {
    const { commit } = second;
    const garbage = toBase64Url(await sealEpochKey(createEpochKey(), mallory0.identity.box.publicKey));
    const lying = resign(
      {
        ...commit,
        wraps: commit.wraps.map((w) => (w.deviceId === carol0.record.deviceId ? { ...w, sealed: garbage } : w)),
      },
      bob0,
    );
    await verifyCommit(lying, ok(first.commit, bob0));
    await expect(openCommitKey(lying, carol0.identity)).rejects.toMatchObject({ reason: "bad_wraps" });
    expect(await openCommitKey(lying, alice0.identity)).toEqual(second.epochKey);
    const teamLie = resign({ ...commit, teamWrap: garbage }, bob0);
    await expect(
      openCommitKey(teamLie, agent.identity, { boxPk: team.publicKey, boxSk: team.privateKey }),
    ).rejects.toMatchObject({ reason: "bad_wraps" });
  });
});

describe("commit shape", () => {
  it("refuses malformed commits before any crypto (bad_shape)", async () => {
    const { commit } = second;
    const bad: unknown[] = [
      null,
      "commit",
      [],
      { ...commit, extra: 1 },
      { ...commit, sig: undefined },
      { ...commit, v: 2 },
      { ...commit, epoch: 0 },
      { ...commit, epoch: 1.5 },
      { ...commit, prevHash: "x" },
      { ...commit, committer: { ...commit.committer, role: "admin" } },
      { ...commit, members: [{ principalId: "p_a", deviceIds: "d" }] },
      { ...commit, wraps: [{ deviceId: "d_1", sealed: "short" }] },
      { ...commit, teamWrap: "nope" },
      { ...commit, reason: "steal" },
      { ...commit, historyPolicy: "some" },
      { ...commit, ts: -1 },
      JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(commit).slice(1)}`),
    ];
    for (const c of bad) {
      expect(await failure(c, ok(first.commit, bob0))).toBe("bad_shape");
      expect(epochCommitSchema.safeParse(c).success).toBe(false);
    }
  });

  it("agrees with epochCommitSchema on generated commits and mutations (property, seed printed)", () => {
    const seed = 4242;
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constant(""),
      fc.integer({ min: -3, max: 2 ** 31 + 1 }),
      fc.double(),
      fc.string({ maxLength: 120 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{86}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{107}$/),
      id,
      fc.constantFrom("none", "full", "create", "remove", "policy"),
      fc.array(fc.record({ principalId: id, deviceIds: fc.array(id, { maxLength: 3 }) }), { maxLength: 2 }),
      fc.array(fc.record({ deviceId: id, sealed: fc.stringMatching(/^[A-Za-z0-9_-]{105,108}$/) }), { maxLength: 2 }),
      fc.record({ principalId: id, deviceId: id }),
      fc.record({ principalId: id }),
    );
    const keys = [...Object.keys(second.commit), "extra"];
    console.log(`commit shape property: seed ${seed}, 500 runs`);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...keys), anyValue), { maxLength: 3 }), (edits) => {
        const value: Record<string, unknown> = { ...second.commit };
        for (const [key, v] of edits) {
          if (v === undefined) delete value[key];
          else value[key] = v;
        }
        expect(commitShapeProblem(value) === undefined).toBe(epochCommitSchema.safeParse(value).success);
      }),
      { seed, numRuns: 500 },
    );
  });
});

describe("commit encodings", () => {
  it("length-prefixes every field and counts every list (pinned layout of a small commit)", () => {
    const small: EpochCommit = {
      v: 1,
      convId: "c",
      epoch: 2,
      prevHash: "h",
      committer: { principalId: "p", deviceId: "d" },
      members: [{ principalId: "p", deviceIds: ["d", "e"] }],
      wraps: [{ deviceId: "d", sealed: "s" }],
      teamWrap: "",
      historyPolicy: "none",
      reason: "add",
      ts: 5,
      teamVersion: 7,
      sig: "S",
      teamSig: "T",
    };
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    const str = (s: string) => s.length.toString(16).padStart(8, "0") + hex(new TextEncoder().encode(s));
    const fields = [
      "00000001", // v
      str("c"),
      "0000000000000002", // epoch
      str("h"),
      str("p"),
      str("d"), // committer
      "00000001", // members count
      str("p"),
      "00000002",
      str("d"),
      str("e"),
      "00000001", // wraps count
      str("d"),
      str("s"),
      str(""), // teamWrap
      str("none"),
      str("add"),
      "0000000000000005", // ts
      "00000007", // teamVersion
    ].join("");
    expect(hex(encodeCommitForSignature(small))).toBe(str("parley/commit-sig/v1") + fields);
    expect(hex(encodeCommitForHash(small))).toBe(str("parley/commit-hash/v1") + fields + str("S") + str("T"));
    // Moving a device id from one member to the next changes the bytes (counts make the split explicit).
    const moved = {
      ...small,
      members: [
        { principalId: "p", deviceIds: ["d"] },
        { principalId: "q", deviceIds: ["e"] },
      ],
    };
    expect(hex(encodeCommitForSignature(moved))).not.toBe(hex(encodeCommitForSignature(small)));
    expect(() => encodeCommitForSignature({ ...small, epoch: -1 })).toThrow(RangeError);
  });
});
