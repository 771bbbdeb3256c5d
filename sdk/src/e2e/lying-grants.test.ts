/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here it delivers history grants the invitee
 * must refuse: addressed to someone else, sealed to another key, sent under a
 * `none` policy by a member outside the team, or carrying keys of the grant's
 * own epoch and later. A valid grant is taken, marks what it opens as shared
 * by the granter, and survives a reopened session.
 */
import { describe, expect, it } from "vitest";
import { openCommitKey } from "../crypto/commits.js";
import type { HistoryGrantBody } from "../crypto/history-grant.js";
import { sealHistoryGrant } from "../crypto/history-grant.js";
import { createEpochKey } from "../crypto/seal-box.js";
import { EncryptionUnavailableError } from "../errors.js";
import type { DeviceRecord, EpochCommit, HistoryPolicy } from "../protocol/models.js";
import {
  actor,
  CONV,
  commitBy,
  forgedRecord,
  LyingGateway,
  openSession,
  rejectionOf,
  storedMessage,
} from "./lying-gateway.test-support.js";

/**
 * Alice (a device the test holds) made epoch 1 for herself and said something,
 * then added Bob in epoch 2 under `policy`. Bob's session is the invitee.
 */
async function invited(policy: HistoryPolicy) {
  const gateway = new LyingGateway();
  const alice = await actor("p_alice");
  const bob = await actor("p_bob");
  gateway.serveDevice(alice.record);
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: bob.principal.id, role: "member" },
  ]);
  const opened = await openSession(gateway, bob.principal);
  const bobDevices = gateway.devices.get(bob.principal.id) as DeviceRecord[];
  const aliceAs = { principalId: alice.principal.id, identity: alice.identity };
  const e1 = await commitBy(aliceAs, undefined, [{ principalId: "p_alice", devices: [alice.record] }], {
    historyPolicy: policy,
  });
  const e2 = await commitBy(
    aliceAs,
    e1.commit,
    [
      { principalId: "p_alice", devices: [alice.record] },
      { principalId: "p_bob", devices: bobDevices },
    ],
    { historyPolicy: policy, reason: "add" },
  );
  gateway.push(e1.commit);
  gateway.push(e2.commit);
  const before = await storedMessage({
    sender: "p_alice",
    identity: alice.identity,
    epoch: 1,
    epochKey: e1.epochKey,
    body: { type: "text", text: "said before bob came" },
  });
  /** A grant message from Alice's device in epoch 2 with this body. */
  const grantMessage = (body: HistoryGrantBody, sender = "p_alice") =>
    storedMessage({ sender, identity: alice.identity, epoch: 2, epochKey: e2.epochKey, body });
  return { gateway, alice, bob, bobDevices, e1, e2, before, grantMessage, ...opened };
}

type Invited = Awaited<ReturnType<typeof invited>>;

/** Bob still cannot read what was said before he came, and holds no granted key. */
async function historyStaysClosed(c: Invited) {
  const error = await rejectionOf(c.session.open(c.before));
  expect(error).toBeInstanceOf(EncryptionUnavailableError);
  expect((error as EncryptionUnavailableError).reason).toBe("not_in_epoch");
  expect(String(error)).not.toContain("said before bob came");
  const conv = await c.session.conversation(CONV);
  expect(conv.keyFor(1)).toBeUndefined();
  expect(conv.grantedKeys().size).toBe(0);
  expect(c.grants).toEqual([]);
  expect(await c.storage.get(`parley:grants:p_bob:${CONV}`)).toBeUndefined();
}

