/**
 * ConversationEpochs without a network: which commit added a principal, which
 * keys a device may pass on, and how granted keys sit beside the keys from
 * commits. A scripted gateway: a real gateway cannot be made to lie; this is
 * the only way to produce these cases (here it only serves a fixed chain).
 */
import { describe, expect, it } from "vitest";
import { DeviceDirectory } from "../crypto/device-directory.js";
import { EpochKeyring } from "../crypto/keyring.js";
import { createEpochKey } from "../crypto/seal-box.js";
import type { EpochCommit } from "../protocol/models.js";
import { type KeyValueStorage, memoryStorage } from "../storage.js";
import { ConversationEpochs } from "./conversation-epochs.js";
import { type Actor, actor, CONV, commitBy, LyingGateway } from "./lying-gateway.test-support.js";
import { fetchOlderCommits } from "./older-commits.js";
import { TeamKeyHolder } from "./team-key-holder.js";

const alice = await actor("p_alice");
const bob = await actor("p_bob");
const aliceAs = { principalId: "p_alice", identity: alice.identity };
const bobAs = { principalId: "p_bob", identity: bob.identity };
const onlyAlice = [{ principalId: "p_alice", devices: [alice.record] }];
const both = [...onlyAlice, { principalId: "p_bob", devices: [bob.record] }];

// e1 alice; e2 alice adds bob; e3 bob rotates; e4 alice removes bob; e5 alice adds bob again (policy full).
const e1 = await commitBy(aliceAs, undefined, onlyAlice);
const e2 = await commitBy(aliceAs, e1.commit, both, { reason: "add" });
const e3 = await commitBy(bobAs, e2.commit, both, { reason: "rotate" });
const e4 = await commitBy(aliceAs, e3.commit, onlyAlice, { reason: "remove" });
const e5 = await commitBy(aliceAs, e4.commit, both, { reason: "add", historyPolicy: "full" });
const chain = [e1, e2, e3, e4, e5];

/** `who`'s view of the conversation, with the gateway serving the first `served` commits. */
async function viewOf(who: Actor, served: number, storage: KeyValueStorage = memoryStorage()) {
  const gateway = new LyingGateway();
  gateway.serveDevice(alice.record);
  gateway.serveDevice(bob.record);
  gateway.setMembers(CONV, [
    { principalId: "p_alice", role: "owner" },
    { principalId: "p_bob", role: "member" },
  ]);
  for (const c of chain.slice(0, served)) gateway.push(c.commit);
  const directory = await DeviceDirectory.open({ storage, storageKey: "devices" });
  await directory.learn([alice.record, bob.record]);
  const request = gateway.rpcFor(who.principal);
  const keyring = await EpochKeyring.open({ storage, convId: CONV, identity: who.identity, directory });
  const team = new TeamKeyHolder({ request, storage, identity: who.identity, principal: who.principal, directory });
  const conv = new ConversationEpochs({
    convId: CONV,
    request,
    identity: who.identity,
    principal: who.principal,
    directory,
    team,
    keyring,
  });
  return { conv, gateway, storage };
}

const keyOf = (n: number) => (chain[n - 1] as { epochKey: Uint8Array }).epochKey;
const commitOf = (n: number) => (chain[n - 1] as { commit: EpochCommit }).commit;

describe("ConversationEpochs.commitAdding", () => {
  it("finds the commit whose predecessor did not list the principal", async () => {
    const { conv } = await viewOf(alice, 3);
    expect(await conv.commitAdding("p_bob")).toEqual(commitOf(2));
    expect(await conv.commitAdding("p_alice")).toEqual(commitOf(1));
  });

  it("syncs first, and finds the newest addition after a removal", async () => {
    const { conv, gateway } = await viewOf(alice, 5);
    expect(await conv.commitAdding("p_bob")).toEqual(commitOf(5));
    expect(gateway.callsOf("epoch.list")).toHaveLength(1);
  });

  it("is undefined for a principal the head does not list", async () => {
    const { conv } = await viewOf(alice, 4);
    expect(await conv.commitAdding("p_bob")).toBeUndefined();
    expect(await conv.commitAdding("p_carol")).toBeUndefined();
  });

  it("fetches the commits from before this session, kept when they chain back to the head", async () => {
    const storage = memoryStorage();
    const first = await viewOf(alice, 3, storage);
    await first.conv.sync();
    const reopened = await viewOf(alice, 3, storage);
    expect(reopened.conv.epoch).toBe(3);
    expect(reopened.conv.commitAt(2)).toBeUndefined();
    expect(await reopened.conv.commitAdding("p_bob")).toEqual(commitOf(2));
    expect(reopened.conv.commitAt(1)).toEqual(commitOf(1));
    expect(reopened.gateway.callsOf("epoch.list").at(-1)?.body).toMatchObject({ after: 0, limit: 2 });
  });

  it("refuses older commits the gateway altered, and then cannot tell who added whom", async () => {
    const storage = memoryStorage();
    const first = await viewOf(alice, 3, storage);
    await first.conv.sync();
    const reopened = await viewOf(alice, 3, storage);
    // The gateway serves an epoch 2 re-signed by Alice's device with an earlier time: it no longer
    // hashes to the prevHash of the head Alice's device verified.
    const forged = await commitBy(aliceAs, e1.commit, both, { reason: "add", now: 1 });
    reopened.gateway.lie("epoch.list", async (_body, honest) => {
      const answer = await honest();
      return { ...answer, commits: answer.commits.map((c) => (c.epoch === 2 ? forged.commit : c)) };
    });
    expect(await reopened.conv.commitAdding("p_bob")).toBeUndefined();
    expect(reopened.conv.commitAt(2)).toBeUndefined();
    expect(reopened.conv.commitAt(1)).toBeUndefined();
  });
});

