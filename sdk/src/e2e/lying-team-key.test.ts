/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here it lies about the shop's team key: records
 * named after the pinned creator's device but signed by another key, wraps
 * holding another key than the record's, and answers of another version or
 * shop. Also the {@link TeamKeyHolder.recordVersion} cache.
 */
import { describe, expect, it } from "vitest";
import { openCommitKey } from "../crypto/commits.js";
import { DeviceDirectory } from "../crypto/device-directory.js";
import { createDeviceIdentity } from "../crypto/device-keys.js";
import { createTeamKey, wrapTeamKey } from "../crypto/team-key.js";
import { ParleyError } from "../errors.js";
import type { EpochCommit, TeamKeyRecord } from "../protocol/models.js";
import { memoryStorage } from "../storage.js";
import {
  type Actor,
  actor,
  CONV,
  conversationInfo,
  LyingGateway,
  openSession,
  rejectionOf,
  SHOP,
  T0,
} from "./lying-gateway.test-support.js";
import { TeamKeyHolder } from "./team-key-holder.js";

/** A team key record of `version` named as made by the admin's device but signed by another key. */
async function recordInAdminsName(admin: Actor, version: number) {
  const impostor = { ...(await createDeviceIdentity()), deviceId: admin.identity.deviceId };
  return createTeamKey({ identity: impostor, principalId: admin.principal.id, shopId: SHOP, version, now: T0 });
}

describe("a gateway serving a team key record its creator did not sign", () => {
  it("commits carry no team wrap to it: a customer's first commit when the shop's only record is forged", async () => {
    const gateway = new LyingGateway();
    const admin = await actor("p_admin", "agent");
    await gateway.makeTeamKey(admin);
    const forged = await recordInAdminsName(admin, 1);
    gateway.teamRecords.set(1, forged.record);
    const alice = await actor("p_alice");
    gateway.setMembers(CONV, [{ principalId: alice.principal.id, role: "owner" }]);
    const { session } = await openSession(gateway, alice.principal);
    await session.created(conversationInfo());
    const e1 = gateway.head(CONV) as EpochCommit;
    expect(e1.teamWrap).toBe("");
  });

  it("after a conflict makes the client fetch the record again, the retried commit is not sealed to a forged one", async () => {
    const gateway = new LyingGateway();
    const admin = await actor("p_admin", "agent");
    const real = await gateway.makeTeamKey(admin);
    const alice = await actor("p_alice");
    const carol = await actor("p_carol");
    gateway.serveDevice(carol.record);
    gateway.setMembers(CONV, [{ principalId: alice.principal.id, role: "owner" }]);
    const { session } = await openSession(gateway, alice.principal);
    await session.created(conversationInfo());
    const e1 = gateway.head(CONV) as EpochCommit;
    expect(await openCommitKey(e1, await createDeviceIdentity(), real.secret)).toBeInstanceOf(Uint8Array);

    // Alice invites Carol; the gateway refuses the first commit and then serves a forged version 2.
    const forged = await recordInAdminsName(admin, 2);
    gateway.teamRecords.set(2, forged.record);
    let refused = 0;
    gateway.lie("epoch.commit", async (_body, honest) => {
      if (refused++ === 0) throw new ParleyError("conflict");
      return honest();
    });
    gateway.setMembers(CONV, [
      { principalId: alice.principal.id, role: "owner" },
      { principalId: carol.principal.id, role: "member" },
    ]);
    await session.onEvent({
      type: "membership",
      convId: CONV,
      principalId: "p_carol",
      change: "joined",
      by: "p_alice",
      ts: 1,
    });

    expect(refused).toBe(2);
    expect(gateway.callsOf("team.get").length).toBeGreaterThan(1); // it did ask again
    const e2 = gateway.head(CONV) as EpochCommit;
    expect(e2.epoch).toBe(2);
    expect(e2.members.map((m) => m.principalId)).toEqual(["p_alice", "p_carol"]);
    // Not sealed to the forged record's key: it carries no team wrap at all (the forged record does not verify).
    expect(e2.teamWrap).toBe("");
    expect(await openCommitKey(e2, await createDeviceIdentity(), forged.secret)).toBeUndefined();
  });
});

