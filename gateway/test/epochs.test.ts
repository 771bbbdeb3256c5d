/**
 * The gateway's side of the epoch chain: device registration, commit
 * compare-and-set, commit fan-out, and sends pinned to the head epoch. The
 * gateway verifies what it can without content (signature, chain, members:
 * commit-checks.ts), so the commits here are real ones (`buildCommit`); the
 * attacks on those checks are rows in attack/epochs.test.ts.
 */
import type { ParleyClient } from "@parley/sdk";
import { createDeviceIdentity, signDeviceRecord } from "@parley/sdk/crypto";
import type { EpochCommit } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFor, envelope, random, registeredDevice } from "./harness/epoch-fixtures.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

describe("epochs at the gateway", () => {
  let stack: TestStack;
  let owner: ParleyClient;
  let friend: ParleyClient;
  let stranger: ParleyClient;
  let agent: ParleyClient;
  beforeAll(async () => {
    stack = await startStack();
    owner = stack.customer("epoch-owner");
    friend = stack.customer("epoch-friend");
    stranger = stack.customer("epoch-stranger");
    agent = stack.agent();
    for (const c of [owner, friend, stranger, agent]) await c.connect();
  });
  afterAll(async () => {
    for (const c of [owner, friend, stranger, agent]) await c?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  it("registers a device record for its own principal only, and keeps it across sessions", async () => {
    const { record } = await registeredDevice(owner);
    const foreign = await signDeviceRecord(await createDeviceIdentity(), friend.principal.id);
    await expect(owner.request("device.register", { record: foreign })).rejects.toMatchObject({ code: "forbidden" });
    const again = stack.customer("epoch-owner");
    await again.connect();
    const { devices } = await again.request("device.list", { principalIds: [owner.principal.id] });
    expect(devices).toContainEqual(record);
    await again.close();
  });

  it("shows device records to conversation partners and the shop's team, not to strangers", async () => {
    const conv = await owner.openConversation();
    const ownerDevice = await registeredDevice(owner);
    await friend.updateProfile({ handle: "epoch_friend" });
    await friend.acceptInvite((await owner.invite(conv.id, "epoch_friend")).id);
    const ids = { principalIds: [owner.principal.id] };
    expect((await friend.request("device.list", ids)).devices).toContainEqual(ownerDevice.record);
    expect((await agent.request("device.list", ids)).devices).toContainEqual(ownerDevice.record);
    expect((await stranger.request("device.list", ids)).devices).toEqual([]);
  });

  it("keeps serving a removed member's device records to members whose chain names it, and only to them", async () => {
    const host = stack.customer("epoch-host");
    const leaver = stack.customer("epoch-leaver");
    const late = stack.customer("epoch-late");
    for (const c of [host, leaver, late]) await c.connect();
    await leaver.updateProfile({ handle: "epoch_leaver" });
    await late.updateProfile({ handle: "epoch_late" });
    const conv = await host.openConversation();
    await leaver.acceptInvite((await host.invite(conv.id, "epoch_leaver")).id);
    const hostDevice = await registeredDevice(host);
    const leaverDevice = await registeredDevice(leaver);
    await host.request("epoch.commit", {
      commit: await commitFor(conv.id, undefined, hostDevice, [hostDevice, leaverDevice]),
    });
    await host.removeMember(conv.id, leaver.principal.id);
    await late.acceptInvite((await host.invite(conv.id, "epoch_late")).id);
    const ids = { principalIds: [leaver.principal.id] };
    // The late member never shared the conversation with the leaver, but epoch 1 names it.
    expect((await late.request("device.list", ids)).devices).toContainEqual(leaverDevice.record);
    expect((await stranger.request("device.list", ids)).devices).toEqual([]);
    for (const c of [host, leaver, late]) await c.close();
  });

  it("accepts exactly one of two concurrent commits for the next epoch and fans the winner out", async () => {
    const conv = await owner.openConversation();
    await friend.acceptInvite((await owner.invite(conv.id, "epoch_friend")).id);
    const ownerDevice = await registeredDevice(owner);
    const friendDevice = await registeredDevice(friend);
    // Commit events reach members on their user subject and agents on the team subject.
    const toFriend: EpochCommit[] = [];
    const toAgent: EpochCommit[] = [];
    const offFriend = friend.on("commit", (c) => toFriend.push(c));
    const offAgent = agent.on("commit", (c) => toAgent.push(c));
    const both = [ownerDevice, friendDevice];
    const results = await Promise.allSettled([
      owner.request("epoch.commit", { commit: await commitFor(conv.id, undefined, ownerDevice, both) }),
      friend.request("epoch.commit", { commit: await commitFor(conv.id, undefined, friendDevice, both) }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: "conflict" });
    const { commits } = await owner.request("epoch.list", { convId: conv.id, after: 0 });
    expect(commits).toHaveLength(1);
    await waitFor(() => toFriend.length === 1 && toAgent.length === 1, "commit events");
    expect(toFriend).toEqual(commits);
    expect(toAgent).toEqual(commits);
    offFriend();
    offAgent();
    // A gap is refused too: the head is 1, so epoch 3 is not next.
    const two = await commitFor(conv.id, commits[0], ownerDevice, both);
    await expect(
      owner.request("epoch.commit", { commit: await commitFor(conv.id, two, ownerDevice, both) }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect((await owner.request("conv.get", { convId: conv.id })).conversation.epoch).toBe(1);
  });

  it("refuses commits from outsiders, for someone else, or from an unregistered device", async () => {
    const conv = await owner.openConversation();
    const ownerDevice = await registeredDevice(owner);
    const strangerDevice = await registeredDevice(stranger);
    await expect(
      stranger.request("epoch.commit", {
        commit: await commitFor(conv.id, undefined, strangerDevice, [strangerDevice]),
      }),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(
      stranger.request("epoch.commit", { commit: await commitFor(conv.id, undefined, ownerDevice, [ownerDevice]) }),
    ).rejects.toMatchObject({ code: "forbidden" });
    const identity = await createDeviceIdentity();
    const unregistered = { identity, record: await signDeviceRecord(identity, owner.principal.id) };
    await expect(
      owner.request("epoch.commit", { commit: await commitFor(conv.id, undefined, unregistered, [unregistered]) }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect((await owner.request("epoch.list", { convId: conv.id, after: 0 })).commits).toEqual([]);
  });

  it("refuses commits that do not verify (bad_commit) or list other members or devices (conflict)", async () => {
    const conv = await owner.openConversation();
    const device = await registeredDevice(owner);
    const good = await commitFor(conv.id, undefined, device, [device]);
    const tampered = { ...good, ts: good.ts + 1 };
    await expect(owner.request("epoch.commit", { commit: tampered })).rejects.toMatchObject({ code: "bad_commit" });
    const friendDevice = await registeredDevice(friend);
    const withFriend = await commitFor(conv.id, undefined, device, [device, friendDevice]);
    await expect(owner.request("epoch.commit", { commit: withFriend })).rejects.toMatchObject({ code: "conflict" });
    const identity = await createDeviceIdentity();
    const unregistered = { identity, record: await signDeviceRecord(identity, owner.principal.id) };
    const withUnregistered = await commitFor(conv.id, undefined, device, [device, unregistered]);
    await expect(owner.request("epoch.commit", { commit: withUnregistered })).rejects.toMatchObject({
      code: "conflict",
    });
    await owner.request("epoch.commit", { commit: good });
    // Epoch 2 over a made-up epoch 1: the prevHash does not continue the stored chain.
    const madeUp = await commitFor(conv.id, undefined, device, [device]);
    const forked = await commitFor(conv.id, madeUp, device, [device]);
    await expect(owner.request("epoch.commit", { commit: forked })).rejects.toMatchObject({ code: "bad_commit" });
    // A record whose self-signature fails is not registered at all.
    const forged = { ...(await signDeviceRecord(await createDeviceIdentity(), owner.principal.id)), sig: random(64) };
    await expect(owner.request("device.register", { record: forged })).rejects.toMatchObject({ code: "bad_request" });
    expect((await owner.request("conv.get", { convId: conv.id })).conversation.epoch).toBe(1);
  });

  it("takes sends only under the head epoch, and no plaintext once the chain has started", async () => {
    const conv = await owner.openConversation();
    const device = await registeredDevice(owner);
    await owner.request("msg.send", { convId: conv.id, envelope: envelope(conv.id, 0, "none") });
    const first = await commitFor(conv.id, undefined, device, [device]);
    await owner.request("epoch.commit", { commit: first });
    await expect(owner.request("msg.send", { convId: conv.id, envelope: envelope(conv.id, 0) })).rejects.toMatchObject({
      code: "stale_epoch",
    });
    await expect(
      owner.request("msg.send", { convId: conv.id, envelope: envelope(conv.id, 1, "none") }),
    ).rejects.toMatchObject({ code: "bad_request" });
    const ok = await owner.request("msg.send", { convId: conv.id, envelope: envelope(conv.id, 1) });
    expect(ok.seq).toBe(2);
    await owner.request("epoch.commit", { commit: await commitFor(conv.id, first, device, [device]) });
    await expect(owner.request("msg.send", { convId: conv.id, envelope: envelope(conv.id, 1) })).rejects.toMatchObject({
      code: "stale_epoch",
    });
    expect((await stack.gateway.store.since(conv.id, 0, 10)).map((m) => m.envelope.epoch)).toEqual([0, 1]);
  });
});
