/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here it delivers history grants the invitee
 * must refuse or trim: addressed to someone else, sealed to another key, sent
 * by a device that did not add the invitee, sent although the invite offered
 * no history, carrying more epochs than the invite's choice allows, or keys
 * of the grant's own epoch and later. A valid grant is taken, marks what it
 * opens as shared by the granter, and survives a reopened session. The
 * inviter's side: a grant carries exactly what the invite's choice allows.
 *
 * The chain, with signed times the test sets (T0 is now):
 *   e1 Alice alone, T0 - 20 days;  e2 rotate, T0 - 10 days;  e3 rotate, T0 - 3 days;
 *   e4 Alice adds Bob, T0 (the invite was accepted at T0).
 * For a `7d` invite the window starts at T0 - 7 days: e1 ended at T0 - 10 days (outside),
 * e2 ended at T0 - 3 days and e3 was current at the acceptance (inside).
 */
import { describe, expect, it } from "vitest";
import type { HistoryGrantBody } from "../crypto/history-grant.js";
import { sealHistoryGrant } from "../crypto/history-grant.js";
import { createEpochKey } from "../crypto/seal-box.js";
import { EncryptionUnavailableError } from "../errors.js";
import type { DeviceRecord, InviteHistory } from "../protocol/models.js";
import { SETTLE_SKEW_MS } from "./history-grants.js";
import {
  actor,
  CONV,
  commitBy,
  forgedRecord,
  LyingGateway,
  openSession,
  rejectionOf,
  storedMessage,
  T0,
} from "./lying-gateway.test-support.js";

const DAY = 24 * 60 * 60 * 1000;
const TIMES = [T0 - 20 * DAY, T0 - 10 * DAY, T0 - 3 * DAY, T0];

/**
 * Alice (a device the test holds) made epochs 1-3 for herself, saying one line in each, then added
 * Bob in epoch 4; his invite offered `history` (no invite at all when undefined). Bob's session is the
 * invitee.
 */
async function invited(history: InviteHistory | undefined, settledAt = T0) {
  const gateway = new LyingGateway();
  const alice = await actor("p_alice");
  const bob = await actor("p_bob");
  gateway.serveDevice(alice.record);
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: bob.principal.id, role: "member" },
  ]);
  if (history) gateway.acceptedInvite(CONV, "p_alice", "p_bob", history, settledAt);
  const opened = await openSession(gateway, bob.principal);
  const bobDevices = gateway.devices.get(bob.principal.id) as DeviceRecord[];
  const aliceAs = { principalId: alice.principal.id, identity: alice.identity };
  const onlyAlice = [{ principalId: "p_alice", devices: [alice.record] }];
  const e1 = await commitBy(aliceAs, undefined, onlyAlice, { now: TIMES[0] });
  const e2 = await commitBy(aliceAs, e1.commit, onlyAlice, { reason: "rotate", now: TIMES[1] });
  const e3 = await commitBy(aliceAs, e2.commit, onlyAlice, { reason: "rotate", now: TIMES[2] });
  const e4 = await commitBy(aliceAs, e3.commit, [...onlyAlice, { principalId: "p_bob", devices: bobDevices }], {
    reason: "add",
    now: TIMES[3],
  });
  const epochs = [e1, e2, e3, e4];
  for (const e of epochs) gateway.push(e.commit);
  const keyOf = (n: number) => (epochs[n - 1] as { epochKey: Uint8Array }).epochKey;
  const said = await Promise.all(
    [1, 2, 3].map((epoch) =>
      storedMessage({
        sender: "p_alice",
        identity: alice.identity,
        epoch,
        epochKey: keyOf(epoch),
        body: { type: "text", text: `said in epoch ${epoch}` },
      }),
    ),
  );
  const before = said[0] as (typeof said)[number];
  /** A grant message in epoch 4 with this body, from Alice's device unless told otherwise. */
  const grantMessage = (body: HistoryGrantBody, sender = "p_alice", identity = alice.identity) =>
    storedMessage({ sender, identity, epoch: 4, epochKey: keyOf(4), body });
  /** Alice's grant of these epochs, sealed to Bob's devices. */
  const grantOf = (...granted: number[]) =>
    sealHistoryGrant("p_bob", new Map(granted.map((e) => [e, keyOf(e)])), bobDevices);
  return { gateway, alice, bob, bobDevices, epochs, keyOf, said, before, grantMessage, grantOf, ...opened };
}

type Invited = Awaited<ReturnType<typeof invited>>;

/** Bob still cannot read what was said before he came, and holds no granted key. */
async function historyStaysClosed(c: Invited) {
  const error = await rejectionOf(c.session.open(c.before));
  expect(error).toBeInstanceOf(EncryptionUnavailableError);
  expect((error as EncryptionUnavailableError).reason).toBe("not_in_epoch");
  expect(String(error)).not.toContain("said in epoch 1");
  const conv = await c.session.conversation(CONV);
  expect(conv.keyFor(1)).toBeUndefined();
  expect(conv.grantedKeys().size).toBe(0);
  expect(c.grants).toEqual([]);
  expect(await c.storage.get(`parley:grants:p_bob:${CONV}`)).toBeUndefined();
}