describe("an agent device given a team key it cannot trust", () => {
  async function agentSetup() {
    const gateway = new LyingGateway();
    const admin = await actor("p_admin", "agent");
    const real = await gateway.makeTeamKey(admin);
    const agent = await actor("p_agent", "agent");
    return { gateway, admin, real, agent };
  }

  it("holds no team key when team.wrap.get serves a record not signed by its named creator", async () => {
    const { gateway, admin, agent } = await agentSetup();
    const forged = await recordInAdminsName(admin, 1);
    gateway.teamRecords.set(1, forged.record);
    gateway.teamSecret = forged.secret; // the wrap matches the forged record
    const { session, errors } = await openSession(gateway, agent.principal);
    expect(session.team.boxKey).toBeUndefined();
    expect(session.team.version).toBe(0);
    expect(errors).toEqual([expect.objectContaining({ code: "forbidden" })]);
    expect(await session.team.signer()).toBeUndefined();
    expect(await session.team.notesKey()).toBeUndefined();
  });

  it("holds no team key when the wrap holds another key than the verified record's", async () => {
    const { gateway, admin, real, agent } = await agentSetup();
    const other = await createTeamKey({
      identity: admin.identity,
      principalId: admin.principal.id,
      shopId: SHOP,
      version: 1,
      now: T0,
    });
    gateway.lie("team.wrap.get", async (_body, honest) => {
      const { key } = await honest();
      const wraps = [];
      for (const to of gateway.devices.get(agent.principal.id) ?? []) {
        // wrapTeamKey refuses a secret of another record, so seal the other secret under a copy with its box key.
        const wrap = await wrapTeamKey({
          secret: other.secret,
          record: { ...real.record, boxPk: other.record.boxPk },
          to,
          wrapper: admin.identity,
          wrapperPrincipalId: admin.principal.id,
          now: T0,
        });
        wraps.push(wrap);
      }
      return { key, wraps };
    });
    const { session, errors } = await openSession(gateway, agent.principal);
    expect(session.team.boxKey).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ name: "TeamKeyError", reason: "wrong_key" })]);
  });

  it("opens an honest wrap (the control for the two cases above)", async () => {
    const { gateway, real, agent } = await agentSetup();
    const { session, errors } = await openSession(gateway, agent.principal);
    expect(errors).toEqual([]);
    expect(session.team.version).toBe(1);
    expect(session.team.boxKey?.boxSk).toEqual(real.secret.boxSk);
  });
});

