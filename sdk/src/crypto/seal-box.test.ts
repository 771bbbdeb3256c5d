import { describe, expect, it } from "vitest";
import { createDeviceIdentity } from "./device-keys.js";
import { DecryptError } from "./message-crypto.js";
import { createEpochKey, openEpochKey, SEALED_EPOCH_KEY_BYTES, sealEpochKey } from "./seal-box.js";

const bob = await createDeviceIdentity();
const carol = await createDeviceIdentity();

describe("sealed epoch keys", () => {
  it("round-trips a fresh epoch key to the recipient device, differently each time", async () => {
    const epochKey = createEpochKey();
    expect(epochKey).toHaveLength(32);
    expect(createEpochKey()).not.toEqual(epochKey);
    const sealed = await sealEpochKey(epochKey, bob.box.publicKey);
    expect(sealed).toHaveLength(SEALED_EPOCH_KEY_BYTES);
    expect(SEALED_EPOCH_KEY_BYTES).toBe(80);
    expect(await openEpochKey(sealed, bob.box)).toEqual(epochKey);
    expect(await sealEpochKey(epochKey, bob.box.publicKey)).not.toEqual(sealed);
  });

  it("cannot be opened by another device, and every bit flip is rejected", async () => {
    const sealed = await sealEpochKey(createEpochKey(), bob.box.publicKey);
    await expect(openEpochKey(sealed, carol.box)).rejects.toMatchObject({ reason: "bad_ciphertext" });
    await expect(
      openEpochKey(sealed, { publicKey: carol.box.publicKey, secretKey: bob.box.secretKey }),
    ).rejects.toBeInstanceOf(DecryptError);
    let flips = 0;
    for (let i = 0; i < sealed.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = sealed.slice();
        tampered[i] = (tampered[i] ?? 0) ^ (1 << bit);
        await expect(openEpochKey(tampered, bob.box)).rejects.toMatchObject({ reason: "bad_ciphertext" });
        flips++;
      }
    }
    console.log(`sealed epoch key: ${flips} bit flips tried, 0 accepted`);
    expect(flips).toBe(640);
  });

  it("refuses wrong lengths, and sealing to a low-order public key", async () => {
    const sealed = await sealEpochKey(createEpochKey(), bob.box.publicKey);
    await expect(openEpochKey(sealed.subarray(0, 79), bob.box)).rejects.toMatchObject({ reason: "bad_ciphertext" });
    await expect(openEpochKey(new Uint8Array([...sealed, 0]), bob.box)).rejects.toMatchObject({
      reason: "bad_ciphertext",
    });
    await expect(sealEpochKey(new Uint8Array(31), bob.box.publicKey)).rejects.toThrow(RangeError);
    await expect(sealEpochKey(new Uint8Array(32), bob.box.publicKey.subarray(1))).rejects.toThrow(RangeError);
    // All-zero and other low-order points give an all-zero shared secret; libsodium refuses them.
    await expect(sealEpochKey(createEpochKey(), new Uint8Array(32))).rejects.toThrow(RangeError);
    const order8 = Uint8Array.from(
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800".match(/../g) ?? [],
      (h) => Number.parseInt(h, 16),
    );
    await expect(sealEpochKey(createEpochKey(), order8)).rejects.toThrow(RangeError);
  });
});
