/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here it lies about the epoch chain: commits that
 * do not chain, belong to another conversation, fork an epoch, are signed with
 * another key than the committer's pinned one, come from a principal it calls
 * an agent, or arrive with gaps and out of order. Each time the client must
 * keep its head and hold no key for the refused epoch: a commit that breaks
 * the chain is refused (the conversation waits for an honest list), one that
 * continues it but fails its other checks is skipped (treated as absent and
 * reported), and the next send commits over it.
 */
import { describe, expect, it } from "vitest";
import { fromBase64Url } from "../base64url.js";
import { CommitError, commitHash, openCommitKey } from "../crypto/commits.js";
import { signDeviceRecord } from "../crypto/device-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import { createTeamKey } from "../crypto/team-key.js";
import { ENVELOPE_VERSION } from "../protocol/envelope.js";
import type { EpochCommit } from "../protocol/models.js";
import {
  actor,
  CONV,
  commitBy,
  conversationInfo,
  LyingGateway,
  OTHER_CONV,
  openSession,
  rejectionOf,
  SHOP,
  skippedReason,
  storedMessage,
  T0,
} from "./lying-gateway.test-support.js";

const sodium = await loadSodium();

/**
 * Alice's session created the conversation with Bob (epoch 1, sealed to the
 * shop's team key v1) and applied Bob's honest rotation (epoch 2). Bob's
 * honest epochs 3 and 4 are made but not yet served.
 */
async function chain() {
  const gateway = new LyingGateway();
  const admin = await actor("p_admin", "agent");
  const team = await gateway.makeTeamKey(admin);
  const alice = await actor("p_alice");
  const bob = await actor("p_bob");
  const mallory = await actor("p_mallory");
  gateway.serveDevice(bob.record);
  gateway.serveDevice(mallory.record);
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: bob.principal.id, role: "member" },
  ]);
  const { session, errors, storage } = await openSession(gateway, alice.principal);
  await session.created(conversationInfo());
  const e1 = gateway.head(CONV) as EpochCommit;
  const aliceRecord = session.directory.get(alice.principal.id, session.identity.deviceId);
  if (!aliceRecord) throw new Error("alice's own device is not pinned");
  const members = [
    { principalId: alice.principal.id, devices: [aliceRecord] },
    { principalId: bob.principal.id, devices: [bob.record] },
  ];
  const teamBoxPk = fromBase64Url(team.record.boxPk);
  const bobAs = { principalId: bob.principal.id, identity: bob.identity };
  const e2 = await commitBy(bobAs, e1, members, { reason: "rotate", teamBoxPk });
  gateway.push(e2.commit);
  const conv = await session.conversation(CONV);
  await conv.sync();
  expect(conv.epoch).toBe(2);
  const e3 = await commitBy(bobAs, e2.commit, members, { reason: "rotate", teamBoxPk });
  const e4 = await commitBy(bobAs, e3.commit, members, { reason: "rotate", teamBoxPk });
  return {
    gateway,
    admin,
    team,
    alice,
    bob,
    mallory,
    session,
    errors,
    storage,
    conv,
    members,
    teamBoxPk,
    e1,
    e2,
    e3,
    e4,
  };
}

type Chain = Awaited<ReturnType<typeof chain>>;

/** The client is still at epoch 2 with the honest head, and holds no key past it. */
function unchanged(c: Chain) {
  expect(c.conv.epoch).toBe(2);
  expect(c.conv.head).toEqual(c.e2.commit);
  expect(c.conv.keyFor(2)).toEqual(c.e2.epochKey);
  for (const epoch of [3, 4, 5]) expect(c.conv.keyFor(epoch)).toBeUndefined();
}

/** The client skipped the commit of epoch 3: its head and keys are as before, the chain's tip is that commit. */
function skippedOver(c: Chain) {
  expect(c.conv.epoch).toBe(3);
  expect(c.conv.head).toEqual(c.e2.commit);
  expect(c.conv.keyFor(2)).toEqual(c.e2.epochKey);
  for (const epoch of [3, 4, 5]) expect(c.conv.keyFor(epoch)).toBeUndefined();
}