describe("history grants a lying gateway delivers", () => {
  it("ignores a grant addressed to someone else, even when sealed to this device", async () => {
    const c = await invited("full");
    const body = await sealHistoryGrant("p_carol", new Map([[1, c.e1.epochKey]]), c.bobDevices);
    const opened = await c.session.openMessage(await c.grantMessage(body));
    expect(opened.body.type).toBe("history-grant");
    expect(c.errors).toEqual([]);
    await historyStaysClosed(c);
  });

  it("refuses a grant for this principal sealed only to another principal's devices", async () => {
    const c = await invited("full");
    const carol = await actor("p_carol");
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.e1.epochKey]]), [carol.record]);
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([expect.objectContaining({ name: "DecryptError" })]);
    await historyStaysClosed(c);
  });

  it("refuses a grant sealed with the wrong box key under this device's id", async () => {
    const c = await invited("full");
    const deviceId = c.session.identity.deviceId;
    const wrongKey = await forgedRecord("p_bob", deviceId);
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.e1.epochKey]]), [wrongKey.record]);
    expect(body.sealed[0]?.deviceId).toBe(deviceId);
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([expect.objectContaining({ name: "DecryptError", reason: "bad_ciphertext" })]);
    await historyStaysClosed(c);
  });

  it("refuses a grant from a member outside the team when the epoch's policy is none", async () => {
    const c = await invited("none");
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.e1.epochKey]]), c.bobDevices);
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]?.message).toContain("policy is none");
    await historyStaysClosed(c);
  });

  it("takes no key of the grant's own epoch or a later one from a grant", async () => {
    const c = await invited("full");
    const fake2 = createEpochKey();
    const fake3 = createEpochKey();
    const body = await sealHistoryGrant(
      "p_bob",
      new Map([
        [2, fake2],
        [3, fake3],
      ]),
      c.bobDevices,
    );
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([]);
    const conv = await c.session.conversation(CONV);
    expect(conv.keyFor(2)).toEqual(c.e2.epochKey);
    expect(conv.keyFor(3)).toBeUndefined();
    expect(conv.grantedBy(2)).toBeUndefined();
    await historyStaysClosed(c);
    // Epoch 2 still opens with the commit's key, not marked as shared.
    const m2 = await storedMessage({
      sender: "p_alice",
      identity: c.alice.identity,
      epoch: 2,
      epochKey: c.e2.epochKey,
      body: { type: "text", text: "in epoch 2" },
    });
    expect(await c.session.openMessage(m2)).toEqual({ body: { type: "text", text: "in epoch 2" } });
  });

  it("keeps only the earlier keys of a grant that mixes earlier and later epochs", async () => {
    const c = await invited("full");
    const body = await sealHistoryGrant(
      "p_bob",
      new Map([
        [1, c.e1.epochKey],
        [2, createEpochKey()],
      ]),
      c.bobDevices,
    );
    await c.session.openMessage(await c.grantMessage(body));
    const conv = await c.session.conversation(CONV);
    expect(conv.keyFor(1)).toEqual(c.e1.epochKey);
    expect(conv.keyFor(2)).toEqual(c.e2.epochKey);
    expect([...conv.grantedKeys().keys()]).toEqual([1]);
  });

  it("takes a valid grant: the old message opens, marked as shared by the granter, and again after a reopen", async () => {
    const c = await invited("full");
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.e1.epochKey]]), c.bobDevices);
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([]);
    expect(c.grants).toEqual([CONV]);
    expect(await c.session.openMessage(c.before)).toEqual({
      body: { type: "text", text: "said before bob came" },
      sharedBy: "p_alice",
    });

    // A new session on the same storage reads it without the grant message.
    c.session.close();
    const reopened = await openSession(c.gateway, c.bob.principal, c.storage);
    expect(reopened.session.identity.deviceId).toBe(c.session.identity.deviceId);
    expect(await reopened.session.openMessage(c.before)).toEqual({
      body: { type: "text", text: "said before bob came" },
      sharedBy: "p_alice",
    });
    expect(reopened.errors).toEqual([]);
  });

  it("ignores a grant Bob's own principal appears to send to itself", async () => {
    const c = await invited("full");
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.e1.epochKey]]), c.bobDevices);
    // The gateway names Bob as the sender of Alice's grant: the sender's device is not pinned for Bob.
    const error = await rejectionOf(c.session.openMessage(await c.grantMessage(body, "p_bob")));
    expect(error).toMatchObject({ name: "DecryptError", reason: "unknown_device" });
    await historyStaysClosed(c);
  });

  it("ignores stored grants it cannot read, and reports them", async () => {
    const c = await invited("full");
    await c.storage.set(`parley:grants:p_bob:${CONV}`, "{not json");
    c.session.close();
    const reopened = await openSession(c.gateway, c.bob.principal, c.storage);
    const conv = await reopened.session.conversation(CONV);
    expect(conv.grantedKeys().size).toBe(0);
    expect(reopened.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("unreadable") })]);
  });
});

describe("the grant epoch's commit decides the policy", () => {
  it("reads the policy from the verified commit of the grant's epoch", async () => {
    const c = await invited("full");
    await (await c.session.conversation(CONV)).sync();
    const conv = await c.session.conversation(CONV);
    expect(conv.policyAt(2)).toBe("full");
    expect(conv.policyAt(1)).toBe("full");
    expect(conv.policyAt(3)).toBeUndefined();
    expect(await openCommitKey(c.gateway.head(CONV) as EpochCommit, c.session.identity)).toEqual(c.e2.epochKey);
  });
});