describe("history grants a lying gateway delivers", () => {
  it("ignores a grant addressed to someone else, even when sealed to this device", async () => {
    const c = await invited("all");
    const body = await sealHistoryGrant("p_carol", new Map([[1, c.keyOf(1)]]), c.bobDevices);
    const opened = await c.session.openMessage(await c.grantMessage(body));
    expect(opened.body.type).toBe("history-grant");
    expect(c.errors).toEqual([]);
    await historyStaysClosed(c);
  });

  it("refuses a grant for this principal sealed only to another principal's devices", async () => {
    const c = await invited("all");
    const carol = await actor("p_carol");
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.keyOf(1)]]), [carol.record]);
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([expect.objectContaining({ name: "DecryptError" })]);
    await historyStaysClosed(c);
  });

  it("refuses a grant sealed with the wrong box key under this device's id", async () => {
    const c = await invited("all");
    const deviceId = c.session.identity.deviceId;
    const wrongKey = await forgedRecord("p_bob", deviceId);
    const body = await sealHistoryGrant("p_bob", new Map([[1, c.keyOf(1)]]), [wrongKey.record]);
    expect(body.sealed[0]?.deviceId).toBe(deviceId);
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([expect.objectContaining({ name: "DecryptError", reason: "bad_ciphertext" })]);
    await historyStaysClosed(c);
  });

  it("refuses a grant when the invite offered no history", async () => {
    const c = await invited("none");
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]?.message).toContain("the invite offered no history");
    await historyStaysClosed(c);
  });

  it("refuses a grant when the gateway knows of no accepted invite (added directly)", async () => {
    const c = await invited(undefined);
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1)));
    expect(c.errors.map((e) => e.message)).toEqual([expect.stringContaining("offered no history")]);
    await historyStaysClosed(c);
  });

  it("refuses a grant from a device of the inviter other than the one whose commit added this member", async () => {
    const c = await invited("all");
    const other = await forgedRecord("p_alice", "d_alice_phone");
    c.gateway.serveDevice(other.record);
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1), "p_alice", other.identity));
    expect(c.errors.map((e) => e.message)).toEqual([
      expect.stringContaining("neither from the device that added this member"),
    ]);
    await historyStaysClosed(c);
  });

  it("takes no key of the grant's own epoch or a later one from a grant", async () => {
    const c = await invited("all");
    const fake4 = createEpochKey();
    const body = await sealHistoryGrant(
      "p_bob",
      new Map([
        [4, fake4],
        [5, createEpochKey()],
      ]),
      c.bobDevices,
    );
    await c.session.openMessage(await c.grantMessage(body));
    expect(c.errors).toEqual([]);
    const conv = await c.session.conversation(CONV);
    expect(conv.keyFor(4)).toEqual(c.keyOf(4));
    expect(conv.keyFor(5)).toBeUndefined();
    expect(conv.grantedBy(4)).toBeUndefined();
    await historyStaysClosed(c);
  });

  it("takes a valid grant: the old messages open, marked as shared by the granter, and again after a reopen", async () => {
    const c = await invited("all");
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    expect(c.errors).toEqual([]);
    expect(c.grants).toEqual([CONV]);
    for (const [i, m] of c.said.entries()) {
      expect(await c.session.openMessage(m)).toEqual({
        body: { type: "text", text: `said in epoch ${i + 1}` },
        sharedBy: "p_alice",
      });
    }

    // A new session on the same storage reads it without the grant message.
    c.session.close();
    const reopened = await openSession(c.gateway, c.bob.principal, c.storage);
    expect(reopened.session.identity.deviceId).toBe(c.session.identity.deviceId);
    expect(await reopened.session.openMessage(c.before)).toEqual({
      body: { type: "text", text: "said in epoch 1" },
      sharedBy: "p_alice",
    });
    // The grant read again is nothing new: no refusal, no second onGrant.
    await reopened.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    expect(reopened.errors).toEqual([]);
    expect(reopened.grants).toEqual([]);
  });

  it("ignores a grant Bob's own principal appears to send to itself", async () => {
    const c = await invited("all");
    // The gateway names Bob as the sender of Alice's grant: the sender's device is not pinned for Bob.
    const error = await rejectionOf(c.session.openMessage(await c.grantMessage(await c.grantOf(1), "p_bob")));
    expect(error).toMatchObject({ name: "DecryptError", reason: "unknown_device" });
    await historyStaysClosed(c);
  });

  it("ignores stored grants it cannot read, and reports them", async () => {
    const c = await invited("all");
    await c.storage.set(`parley:grants:p_bob:${CONV}`, "{not json");
    c.session.close();
    const reopened = await openSession(c.gateway, c.bob.principal, c.storage);
    const conv = await reopened.session.conversation(CONV);
    expect(conv.grantedKeys().size).toBe(0);
    expect(reopened.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("unreadable") })]);
  });
});

