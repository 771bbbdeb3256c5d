// Key backup entries (ADR 0016): round trip, and every way the gateway could
// tamper with an entry refused: each bit of the ciphertext, a move to another
// conversation, epoch or principal, a relabelled version, another secret,
// shop or principal. The secret's form is strict.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyBackupSecret } from "../server/index.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import { deriveBackupKey, isKeyBackupSecret, openBackupEntry, sealBackupEntry } from "./key-backup.js";
import { DecryptError } from "./message-crypto.js";
import { randomBytes } from "./random.js";

const MASTER = "shop-master-secret-0123456789-abcdefgh";

describe("key backup entries", () => {
  it("round-trip and refuse every single-bit change, move, relabelling and foreign key", async () => {
    const secret = await keyBackupSecret({ secret: MASTER, customerId: "cust-1" });
    const backup = await deriveBackupKey(secret, "shop_a", "c_principal");
    const key = randomBytes(32);
    const entry = await sealBackupEntry(backup, "c_principal", "cv_1", 3, key);
    expect(entry).toMatchObject({ convId: "cv_1", epoch: 3, v: 1 });
    expect(entry.ct).toHaveLength(96);
    expect(await openBackupEntry(backup, "c_principal", entry)).toEqual(key);

    const refused = async (p: Promise<unknown>) => {
      await expect(p).rejects.toBeInstanceOf(DecryptError);
      return 1;
    };
    let tries = 0;
    for (const ct of flipEveryBit(entry.ct))
      tries += await refused(openBackupEntry(backup, "c_principal", { ...entry, ct }));
    expect(tries).toBe(72 * 8);
    await refused(openBackupEntry(backup, "c_principal", { ...entry, convId: "cv_2" }));
    await refused(openBackupEntry(backup, "c_principal", { ...entry, epoch: 4 }));
    await refused(openBackupEntry(backup, "c_other", entry));
    await refused(openBackupEntry({ ...backup, version: 2 }, "c_principal", { ...entry, v: 2 }));
    await refused(openBackupEntry(backup, "c_principal", { ...entry, v: 2 }));
    await refused(openBackupEntry(backup, "c_principal", { ...entry, ct: entry.ct.slice(0, 95) }));
    const wrongSecret = await keyBackupSecret({ secret: `${MASTER}x`, customerId: "cust-1" });
    for (const other of [
      await deriveBackupKey(wrongSecret, "shop_a", "c_principal"),
      await deriveBackupKey(secret, "shop_b", "c_principal"),
      await deriveBackupKey(secret, "shop_a", "c_other"),
    ]) {
      await refused(openBackupEntry(other, "c_principal", entry));
    }
  });

  it("takes only v<version>.<32 bytes base64url> as a secret; keyBackupSecret makes exactly that", async () => {
    const secret = await keyBackupSecret({ secret: MASTER, customerId: "cust-1", version: 7 });
    // An independent HMAC-SHA256 over the documented input.
    const mac = createHmac("sha256", MASTER)
      .update("parley/key-backup-secret/v1\u00007\u0000cust-1")
      .digest("base64url");
    expect(secret).toBe(`v7.${mac}`);
    expect(await keyBackupSecret({ secret: MASTER, customerId: "cust-1", version: 7 })).toBe(secret);
    expect(await keyBackupSecret({ secret: MASTER, customerId: "cust-2", version: 7 })).not.toBe(secret);
    expect(isKeyBackupSecret(secret)).toBe(true);
    for (const bad of [mac, `v0.${mac}`, `v7.${mac}=`, `v7.${mac.slice(1)}`, `V7.${mac}`, ` ${secret}`, 7, undefined]) {
      expect(isKeyBackupSecret(bad), String(bad)).toBe(false);
    }
    // 43 characters carry 258 bits: the last two must be zero, so one key has one text.
    expect(isKeyBackupSecret(`v1.${"A".repeat(42)}B`)).toBe(false);
    await expect(deriveBackupKey(mac, "shop_a", "c_principal")).rejects.toBeInstanceOf(TypeError);
    await expect(keyBackupSecret({ secret: "short", customerId: "x" })).rejects.toBeInstanceOf(TypeError);
    await expect(keyBackupSecret({ secret: MASTER, customerId: "x", version: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
