/**
 * Regression tests for four weaknesses a lying gateway exposed, now fixed:
 * W1 team key records the gateway makes up (version 1 is pinned per shop and a
 * later version is trusted only when vouched for by the one before), W2 member roles deciding who is on the team for
 * history grants (only verified team commits count), W3 the session pinning
 * its own device from the gateway's answer, W4 an endless `hasMore`. A scripted
 * gateway: a real gateway cannot be made to lie; this is the only way to
 * produce these cases.
 */
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { openCommitKey } from "../crypto/commits.js";
import { createDeviceIdentity } from "../crypto/device-keys.js";
import { sealHistoryGrant } from "../crypto/history-grant.js";
import { loadSodium } from "../crypto/sodium.js";
import { createTeamKey } from "../crypto/team-key.js";
import { ParleyError } from "../errors.js";
import type { DeviceRecord, EpochCommit } from "../protocol/models.js";
import {
  actor,
  CONV,
  commitBy,
  conversationInfo,
  forgedRecord,
  LyingGateway,
  openSession,
  SHOP,
  skippedReason,
  storedMessage,
  T0,
} from "./lying-gateway.test-support.js";

const sodium = await loadSodium();

describe("a gateway serving other keys for the session's own device", () => {
  it("pins this device from its own identity, not from device.list, and never seals to the offered keys", async () => {
    const gateway = new LyingGateway();
    const alice = await actor("p_alice");
    gateway.setMembers(CONV, [{ principalId: alice.principal.id, role: "owner" }]);
    // Whatever this device registers, device.list answers with other keys under its id.
    gateway.lie("device.list", async (_body, honest) => {
      const { devices } = await honest();
      const out = [];
      for (const d of devices) {
        out.push(d.principal === alice.principal.id ? (await forgedRecord(d.principal, d.deviceId)).record : d);
      }
      return { devices: out };
    });
    const { session } = await openSession(gateway, alice.principal);
    const own = session.directory.get(alice.principal.id, session.identity.deviceId);
    expect(own?.sigPk).toBe(toBase64Url(session.identity.sign.publicKey));
    expect(own?.boxPk).toBe(toBase64Url(session.identity.box.publicKey));

    await session.created(conversationInfo());
    const e1 = gateway.head(CONV);
    if (!e1) throw new Error("no epoch 1");
    // The wrap for this device opens with this device's own key: it was not sealed to the offered one.
    expect(await openCommitKey(e1, session.identity)).toBeInstanceOf(Uint8Array);
  });
});

/** Alice created the conversation (epoch 1, sealed to the real team key v1 of the admin's pinned device). */
async function customerWithTeamKey() {
  const gateway = new LyingGateway();
  const admin = await actor("p_admin", "agent");
  const real = await gateway.makeTeamKey(admin);
  const alice = await actor("p_alice");
  const bob = await actor("p_bob");
  gateway.serveDevice(bob.record);
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: bob.principal.id, role: "member" },
  ]);
  const opened = await openSession(gateway, alice.principal);
  await opened.session.created(conversationInfo());
  const conv = await opened.session.conversation(CONV);
  expect(conv.epoch).toBe(1);
  return { gateway, admin, real, alice, bob, conv, ...opened };
}

/** A team key record of `version` by a device the gateway made up (self-signed: it pins on first sight). */
async function recordByGhost(version: number) {
  const ghost = await forgedRecord("p_ghost", "d_ghost");
  const made = await createTeamKey({
    identity: ghost.identity,
    principalId: "p_ghost",
    shopId: SHOP,
    version,
    now: T0,
  });
  return { ghost, ...made };
}