describe("fetchOlderCommits", () => {
  it("stops when the gateway serves the same page again, keeping the verified run below the trusted commit", async () => {
    const gateway = new LyingGateway();
    for (const c of chain) gateway.push(c.commit);
    // Every page answers epochs 3 and 4 only, whatever `after` says.
    gateway.lie("epoch.list", async () => ({ commits: [commitOf(3), commitOf(4)], hasMore: true }));
    const older = await fetchOlderCommits(gateway.rpcFor(alice.principal), CONV, commitOf(5), 1);
    expect(older.map((c) => c.epoch)).toEqual([4, 3]);
    expect(gateway.callsOf("epoch.list").length).toBeLessThanOrEqual(3);
  });

  it("pages through long chains", async () => {
    const gateway = new LyingGateway();
    for (const c of chain) gateway.push(c.commit);
    const rpc = gateway.rpcFor(alice.principal);
    const limited: typeof rpc = ((op: "epoch.list", body: { convId: string; after: number; limit?: number }) =>
      rpc(op, { ...body, limit: 1 })) as typeof rpc;
    const older = await fetchOlderCommits(limited, CONV, commitOf(5), 2);
    expect(older.map((c) => c.epoch)).toEqual([4, 3, 2]);
    expect(gateway.callsOf("epoch.list")).toHaveLength(3);
  });
});

describe("ConversationEpochs.heldKeys", () => {
  it("gives the keys of the epochs before the bound that this device holds", async () => {
    const { conv } = await viewOf(alice, 5);
    await conv.sync();
    const held = await conv.heldKeys(5);
    expect([...held.keys()]).toEqual([1, 2, 3, 4]);
    for (const [epoch, key] of held) expect(key).toEqual(keyOf(epoch));
    expect([...(await conv.heldKeys(1)).keys()]).toEqual([]);
  });

  it("skips the epochs this device was not in, and includes granted ones", async () => {
    const { conv } = await viewOf(bob, 5);
    await conv.sync();
    expect([...(await conv.heldKeys(6)).keys()]).toEqual([2, 3, 5]);
    expect(conv.acceptGrant(new Map([[1, keyOf(1)]]), "p_alice")).toBe(1);
    expect([...(await conv.heldKeys(6)).keys()]).toEqual([1, 2, 3, 5]);
  });
});

describe("ConversationEpochs.acceptGrant and grantedBy", () => {
  it("adds only keys for epochs without one, and says who granted them", async () => {
    const { conv } = await viewOf(bob, 5);
    await conv.sync();
    const keys = new Map([
      [1, keyOf(1)],
      [2, createEpochKey()], // held from its commit: not replaced
      [4, keyOf(4)],
    ]);
    expect(conv.acceptGrant(keys, "p_alice")).toBe(2);
    expect(conv.keyFor(1)).toEqual(keyOf(1));
    expect(conv.keyFor(2)).toEqual(keyOf(2));
    expect(conv.keyFor(4)).toEqual(keyOf(4));
    expect(conv.grantedBy(1)).toBe("p_alice");
    expect(conv.grantedBy(4)).toBe("p_alice");
    expect(conv.grantedBy(2)).toBeUndefined();
    expect(conv.grantedBy(3)).toBeUndefined();
    expect([...conv.grantedKeys().keys()]).toEqual([1, 4]);
  });

  it("keeps the first grant of an epoch: a later one neither replaces the key nor the granter", async () => {
    const { conv } = await viewOf(bob, 5);
    await conv.sync();
    expect(conv.acceptGrant(new Map([[1, keyOf(1)]]), "p_alice")).toBe(1);
    expect(conv.acceptGrant(new Map([[1, createEpochKey()]]), "p_mallory")).toBe(0);
    expect(conv.keyFor(1)).toEqual(keyOf(1));
    expect(conv.grantedBy(1)).toBe("p_alice");
  });

  it("holds the verified commits of the epochs applied in this session", async () => {
    const { conv } = await viewOf(bob, 5);
    await conv.sync();
    expect(conv.commitAt(4)).toEqual(commitOf(4));
    expect(conv.commitAt(5)).toEqual(commitOf(5));
    expect(conv.commitAt(6)).toBeUndefined();
  });
});
