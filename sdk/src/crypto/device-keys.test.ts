import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { ID_PATTERN } from "../protocol/index.js";
import { type KeyValueStorage, memoryStorage } from "../storage.js";
import {
  createDeviceIdentity,
  type DeviceIdentity,
  DeviceIdentityError,
  fingerprint,
  loadOrCreateDeviceIdentity,
  publicDeviceKeys,
  signDeviceRecord,
  verifyDeviceRecord,
} from "./device-keys.js";
import { loadSodium } from "./sodium.js";

const sameIdentity = (a: DeviceIdentity, b: DeviceIdentity) => {
  expect(b.deviceId).toBe(a.deviceId);
  expect(b.sign.publicKey).toEqual(a.sign.publicKey);
  expect(b.sign.secretKey).toEqual(a.sign.secretKey);
  expect(b.box.publicKey).toEqual(a.box.publicKey);
  expect(b.box.secretKey).toEqual(a.box.secretKey);
};

describe("device identities", () => {
  it("makes working Ed25519 and X25519 pairs and a subject-safe 128-bit device id", async () => {
    const sodium = await loadSodium();
    const identity = await createDeviceIdentity();
    expect(identity.deviceId).toMatch(/^d_[A-Za-z0-9_-]{22}$/);
    expect(ID_PATTERN.test(identity.deviceId)).toBe(true);
    expect(identity.sign.publicKey).toHaveLength(32);
    expect(identity.sign.secretKey).toHaveLength(64);
    expect(identity.box.publicKey).toHaveLength(32);
    expect(identity.box.secretKey).toHaveLength(32);
    const sig = sodium.crypto_sign_detached("hello", identity.sign.secretKey);
    expect(sodium.crypto_sign_verify_detached(sig, "hello", identity.sign.publicKey)).toBe(true);
    expect(sodium.crypto_scalarmult_base(identity.box.secretKey)).toEqual(identity.box.publicKey);
    const other = await createDeviceIdentity();
    expect(other.deviceId).not.toBe(identity.deviceId);
    expect(other.sign.publicKey).not.toEqual(identity.sign.publicKey);
    expect(other.box.secretKey).not.toEqual(identity.box.secretKey);
  });

  it("loadOrCreate returns the same identity from the same storage, and keeps only base64url secrets there", async () => {
    const storage = memoryStorage();
    const first = await loadOrCreateDeviceIdentity(storage, "parley.device");
    const second = await loadOrCreateDeviceIdentity(storage, "parley.device");
    sameIdentity(first, second);
    const stored = JSON.parse((await storage.get("parley.device")) ?? "null");
    expect(stored).toEqual({
      v: 1,
      deviceId: first.deviceId,
      signSk: toBase64Url(first.sign.secretKey),
      boxSk: toBase64Url(first.box.secretKey),
    });
    // A copy of the stored text (another tab, a restart) yields the same keys too.
    const copy = memoryStorage();
    await copy.set("k", (await storage.get("parley.device")) ?? "");
    sameIdentity(first, await loadOrCreateDeviceIdentity(copy, "k"));
    const elsewhere = await loadOrCreateDeviceIdentity(storage, "parley.other-device");
    expect(elsewhere.deviceId).not.toBe(first.deviceId);
  });

  it("overlapping loadOrCreate calls on fresh storage agree on one identity", async () => {
    const storage = memoryStorage();
    let writes = 0;
    const counting: KeyValueStorage = {
      get: (key) => storage.get(key),
      set: async (key, value) => {
        writes++;
        await storage.set(key, value);
      },
      delete: (key) => storage.delete(key),
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateDeviceIdentity(counting, "k")));
    for (const r of results) sameIdentity(results[0] as DeviceIdentity, r);
    expect(writes).toBe(1);
  });

  it("refuses a corrupt stored identity instead of silently replacing it", async () => {
    const good = await createDeviceIdentity();
    const other = await createDeviceIdentity();
    const base = {
      v: 1,
      deviceId: good.deviceId,
      signSk: toBase64Url(good.sign.secretKey),
      boxSk: toBase64Url(good.box.secretKey),
    };
    const mixedSk = new Uint8Array([...good.sign.secretKey.subarray(0, 32), ...other.sign.publicKey]);
    const corrupt = [
      "not json",
      "null",
      JSON.stringify({ ...base, v: 2 }),
      JSON.stringify({ ...base, deviceId: "d_short" }),
      JSON.stringify({ ...base, signSk: toBase64Url(good.sign.secretKey.subarray(0, 32)) }),
      JSON.stringify({ ...base, boxSk: `${base.boxSk}A` }),
      JSON.stringify({ ...base, signSk: toBase64Url(mixedSk) }),
    ];
    for (const text of corrupt) {
      const storage = memoryStorage();
      await storage.set("k", text);
      await expect(loadOrCreateDeviceIdentity(storage, "k"), text).rejects.toBeInstanceOf(DeviceIdentityError);
      expect(await storage.get("k")).toBe(text);
    }
  });
});