describe("W: team key records by a creator the gateway makes up", () => {
  it("does not seal the retried commit's team wrap to a record by another device than v1's creator", async () => {
    const c = await customerWithTeamKey();
    const forged = await recordByGhost(2);
    c.gateway.serveDevice(forged.ghost.record);
    c.gateway.teamRecords.set(2, forged.record);
    let refused = 0;
    c.gateway.lie("epoch.commit", async (_body, honest) => {
      if (refused++ === 0) throw new ParleyError("conflict");
      return honest();
    });
    const carol = await actor("p_carol");
    c.gateway.serveDevice(carol.record);
    c.gateway.setMembers(CONV, [
      { principalId: "p_alice", role: "owner" },
      { principalId: "p_bob", role: "member" },
      { principalId: "p_carol", role: "member" },
    ]);
    await c.session.onEvent({
      type: "membership",
      convId: CONV,
      principalId: "p_carol",
      change: "joined",
      by: "p_alice",
      ts: 1,
    });
    const e2 = c.gateway.head(CONV) as EpochCommit;
    expect(e2.epoch).toBe(2);
    // The gateway holds the forged record's secret: it must not open the epoch key.
    expect(await openCommitKey(e2, await createDeviceIdentity(), forged.secret)).toBeUndefined();
  });

  it("skips a team commit co-signed by a record from a device the gateway made up", async () => {
    const c = await customerWithTeamKey();
    const forged = await recordByGhost(2);
    c.gateway.serveDevice(forged.ghost.record);
    c.gateway.teamRecords.set(2, forged.record);
    const e1 = c.gateway.head(CONV) as EpochCommit;
    const aliceRecord = c.session.directory.get("p_alice", c.session.identity.deviceId) as DeviceRecord;
    // The ghost "agent" rotates the conversation to a key the gateway knows.
    const lie = await commitBy(
      { principalId: "p_ghost", identity: forged.ghost.identity },
      e1,
      [
        { principalId: "p_alice", devices: [aliceRecord] },
        { principalId: "p_bob", devices: [c.bob.record] },
      ],
      {
        reason: "rotate",
        teamBoxPk: fromBase64Url(forged.record.boxPk),
        teamSigner: { version: 2, signSk: sodium.crypto_sign_seed_keypair(forged.secret.sigSeed).privateKey },
      },
    );
    c.gateway.push(lie.commit);
    expect(await skippedReason(c.errors, c.conv.onCommit(lie.commit))).toBe("not_a_member");
    expect(c.conv.head).toEqual(e1); // skipped: the tip, without key or members
    expect(c.conv.keyFor(2)).toBeUndefined();
  });
});

describe("W: an epoch.list that never stops saying hasMore", () => {
  it("stops when a page brings nothing new", async () => {
    const c = await customerWithTeamKey();
    const head = c.gateway.head(CONV) as EpochCommit;
    let pages = 0;
    c.gateway.lie("epoch.list", async () => {
      if (++pages > 50) throw new Error("still asking after 50 pages");
      return { commits: [head], hasMore: true };
    });
    await c.conv.sync();
    expect(pages).toBeLessThanOrEqual(2);
  });
});

describe("W: conv.get roles decide who is on the team for history grants", () => {
  it("refuses a customer's grant under policy none even when the gateway calls that customer an agent", async () => {
    const gateway = new LyingGateway();
    const alice = await actor("p_alice");
    const bob = await actor("p_bob");
    gateway.serveDevice(alice.record);
    // The lie: Alice, a customer who commits as a listed member without a team signature, is called an agent.
    gateway.setMembers(CONV, [
      { principalId: "p_alice", role: "agent" },
      { principalId: "p_bob", role: "member" },
    ]);
    const { session, errors } = await openSession(gateway, bob.principal);
    const bobDevices = gateway.devices.get("p_bob") as DeviceRecord[];
    const aliceAs = { principalId: "p_alice", identity: alice.identity };
    const e1 = await commitBy(aliceAs, undefined, [{ principalId: "p_alice", devices: [alice.record] }]);
    const e2 = await commitBy(aliceAs, e1.commit, [
      { principalId: "p_alice", devices: [alice.record] },
      { principalId: "p_bob", devices: bobDevices },
    ]);
    gateway.push(e1.commit);
    gateway.push(e2.commit);
    expect(e2.commit.historyPolicy).toBe("none");
    const body = await sealHistoryGrant("p_bob", new Map([[1, e1.epochKey]]), bobDevices);
    const grant = await storedMessage({
      sender: "p_alice",
      identity: alice.identity,
      epoch: 2,
      epochKey: e2.epochKey,
      body,
    });
    await session.openMessage(grant);
    const conv = await session.conversation(CONV);
    expect(conv.keyFor(1)).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