describe("TeamKeyHolder.recordVersion", () => {
  async function holder() {
    const gateway = new LyingGateway();
    const admin = await actor("p_admin", "agent");
    const v1 = await gateway.makeTeamKey(admin, 1);
    const v2 = await createTeamKey({
      identity: admin.identity,
      principalId: admin.principal.id,
      shopId: SHOP,
      version: 2,
      now: T0,
    });
    gateway.teamRecords.set(2, v2.record);
    const alice = await actor("p_alice");
    const storage = memoryStorage();
    const directory = await DeviceDirectory.open({ storage });
    const team = new TeamKeyHolder({
      request: gateway.rpcFor(alice.principal),
      storage,
      identity: alice.identity,
      principal: alice.principal,
      directory,
    });
    const asked = (version: number) =>
      gateway.callsOf("team.get").filter((c) => (c.body as { version?: number }).version === version).length;
    return { gateway, admin, v1, v2, team, directory, asked };
  }

  it("asks once per version and answers from the cache after that; refuses a version 2 that version 1 did not vouch for", async () => {
    const { team, v1, v2, asked } = await holder();
    expect(await team.recordVersion(SHOP, 1)).toEqual(v1.record);
    expect(await team.recordVersion(SHOP, 1)).toEqual(v1.record);
    // Version 2 is refused even from the same admin: it carries no vouch (prevSig) by version 1.
    expect(v2.record.version).toBe(2);
    expect(await team.recordVersion(SHOP, 2)).toBeUndefined();
    expect(await team.recordVersion(SHOP, 2)).toBeUndefined();
    expect(asked(1)).toBe(1);
    expect(asked(2)).toBe(1);
  });

  it("pins the creator device on the way (device.list once)", async () => {
    const { team, admin, directory, gateway } = await holder();
    await team.recordVersion(SHOP, 1);
    await team.recordVersion(SHOP, 2);
    expect(directory.get(admin.principal.id, admin.identity.deviceId)).toEqual(admin.record);
    expect(gateway.callsOf("device.list")).toHaveLength(1);
  });

  it("does not keep a failed request: the next call asks again", async () => {
    const { team, gateway, v1, asked } = await holder();
    gateway.lie("team.get", async () => {
      throw new ParleyError("unavailable");
    });
    expect(await rejectionOf(team.recordVersion(SHOP, 1))).toMatchObject({ code: "unavailable" });
    gateway.truth("team.get");
    expect(await team.recordVersion(SHOP, 1)).toEqual(v1.record);
    expect(asked(1)).toBe(2);
  });

  it("refuses an answer of another version or another shop, and a record its creator did not sign", async () => {
    const { team, gateway, v1, admin } = await holder();
    const answers = new Map<number, TeamKeyRecord>([
      [3, v1.record], // version 1 served for version 3
      [4, { ...v1.record, version: 4 }], // right version, signature no longer matches
      [5, { ...(await recordInAdminsName(admin, 5)).record }],
    ]);
    gateway.lie("team.get", async (body) => ({ key: answers.get(body.version ?? 0) ?? null }));
    for (const version of [3, 4, 5]) expect(await team.recordVersion(SHOP, version)).toBeUndefined();
    gateway.lie("team.get", async () => ({ key: { ...v1.record, shopId: "s_other" } }));
    expect(await team.recordVersion("s_shop_two", 1)).toBeUndefined();
    expect(await team.recordVersion(SHOP, 6)).toBeUndefined();
  });

  it("keeps a refusal for the session (a later honest answer for that version is not asked for)", async () => {
    const { team, gateway, admin, asked } = await holder();
    const forged = await recordInAdminsName(admin, 2);
    gateway.teamRecords.set(2, forged.record);
    expect(await team.recordVersion(SHOP, 2)).toBeUndefined();
    expect(await team.recordVersion(SHOP, 2)).toBeUndefined();
    expect(asked(2)).toBe(1);
  });

  it("accepts version 2 vouched for by version 1, refuses one vouched for by another key, and pins what it accepted", async () => {
    const { team, gateway, admin, v1 } = await holder();
    const rotated = await createTeamKey({
      identity: admin.identity,
      principalId: admin.principal.id,
      shopId: SHOP,
      version: 2,
      previous: v1,
      now: T0,
    });
    gateway.teamRecords.set(2, rotated.record);
    expect(await team.recordVersion(SHOP, 2)).toEqual(rotated.record);
    // A lying gateway's version 3, vouched for by a key it made (not version 2), signed by the real admin device.
    const strangerKey = await createTeamKey({
      identity: admin.identity,
      principalId: admin.principal.id,
      shopId: SHOP,
      version: 2,
      now: T0,
    });
    const v3 = await createTeamKey({
      identity: admin.identity,
      principalId: admin.principal.id,
      shopId: SHOP,
      version: 3,
      previous: strangerKey,
      now: T0,
    });
    gateway.teamRecords.set(3, v3.record);
    expect(await team.recordVersion(SHOP, 3)).toBeUndefined();
    // Version 2's vouch moved onto another record of version 2: refused (the vouch covers the record's bytes).
    const other = await holder();
    other.gateway.teamRecords.set(2, { ...other.v2.record, prevSig: rotated.record.prevSig ?? "" });
    expect(await other.team.recordVersion(SHOP, 2)).toBeUndefined();
  });
});