describe("a grant is trimmed to the invite's choice", () => {
  it("7d: keeps the epochs current in the 7 days before the acceptance and drops the older one", async () => {
    const c = await invited("7d");
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    expect(c.errors).toEqual([]);
    const conv = await c.session.conversation(CONV);
    expect([...conv.grantedKeys().keys()].sort()).toEqual([2, 3]);
    expect(await c.session.openMessage(c.said[1] as Invited["before"])).toMatchObject({ sharedBy: "p_alice" });
    expect(await c.session.openMessage(c.said[2] as Invited["before"])).toMatchObject({ sharedBy: "p_alice" });
    const error = await rejectionOf(c.session.open(c.before));
    expect(error).toMatchObject({ reason: "not_in_epoch" });
  });

  it("7d: a gateway backdating the acceptance widens the window by one day at most", async () => {
    // The gateway claims Bob accepted 30 days ago: the window still starts a day before the add commit, less 7 days.
    const c = await invited("7d", T0 - 30 * DAY);
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    expect([...(await c.session.conversation(CONV)).grantedKeys().keys()].sort()).toEqual([2, 3]);
    expect(TIMES[1]).toBeLessThan(T0 - SETTLE_SKEW_MS - 7 * DAY); // e1 ended before even the widened window
  });

  it("refuses a grant when the gateway withholds the commits that tell who added this member", async () => {
    const c = await invited("7d");
    const conv = await c.session.conversation(CONV);
    await conv.sync(); // applies e1-e4 in this session
    c.session.close();
    // A reopened session holds only the head; the gateway now serves no older commits.
    const reopened = await openSession(c.gateway, c.bob.principal, c.storage);
    c.gateway.lie("epoch.list", async (body, honest) =>
      (body as { after: number }).after >= 4 ? honest() : { commits: [], hasMore: false },
    );
    await reopened.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    // Without epoch 3's commit, who added Bob cannot be told: the grant is refused outright.
    expect(reopened.errors.map((e) => e.message)).toEqual([expect.stringContaining("refused")]);
    expect((await reopened.session.conversation(CONV)).grantedKeys().size).toBe(0);
  });

  it("all: keeps every earlier epoch", async () => {
    const c = await invited("all");
    await c.session.openMessage(await c.grantMessage(await c.grantOf(1, 2, 3)));
    expect([...(await c.session.conversation(CONV)).grantedKeys().keys()].sort()).toEqual([1, 2, 3]);
  });
});

describe("the inviter's grant carries what the invite allows", () => {
  /** Alice's own session made epochs 1-3 (times set by the test) and added Bob in epoch 4; Bob's invite offered `history`. */
  async function inviter(history: InviteHistory | undefined) {
    const gateway = new LyingGateway();
    const bob = await actor("p_bob");
    gateway.serveDevice(bob.record);
    gateway.setMembers(CONV, [
      { principalId: "p_alice", role: "owner" },
      { principalId: "p_bob", role: "member" },
    ]);
    const alice = await openSession(gateway, {
      id: "p_alice",
      kind: "customer",
      shopId: "s_shop",
      displayName: "p_alice",
    });
    const me = { principalId: "p_alice", identity: alice.session.identity };
    const myDevices = gateway.devices.get("p_alice") as DeviceRecord[];
    const onlyAlice = [{ principalId: "p_alice", devices: myDevices }];
    const e1 = await commitBy(me, undefined, onlyAlice, { now: TIMES[0] });
    const e2 = await commitBy(me, e1.commit, onlyAlice, { reason: "rotate", now: TIMES[1] });
    const e3 = await commitBy(me, e2.commit, onlyAlice, { reason: "rotate", now: TIMES[2] });
    const e4 = await commitBy(me, e3.commit, [...onlyAlice, { principalId: "p_bob", devices: [bob.record] }], {
      reason: "add",
      now: TIMES[3],
    });
    for (const e of [e1, e2, e3, e4]) gateway.push(e.commit);
    if (history) gateway.acceptedInvite(CONV, "p_alice", "p_bob", history);
    await (await alice.session.conversation(CONV)).sync();
    return { gateway, alice, bob };
  }

  it.each([
    ["none", undefined],
    ["7d", [2, 3]],
    ["all", [1, 2, 3]],
  ] as const)("%s", async (history, epochs) => {
    const { alice, gateway } = await inviter(history);
    const grant = await alice.session.historyGrant(CONV, "p_bob");
    expect(grant?.epochs).toEqual(epochs);
    expect(gateway.callsOf("invite.history")).toHaveLength(1);
  });

  it("sends nothing to someone added without an invite", async () => {
    const { alice } = await inviter(undefined);
    expect(await alice.session.historyGrant(CONV, "p_bob")).toBeUndefined();
  });

  it("uses the newest accepted invite of the grantee (a second invite after leaving)", async () => {
    const { alice, gateway } = await inviter("all");
    gateway.acceptedInvite(CONV, "p_alice", "p_bob", "none", T0 + 1000);
    expect(await alice.session.historyGrant(CONV, "p_bob")).toBeUndefined();
  });
});