/** Alice's next send commits epoch 4 over the skipped commit, by hash, and seals under it. */
async function goesOn(c: Chain, skipped: EpochCommit) {
  await c.session.seal(
    {
      v: ENVELOPE_VERSION,
      convId: CONV,
      epoch: 0,
      msgId: "m_alice_goes_on_000001",
      senderDevice: c.session.identity.deviceId,
      ts: 1,
    },
    { type: "text", text: "still talking" },
  );
  const head = c.gateway.head(CONV);
  expect(head?.epoch).toBe(4);
  expect(head?.committer.principalId).toBe(c.alice.principal.id);
  expect(head?.prevHash).toBe(await commitHash(skipped));
  expect(c.conv.keyFor(4)).toBeDefined();
}

function reasonOf(error: unknown): string {
  expect(error).toBeInstanceOf(CommitError);
  return (error as CommitError).reason;
}

/** `epoch.list` answers `commits` whatever is asked. */
function listLie(c: Chain, commits: EpochCommit[]) {
  c.gateway.lie("epoch.list", async () => ({ commits, hasMore: false }));
}

describe("a gateway serving commits that do not chain", () => {
  it("refuses a commit for e+1 whose prevHash is another commit's (bad_chain), live and listed", async () => {
    const c = await chain();
    // Built on a different epoch 2 than the one the client holds.
    const otherE2 = await commitBy({ principalId: c.bob.principal.id, identity: c.bob.identity }, c.e1, c.members, {
      reason: "rotate",
    });
    const e3 = await commitBy({ principalId: c.bob.principal.id, identity: c.bob.identity }, otherE2.commit, c.members);
    expect(e3.commit.epoch).toBe(3);
    listLie(c, [e3.commit]);
    expect(reasonOf(await rejectionOf(c.conv.onCommit(e3.commit)))).toBe("bad_chain");
    expect(reasonOf(await rejectionOf(c.conv.sync()))).toBe("bad_chain");
    unchanged(c);
  });

  it("refuses a commit of another conversation (bad_chain)", async () => {
    const c = await chain();
    const bobAs = { principalId: c.bob.principal.id, identity: c.bob.identity };
    let prev: EpochCommit | undefined;
    for (let epoch = 1; epoch <= 3; epoch++) {
      prev = (await commitBy(bobAs, prev, c.members, { convId: OTHER_CONV, reason: epoch === 1 ? "create" : "rotate" }))
        .commit;
    }
    const other = prev as EpochCommit;
    expect(other.epoch).toBe(3);
    listLie(c, [other]);
    expect(reasonOf(await rejectionOf(c.conv.onCommit(other)))).toBe("bad_chain");
    expect(reasonOf(await rejectionOf(c.conv.sync()))).toBe("bad_chain");
    unchanged(c);
  });

  it("refuses a second, different commit for the head's epoch (a fork), and the commit built on it", async () => {
    const c = await chain();
    const bobAs = { principalId: c.bob.principal.id, identity: c.bob.identity };
    const fork = await commitBy(bobAs, c.e1, c.members, { reason: "rotate", teamBoxPk: c.teamBoxPk });
    const onFork = await commitBy(bobAs, fork.commit, c.members, { teamBoxPk: c.teamBoxPk });
    listLie(c, [fork.commit, onFork.commit]);
    expect(reasonOf(await rejectionOf(c.conv.sync()))).toBe("bad_chain");
    // Live, the fork is ignored (not e+1, not ahead) and the commit on it is refused.
    await c.conv.onCommit(fork.commit);
    listLie(c, [onFork.commit]);
    expect(reasonOf(await rejectionOf(c.conv.onCommit(onFork.commit)))).toBe("bad_chain");
    unchanged(c);
  });
});

