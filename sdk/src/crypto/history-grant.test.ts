// History grants: sealed to the grantee's devices only, checked against the
// epochs they claim, and refused when damaged or opened by anyone else.
import { describe, expect, it } from "vitest";
import { createDeviceIdentity, signDeviceRecord } from "./device-keys.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import { isHistoryGrantBody, openHistoryGrant, sealHistoryGrant } from "./history-grant.js";
import { DecryptError } from "./message-crypto.js";
import { createEpochKey } from "./seal-box.js";

const keysFor = (...epochs: number[]) => new Map(epochs.map((e) => [e, createEpochKey()]));

describe("history grants", () => {
  it("gives every device of the grantee the same keys, and nobody else any", async () => {
    const phone = await createDeviceIdentity();
    const laptop = await createDeviceIdentity();
    const stranger = await createDeviceIdentity();
    const keys = keysFor(3, 1, 2);
    const records = [await signDeviceRecord(phone, "c_ben"), await signDeviceRecord(laptop, "c_ben")];
    const body = await sealHistoryGrant("c_ben", keys, records);
    expect(body.epochs).toEqual([1, 2, 3]);
    expect(isHistoryGrantBody(body)).toBe(true);
    for (const device of [phone, laptop]) {
      const opened = await openHistoryGrant(body, device);
      expect([...opened.keys()]).toEqual([1, 2, 3]);
      for (const [epoch, key] of keys) expect(opened.get(epoch)).toEqual(key);
    }
    await expect(openHistoryGrant(body, stranger)).rejects.toBeInstanceOf(DecryptError);
    // A stranger that copies a device id still cannot open the box.
    const copied = { ...body, sealed: body.sealed.map((s) => ({ ...s, deviceId: stranger.deviceId })) };
    await expect(openHistoryGrant(copied, stranger)).rejects.toBeInstanceOf(DecryptError);
  });

  it("refuses a grant whose listed epochs differ from what is sealed", async () => {
    const device = await createDeviceIdentity();
    const body = await sealHistoryGrant("c_ben", keysFor(1, 2), [await signDeviceRecord(device, "c_ben")]);
    await expect(openHistoryGrant({ ...body, epochs: [1, 3] }, device)).rejects.toBeInstanceOf(DecryptError);
    await expect(openHistoryGrant({ ...body, epochs: [1] }, device)).rejects.toBeInstanceOf(DecryptError);
    await expect(openHistoryGrant({ ...body, epochs: [1, 2, 3] }, device)).rejects.toBeInstanceOf(DecryptError);
  });

  it("refuses every single-bit flip of the sealed box", async () => {
    const device = await createDeviceIdentity();
    const body = await sealHistoryGrant("c_ben", keysFor(1), [await signDeviceRecord(device, "c_ben")]);
    const variants = flipEveryBit(body.sealed[0]?.box ?? "");
    expect(variants.length).toBe((4 + 32 + 48) * 8);
    let accepted = 0;
    for (const box of variants) {
      const damaged = { ...body, sealed: [{ deviceId: device.deviceId, box }] };
      await openHistoryGrant(damaged, device).then(
        () => accepted++,
        (err) => expect(err).toBeInstanceOf(DecryptError),
      );
    }
    expect(accepted).toBe(0);
  });

  it("checks the shape of a decrypted grant body", () => {
    const ok = { type: "history-grant", grantee: "c_x", epochs: [1, 2], sealed: [{ deviceId: "d_1", box: "AA" }] };
    expect(isHistoryGrantBody(ok)).toBe(true);
    for (const bad of [
      { ...ok, epochs: [] },
      { ...ok, epochs: [2, 1] },
      { ...ok, epochs: [1, 1] },
      { ...ok, epochs: [0] },
      { ...ok, epochs: [1.5] },
      { ...ok, sealed: [] },
      { ...ok, sealed: [{ deviceId: "d_1", box: "AA", extra: 1 }] },
      { ...ok, sealed: [{ deviceId: 7, box: "AA" }] },
      { ...ok, grantee: 5 },
      { ...ok, type: "text" },
      null,
    ]) {
      expect(isHistoryGrantBody(bad)).toBe(false);
    }
  });

  it("refuses to seal nothing, or to no device", async () => {
    const device = await createDeviceIdentity();
    const record = await signDeviceRecord(device, "c_ben");
    await expect(sealHistoryGrant("c_ben", new Map(), [record])).rejects.toThrow(RangeError);
    await expect(sealHistoryGrant("c_ben", keysFor(1), [])).rejects.toThrow(RangeError);
  });
});