describe("device records", () => {
  it("verifies a self-signed record and publishes only public keys", async () => {
    const identity = await createDeviceIdentity();
    const record = await signDeviceRecord(identity, "p_customer_42");
    expect(Object.keys(record).sort()).toEqual(["boxPk", "deviceId", "principal", "sig", "sigPk"]);
    expect(record).toMatchObject({ principal: "p_customer_42", ...publicDeviceKeys(identity) });
    expect(fromBase64Url(record.sigPk)).toEqual(identity.sign.publicKey);
    expect(fromBase64Url(record.boxPk)).toEqual(identity.box.publicKey);
    expect(await verifyDeviceRecord(record)).toBe(true);
    expect(await verifyDeviceRecord(JSON.parse(JSON.stringify(record)))).toBe(true);
  });

  it("rejects a record with any field changed, swapped keys, or another device's signature", async () => {
    const identity = await createDeviceIdentity();
    const other = await createDeviceIdentity();
    const record = await signDeviceRecord(identity, "p_customer_42");
    const otherRecord = await signDeviceRecord(other, "p_customer_42");
    const flip = (text: string, at: number) => {
      const bytes = fromBase64Url(text);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return toBase64Url(bytes);
    };
    const tampered = [
      { ...record, principal: "p_customer_43" },
      { ...record, principal: "" },
      { ...record, deviceId: other.deviceId },
      { ...record, boxPk: otherRecord.boxPk },
      { ...record, sigPk: otherRecord.sigPk },
      { ...record, sig: otherRecord.sig },
      { ...otherRecord, sig: record.sig },
      { ...record, sigPk: record.boxPk, boxPk: record.sigPk },
      ...Array.from({ length: 32 }, (_, i) => ({ ...record, boxPk: flip(record.boxPk, i) })),
      ...Array.from({ length: 32 }, (_, i) => ({ ...record, sigPk: flip(record.sigPk, i) })),
      ...Array.from({ length: 64 }, (_, i) => ({ ...record, sig: flip(record.sig, i) })),
    ];
    for (const r of tampered) expect(await verifyDeviceRecord(r), JSON.stringify(r)).toBe(false);
  });

  it("returns false, never throws, for malformed records", async () => {
    const record = await signDeviceRecord(await createDeviceIdentity(), "p_1");
    const malformed: unknown[] = [
      null,
      undefined,
      "record",
      {},
      { ...record, sig: undefined },
      { ...record, sig: `${record.sig}A` },
      { ...record, sig: record.sig.slice(0, -1) },
      { ...record, sigPk: 42 },
      { ...record, boxPk: toBase64Url(new Uint8Array(31)) },
      { ...record, principal: "\uD800" },
      { ...record, sigPk: toBase64Url(new Uint8Array(32)) },
      { ...record, sigPk: `${record.sigPk.slice(0, -1)}${record.sigPk.endsWith("A") ? "B" : "A"}` },
    ];
    for (const r of malformed) expect(await verifyDeviceRecord(r)).toBe(false);
  });
});

describe("fingerprints", () => {
  it("shows 12 groups of 5 digits, the same for bytes and base64url, different for different keys", async () => {
    const a = await createDeviceIdentity();
    const b = await createDeviceIdentity();
    const fa = await fingerprint(a.sign.publicKey);
    expect(fa).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await fingerprint(toBase64Url(a.sign.publicKey))).toBe(fa);
    expect(await fingerprint(a.sign.publicKey)).toBe(fa);
    expect(await fingerprint(b.sign.publicKey)).not.toBe(fa);
    await expect(fingerprint(new Uint8Array(31))).rejects.toThrow(RangeError);
    await expect(fingerprint("not a key")).rejects.toThrow(RangeError);
  });

  it("is BLAKE2b-480 of the labelled key, 5 bytes per group mod 100,000 (pinned)", async () => {
    const sodium = await loadSodium();
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const label = new TextEncoder().encode("parley/fingerprint/v1");
    const input = new Uint8Array([0, 0, 0, label.length, ...label, 0, 0, 0, 32, ...key]);
    const hash = sodium.crypto_generichash(60, input, null);
    const expected = Array.from({ length: 12 }, (_, g) => {
      const value = hash.subarray(g * 5, g * 5 + 5).reduce((acc, byte) => acc * 256 + byte, 0);
      return String(value % 100_000).padStart(5, "0");
    }).join(" ");
    expect(await fingerprint(key)).toBe(expected);
  });
});