describe("a gateway vouching for a commit signed with another key", () => {
  it("skips a commit naming a member's pinned device but signed by another key (bad_signature), and goes on", async () => {
    const c = await chain();
    // Mallory signs, the commit names Bob and Bob's pinned device.
    const lie = await commitBy(
      { principalId: c.bob.principal.id, identity: { ...c.mallory.identity, deviceId: c.bob.identity.deviceId } },
      c.e2.commit,
      c.members,
      { reason: "rotate", teamBoxPk: c.teamBoxPk },
    );
    c.gateway.push(lie.commit);
    expect(await skippedReason(c.errors, c.conv.onCommit(lie.commit))).toBe("bad_signature");
    await c.conv.sync(); // nothing new: the skipped commit is the tip
    skippedOver(c);
    await goesOn(c, lie.commit);
    // Epoch 4 chains to it by hash, but the skipped commit is never taken as verified.
    await c.conv.loadChain(1);
    expect(c.conv.commitAt(2)).toEqual(c.e2.commit);
    expect(c.conv.commitAt(3)).toBeUndefined();
    // Nor by the next session, which starts from the stored head (epoch 4) and fetches what lies below
    // by hash: the skipped commit's signature fails, so the walk stops there.
    const next = await openSession(c.gateway, c.alice.principal, c.storage);
    const again = await next.session.conversation(CONV);
    await again.loadChain(1);
    expect(again.head?.epoch).toBe(4);
    expect(again.commitAt(3)).toBeUndefined();
    expect(again.commitAt(2)).toBeUndefined();
  });
});

describe("a gateway calling a customer an agent", () => {
  /** conv.get lists Mallory, a customer, as the shop's agent. */
  async function malloryIsAnAgent(c: Chain) {
    c.gateway.setMembers(CONV, [
      { principalId: c.alice.principal.id, role: "owner" },
      { principalId: c.bob.principal.id, role: "member" },
      { principalId: c.mallory.principal.id, role: "agent" },
    ]);
    // Alice's next send reads the roles.
    await c.session.onEvent({
      type: "membership",
      convId: CONV,
      principalId: "p_mallory",
      change: "joined",
      by: "p_mallory",
      ts: 1,
    });
    await c.session.seal(
      {
        v: ENVELOPE_VERSION,
        convId: CONV,
        epoch: 0,
        msgId: "m_alice_reads_roles_01",
        senderDevice: c.session.identity.deviceId,
        ts: 1,
      },
      { type: "text", text: "hi" },
    );
    expect(c.gateway.callsOf("conv.get").length).toBeGreaterThan(0);
    expect(c.conv.epoch).toBe(2);
  }

  const malloryAs = (c: Chain) => ({ principalId: c.mallory.principal.id, identity: c.mallory.identity });
  const withMallory = (c: Chain) => [
    ...c.members,
    { principalId: c.mallory.principal.id, devices: [c.mallory.record] },
  ];

  it("skips that principal's commit without a team signature (not_a_member)", async () => {
    const c = await chain();
    await malloryIsAnAgent(c);
    const lie = await commitBy(malloryAs(c), c.e2.commit, withMallory(c), { teamBoxPk: c.teamBoxPk });
    c.gateway.push(lie.commit);
    expect(await skippedReason(c.errors, c.conv.onCommit(lie.commit))).toBe("not_a_member");
    skippedOver(c);
    expect(await openCommitKey(lie.commit, c.mallory.identity)).toBeDefined(); // the key Mallory would have had
  });

  it("skips it with a team signature by Mallory's own key under the real team key's version", async () => {
    const c = await chain();
    await malloryIsAnAgent(c);
    const lie = await commitBy(malloryAs(c), c.e2.commit, withMallory(c), {
      teamBoxPk: c.teamBoxPk,
      teamSigner: { version: 1, signSk: c.mallory.identity.sign.secretKey },
    });
    c.gateway.push(lie.commit);
    expect(await skippedReason(c.errors, c.conv.onCommit(lie.commit))).toBe("not_a_member");
    skippedOver(c);
  });

  it("skips it with a team signature by a team key record the gateway forged in the pinned creator's name", async () => {
    const c = await chain();
    await malloryIsAnAgent(c);
    // Version 2, named as made by the admin's pinned device but signed by Mallory's.
    const forged = await createTeamKey({
      identity: { ...c.mallory.identity, deviceId: c.admin.identity.deviceId },
      principalId: c.admin.principal.id,
      shopId: SHOP,
      version: 2,
      now: T0,
    });
    c.gateway.teamRecords.set(2, forged.record);
    const lie = await commitBy(malloryAs(c), c.e2.commit, withMallory(c), {
      teamBoxPk: fromBase64Url(forged.record.boxPk),
      teamSigner: { version: 2, signSk: sodium.crypto_sign_seed_keypair(forged.secret.sigSeed).privateKey },
    });
    c.gateway.push(lie.commit);
    expect(await skippedReason(c.errors, c.conv.onCommit(lie.commit))).toBe("not_a_member");
    expect(c.gateway.callsOf("team.get").some((call) => (call.body as { version?: number }).version === 2)).toBe(true);
    skippedOver(c);
  });

  it("skips it when the forged record names the admin's device and the gateway also serves other keys for it", async () => {
    const c = await chain();
    await malloryIsAnAgent(c);
    const swapped = { ...c.mallory.identity, deviceId: c.admin.identity.deviceId };
    const forged = await createTeamKey({
      identity: swapped,
      principalId: c.admin.principal.id,
      shopId: SHOP,
      version: 2,
      now: T0,
    });
    c.gateway.serveDevice(await signDeviceRecord(swapped, c.admin.principal.id)); // a key change: never adopted
    c.gateway.teamRecords.set(2, forged.record);
    const lie = await commitBy(malloryAs(c), c.e2.commit, withMallory(c), {
      teamBoxPk: fromBase64Url(forged.record.boxPk),
      teamSigner: { version: 2, signSk: sodium.crypto_sign_seed_keypair(forged.secret.sigSeed).privateKey },
    });
    c.gateway.push(lie.commit);
    expect(await skippedReason(c.errors, c.conv.onCommit(lie.commit))).toBe("not_a_member");
    skippedOver(c);
  });
});

