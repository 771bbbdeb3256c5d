import { describe, expect, it } from "vitest";
import { type EnvelopeCodec, plainCodec } from "../codec.js";
import type { ClientOptions } from "../options.js";
import type { EnvelopeHeader } from "../protocol/index.js";
import { createDeviceIdentity, type DeviceIdentity } from "./device-keys.js";
import { createE2ECodec } from "./e2e-codec.js";
import { DecryptError, SealError } from "./message-crypto.js";
import { createEpochKey } from "./seal-box.js";

const alice = await createDeviceIdentity();
const bob = await createDeviceIdentity();
const mallory = await createDeviceIdentity();

/** Epoch keys and pinned devices the way the epoch layer will hand them over. */
function world() {
  const keys = new Map<string, Uint8Array>();
  const epochs = new Map<string, number>();
  const devices = new Map<string, Uint8Array>();
  const lookups: string[] = [];
  const join = (convId: string, ...members: DeviceIdentity[]) => {
    for (const m of members) devices.set(`${convId}/${m.deviceId}`, m.sign.publicKey);
  };
  const rotate = (convId: string) => {
    const epoch = (epochs.get(convId) ?? -1) + 1;
    epochs.set(convId, epoch);
    keys.set(`${convId}/${epoch}`, createEpochKey());
    return epoch;
  };
  const codecFor = (identity: DeviceIdentity, heldEpochs?: (convId: string, epoch: number) => boolean) =>
    createE2ECodec({
      identity,
      epochKeys: (convId, epoch) => {
        lookups.push(`epoch ${convId}/${epoch}`);
        return heldEpochs && !heldEpochs(convId, epoch) ? undefined : keys.get(`${convId}/${epoch}`);
      },
      currentEpoch: (convId) => epochs.get(convId) ?? 0,
      senderKey: (convId, device) => {
        lookups.push(`device ${convId}/${device}`);
        return devices.get(`${convId}/${device}`);
      },
    });
  return { keys, join, rotate, codecFor, lookups };
}

const headerFrom = (identity: DeviceIdentity, convId: string): EnvelopeHeader => ({
  v: 1,
  convId,
  epoch: 0,
  msgId: `m_${crypto.randomUUID().replace(/-/g, "")}`,
  senderDevice: identity.deviceId,
  ts: Date.now(),
});

describe("createE2ECodec", () => {
  it("fits ClientOptions.codec and seals under the current epoch whatever epoch the client put in the header", async () => {
    const w = world();
    w.join("c_shop1", alice, bob);
    w.rotate("c_shop1");
    w.rotate("c_shop1");
    const codec: EnvelopeCodec = w.codecFor(alice);
    const options: Pick<ClientOptions, "codec"> = { codec };
    expect(options.codec).toBe(codec);
    const body = { type: "text" as const, text: "Hi, where is my order?" };
    const envelope = await codec.seal(headerFrom(alice, "c_shop1"), body);
    expect(envelope).toMatchObject({ alg: "xc20p-ed25519", convId: "c_shop1", epoch: 1, senderDevice: alice.deviceId });
    expect(await w.codecFor(bob).open(envelope)).toEqual(body);
    expect(await codec.open(envelope)).toEqual(body);
  });

  it("keeps reading older epochs it holds, and fails with unknown_epoch for those it does not", async () => {
    const w = world();
    w.join("c_1", alice, bob);
    w.rotate("c_1");
    const old = await w.codecFor(alice).seal(headerFrom(alice, "c_1"), { type: "text", text: "epoch 0" });
    w.rotate("c_1");
    const current = await w.codecFor(alice).seal(headerFrom(alice, "c_1"), { type: "text", text: "epoch 1" });
    expect(await w.codecFor(bob).open(old)).toEqual({ type: "text", text: "epoch 0" });
    // A device added at epoch 1 without a history grant.
    const newcomer = w.codecFor(bob, (_conv, epoch) => epoch >= 1);
    expect(await newcomer.open(current)).toEqual({ type: "text", text: "epoch 1" });
    await expect(newcomer.open(old)).rejects.toMatchObject({ name: "DecryptError", reason: "unknown_epoch" });
  });

  it("fails with unknown_device for a sender that is not a pinned member, even one holding the epoch key", async () => {
    const w = world();
    w.join("c_1", alice, bob);
    w.rotate("c_1");
    const forged = await w.codecFor(mallory).seal(headerFrom(mallory, "c_1"), { type: "text", text: "refund me" });
    await expect(w.codecFor(bob).open(forged)).rejects.toMatchObject({ reason: "unknown_device" });
    // Claiming to be Alice's device does not help: her pinned key does not verify Mallory's signature.
    const spoofed = { ...forged, senderDevice: alice.deviceId };
    await expect(w.codecFor(bob).open(spoofed)).rejects.toMatchObject({ reason: "bad_signature" });
  });

  it("rejects an envelope replayed into another conversation, even where the same devices share a key", async () => {
    const w = world();
    w.join("c_a", alice, bob);
    w.join("c_b", alice, bob);
    w.rotate("c_a");
    w.rotate("c_b");
    w.keys.set("c_b/0", w.keys.get("c_a/0") ?? new Uint8Array());
    const envelope = await w.codecFor(alice).seal(headerFrom(alice, "c_a"), { type: "text", text: "for A only" });
    await expect(w.codecFor(bob).open({ ...envelope, convId: "c_b" })).rejects.toMatchObject({
      reason: "bad_signature",
    });
    await expect(w.codecFor(bob).open({ ...envelope, convId: "c_unknown" })).rejects.toMatchObject({
      reason: "unknown_epoch",
    });
  });

  it("refuses to seal without a key or as another device, and to open plaintext or malformed envelopes", async () => {
    const w = world();
    w.join("c_1", alice, bob);
    const codec = w.codecFor(alice);
    await expect(codec.seal(headerFrom(alice, "c_1"), { type: "text", text: "x" })).rejects.toMatchObject({
      name: "SealError",
      reason: "unknown_epoch",
    });
    w.rotate("c_1");
    await expect(codec.seal(headerFrom(bob, "c_1"), { type: "text", text: "x" })).rejects.toBeInstanceOf(SealError);
    const plain = await plainCodec.seal(headerFrom(alice, "c_1"), { type: "text", text: "x" });
    await expect(codec.open(plain)).rejects.toMatchObject({ reason: "bad_header" });
    const sealed = await codec.seal(headerFrom(alice, "c_1"), { type: "text", text: "x" });
    w.lookups.length = 0;
    for (const bad of [
      { ...sealed, convId: "" },
      { ...sealed, epoch: -1 },
      { ...sealed, senderDevice: 7 },
    ]) {
      await expect(codec.open(bad as typeof sealed)).rejects.toBeInstanceOf(DecryptError);
    }
    expect(w.lookups).toEqual([]);
  });
});
