/**
 * A conversation whose cached head epoch lags its commits, on the MongoDB
 * adapter (FerretDB here, `MONGODB_URI` for a real MongoDB). On FerretDB an
 * update is a read and a write, so one gateway's update of a conversation
 * (an append's `lastSeq`) can put back the `epoch` another gateway had just
 * moved; a crash between storing a commit and moving the head leaves the same
 * state on any MongoDB. The lag is made here by writing the conversation's
 * old `epoch` back, which is what such a lost update leaves. Requests under
 * the real head must go through (and repair the cached head); requests past
 * every stored commit are still refused. Before the fix every send under the
 * real head was `stale_epoch` and every next commit `conflict`, for good.
 */
import type { ParleyClient } from "@parley/sdk";
import type { EpochCommit } from "@parley/sdk/protocol";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFor, type Device, envelope, registeredDevice } from "./harness/epoch-fixtures.js";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { startStack, type TestStack } from "./harness/stack.js";

describe("a head epoch lagging its commits (MongoDB adapter)", () => {
  let mongo: MongoForTests;
  let raw: MongoClient;
  let stack: TestStack;
  let owner: ParleyClient;
  let device: Device;

  beforeAll(async () => {
    mongo = await mongoForTests();
    raw = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 10_000 });
    stack = await startStack({ mongo: { uri: mongo.uri, dbName: mongo.dbName } });
    owner = stack.customer("lagging-head-owner");
    await owner.connect();
    device = await registeredDevice(owner);
  });
  afterAll(async () => {
    await owner?.close();
    await stack?.[Symbol.asyncDispose]();
    await raw?.close();
    await mongo?.[Symbol.asyncDispose]();
  });

  /** A conversation with commits 1..n, its cached head then put back to `cached` (a lost update's result). */
  async function lagging(n: number, cached: number): Promise<{ convId: string; commits: EpochCommit[] }> {
    const { id: convId } = await owner.openConversation();
    const commits: EpochCommit[] = [];
    for (let epoch = 1; epoch <= n; epoch++) {
      const commit = await commitFor(convId, commits.at(-1), device, [device]);
      await owner.request("epoch.commit", { commit });
      commits.push(commit);
    }
    const conversations = raw.db(mongo.dbName).collection("conversations");
    await conversations.updateOne({ id: convId }, { $set: { epoch: cached } });
    expect((await owner.request("conv.get", { convId })).conversation.epoch).toBe(cached);
    return { convId, commits };
  }

  const headOf = async (convId: string) => (await owner.request("conv.get", { convId })).conversation.epoch;

  it("takes a send sealed under the real head and moves the cached head up to it", async () => {
    const { convId } = await lagging(2, 1);
    const sent = await owner.request("msg.send", { convId, envelope: envelope(convId, 2) });
    expect(sent.duplicate).toBe(false);
    expect(await headOf(convId)).toBe(2);
    // The cached epoch is no looser than the commits: the old epoch is refused now.
    await expect(owner.request("msg.send", { convId, envelope: envelope(convId, 1) })).rejects.toMatchObject({
      code: "stale_epoch",
    });
  });

  it("still refuses a send under an epoch no commit reached, and leaves the head alone", async () => {
    const { convId } = await lagging(2, 1);
    await expect(owner.request("msg.send", { convId, envelope: envelope(convId, 3) })).rejects.toMatchObject({
      code: "stale_epoch",
    });
    // Asking the commits repaired the cached head to the real one, not to the claimed one.
    expect(await headOf(convId)).toBe(2);
  });

  it("accepts the commit after the real head (was: conflict against the cached head)", async () => {
    const { convId, commits } = await lagging(3, 1);
    const next = await commitFor(convId, commits.at(-1), device, [device]);
    expect(await owner.request("epoch.commit", { commit: next })).toEqual({ epoch: 4 });
    expect(await headOf(convId)).toBe(4);
    // A commit that skips one is still a conflict.
    const after = await commitFor(convId, next, device, [device]);
    const skipping = await commitFor(convId, after, device, [device]);
    await expect(owner.request("epoch.commit", { commit: skipping })).rejects.toMatchObject({ code: "conflict" });
  });

  it("relays a live signal sealed under the real head", async () => {
    const { convId } = await lagging(2, 0);
    expect(await owner.request("signal.live", { convId, envelope: envelope(convId, 2) })).toEqual({ ok: true });
    expect(await headOf(convId)).toBe(2);
  });

  it("stores a key backup for a committed epoch above the cached head", async () => {
    const { convId } = await lagging(2, 1);
    const entry = { convId, epoch: 2, v: 1, ct: "A".repeat(96) };
    expect(await owner.request("keys.backup.put", { entries: [entry] })).toEqual({ stored: 1 });
    expect((await owner.request("keys.backup.list", { convId, after: 0 })).entries).toEqual([entry]);
  });
});