describe("a gateway listing commits with gaps or out of order", () => {
  it("does not skip an omitted epoch: no key for e+2 without a verified e+1", async () => {
    const c = await chain();
    listLie(c, [c.e4.commit]);
    expect(reasonOf(await rejectionOf(c.conv.sync()))).toBe("bad_chain");
    unchanged(c);
    // A message of epoch 4 stays closed, without plaintext.
    const message = await storedMessage({
      sender: c.bob.principal.id,
      identity: c.bob.identity,
      epoch: 4,
      epochKey: c.e4.epochKey,
      body: { type: "text", text: "said in epoch 4" },
    });
    const error = await rejectionOf(c.session.open(message));
    expect(error).toBeInstanceOf(CommitError);
    expect(String(error)).not.toContain("said in epoch 4");
    unchanged(c);
  });

  it("does not apply commits out of order, and applies them once the list is honest", async () => {
    const c = await chain();
    listLie(c, [c.e4.commit, c.e3.commit]);
    expect(reasonOf(await rejectionOf(c.conv.sync()))).toBe("bad_chain");
    unchanged(c);
    c.gateway.truth("epoch.list");
    c.gateway.push(c.e3.commit);
    c.gateway.push(c.e4.commit);
    await c.conv.sync();
    expect(c.conv.epoch).toBe(4);
    expect(c.conv.keyFor(3)).toEqual(c.e3.epochKey);
    expect(c.conv.keyFor(4)).toEqual(c.e4.epochKey);
  });

  it("keeps the good prefix of a list that breaks later (e+1 applied, a skipped e+3 refused)", async () => {
    const c = await chain();
    const e5 = await commitBy({ principalId: c.bob.principal.id, identity: c.bob.identity }, c.e4.commit, c.members, {
      reason: "rotate",
      teamBoxPk: c.teamBoxPk,
    });
    listLie(c, [c.e3.commit, e5.commit]);
    expect(reasonOf(await rejectionOf(c.conv.sync()))).toBe("bad_chain");
    expect(c.conv.epoch).toBe(3);
    expect(c.conv.keyFor(3)).toEqual(c.e3.epochKey);
    expect(c.conv.keyFor(5)).toBeUndefined();
  });

  it("fetches the gap when a live commit is ahead of the head", async () => {
    const c = await chain();
    c.gateway.push(c.e3.commit);
    c.gateway.push(c.e4.commit);
    await c.conv.onCommit(c.e4.commit);
    expect(c.conv.epoch).toBe(4);
    expect(c.gateway.callsOf("epoch.list").at(-1)?.body).toMatchObject({ convId: CONV, after: 2 });
  });
});
