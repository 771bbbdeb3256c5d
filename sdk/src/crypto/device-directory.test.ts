import { describe, expect, it } from "vitest";
import type { DeviceRecord } from "../protocol/models.js";
import { memoryStorage } from "../storage.js";
import { DeviceDirectory, type DeviceSetChange, KeyStoreError } from "./device-directory.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "./device-keys.js";

const identity = () => createDeviceIdentity();
const record = (id: DeviceIdentity, principal: string) => signDeviceRecord(id, principal);
/** Another identity that claims the same device id: same id, other keys. */
const sameIdOtherKeys = async (id: DeviceIdentity): Promise<DeviceIdentity> => ({
  ...(await createDeviceIdentity()),
  deviceId: id.deviceId,
});
const ids = (records: DeviceRecord[]) => records.map((r) => r.deviceId);

describe("DeviceDirectory", () => {
  it("pins devices on first sight and reports later additions and removals per principal", async () => {
    const directory = await DeviceDirectory.open({ storage: memoryStorage() });
    const events: DeviceSetChange[][] = [];
    const off = directory.onChange((changes) => events.push(changes));
    const [a1, a2, b1] = [await identity(), await identity(), await identity()];
    const ra1 = await record(a1, "p_alice");
    const rb1 = await record(b1, "p_bob");

    const firstChanges = await directory.learn([ra1, rb1]);
    expect(firstChanges.map((c) => [c.principalId, c.firstSight, ids(c.added)])).toEqual([
      ["p_alice", true, [a1.deviceId]],
      ["p_bob", true, [b1.deviceId]],
    ]);
    expect(directory.get("p_alice", a1.deviceId)).toEqual(ra1);
    expect(directory.get("p_bob", a1.deviceId)).toBeUndefined();
    expect(await directory.learn([ra1, rb1])).toEqual([]);
    expect(events).toHaveLength(1);

    const ra2 = await record(a2, "p_alice");
    const added = await directory.learn([ra1, ra2]);
    expect(added).toEqual([
      { principalId: "p_alice", firstSight: false, added: [ra2], removed: [], keyChanged: [], invalid: [] },
    ]);
    expect(ids(directory.devicesOf("p_alice"))).toEqual(
      ids([ra1, ra2].sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1))),
    );

    const removed = await directory.learn([ra2]);
    expect(removed.map((c) => [c.principalId, ids(c.added), ids(c.removed)])).toEqual([["p_alice", [], [a1.deviceId]]]);
    expect(directory.get("p_alice", a1.deviceId)).toBeUndefined();
    // Bob was not in that batch, so his list is not complete there: nothing removed. `complete` says otherwise.
    expect(directory.get("p_bob", b1.deviceId)).toEqual(rb1);
    const bobGone = await directory.learn([], { complete: ["p_bob"] });
    expect(bobGone.map((c) => [c.principalId, ids(c.removed)])).toEqual([["p_bob", [b1.deviceId]]]);
    expect(directory.devicesOf("p_bob")).toEqual([]);

    // A removed device may come back with the keys it had.
    const back = await directory.learn([ra1, ra2]);
    expect(back.map((c) => ids(c.added))).toEqual([[a1.deviceId]]);
    expect(events).toHaveLength(5);
    off();
    await directory.learn([ra2]);
    expect(events).toHaveLength(5);
  });

  it("reports a key change for a pinned device and keeps the pinned keys, across a reload too", async () => {
    const storage = memoryStorage();
    const directory = await DeviceDirectory.open({ storage });
    const alice = await identity();
    const pinned = await record(alice, "p_alice");
    await directory.learn([pinned]);
    const impostor = await record(await sameIdOtherKeys(alice), "p_alice");
    const stored = await storage.get("parley.devices");

    const changes = await directory.learn([impostor]);
    expect(changes).toEqual([
      {
        principalId: "p_alice",
        firstSight: false,
        added: [],
        removed: [],
        keyChanged: [{ deviceId: alice.deviceId, pinned, offered: impostor }],
        invalid: [],
      },
    ]);
    expect(directory.get("p_alice", alice.deviceId)).toEqual(pinned);
    expect(await storage.get("parley.devices")).toBe(stored);
    // Reported again every time it is offered; never adopted by repetition.
    expect((await directory.learn([impostor]))[0]?.keyChanged).toHaveLength(1);
    const reloaded = await DeviceDirectory.open({ storage });
    expect(reloaded.get("p_alice", alice.deviceId)).toEqual(pinned);
    expect((await reloaded.learn([impostor]))[0]?.keyChanged).toHaveLength(1);

    // A retired device cannot come back with other keys either.
    await reloaded.learn([], { complete: ["p_alice"] });
    expect((await reloaded.learn([impostor]))[0]?.keyChanged).toHaveLength(1);
    expect(reloaded.get("p_alice", alice.deviceId)).toBeUndefined();

    // Only an explicit repin (after the user compared fingerprints) adopts new keys.
    expect(await reloaded.repin({ ...impostor, sig: pinned.sig })).toBe(false);
    expect(await reloaded.repin(impostor)).toBe(true);
    expect(reloaded.get("p_alice", alice.deviceId)).toEqual(impostor);
    expect((await DeviceDirectory.open({ storage })).get("p_alice", alice.deviceId)).toEqual(impostor);
  });

  it("ignores records with a bad self-signature or ids that are not subject-safe, and reports them", async () => {
    const directory = await DeviceDirectory.open({ storage: memoryStorage() });
    const alice = await identity();
    const good = await record(alice, "p_alice");
    const other = await record(await identity(), "p_alice");
    const forged = { ...good, boxPk: other.boxPk };
    const badId = await record(await identity(), "p alice");
    const changes = await directory.learn([forged, badId, null as unknown as DeviceRecord]);
    expect(changes).toEqual([
      { principalId: "p_alice", firstSight: true, added: [], removed: [], keyChanged: [], invalid: [forged] },
    ]);
    expect(directory.devicesOf("p_alice")).toEqual([]);
    expect((await directory.learn([good]))[0]?.firstSight).toBe(true);
  });

  it("finds a device by id alone only when one principal claims it", async () => {
    const directory = await DeviceDirectory.open({ storage: memoryStorage() });
    const alice = await identity();
    const ra = await record(alice, "p_alice");
    await directory.learn([ra]);
    expect(directory.findDevice(alice.deviceId)).toEqual(ra);
    // Mallory signs a record claiming Alice's device id under his own principal.
    await directory.learn([await record(await sameIdOtherKeys(alice), "p_mallory")]);
    expect(directory.findDevice(alice.deviceId)).toBeUndefined();
    expect(directory.get("p_alice", alice.deviceId)).toEqual(ra);
    expect(directory.findDevice("d_unknown")).toBeUndefined();
  });

  it("persists pins under one key and refuses corrupt storage without replacing it", async () => {
    const storage = memoryStorage();
    const directory = await DeviceDirectory.open({ storage, storageKey: "pins" });
    const records = [await record(await identity(), "p_a"), await record(await identity(), "p_b")];
    await directory.learn(records);
    const reloaded = await DeviceDirectory.open({ storage, storageKey: "pins" });
    expect(reloaded.devicesOf("p_a")).toEqual([records[0]]);
    expect(reloaded.devicesOf("p_b")).toEqual([records[1]]);
    expect(await reloaded.learn(records)).toEqual([]);

    const text = (await storage.get("pins")) ?? "";
    const parsed = JSON.parse(text);
    const corrupt = [
      "not json",
      "null",
      JSON.stringify({ ...parsed, v: 2 }),
      JSON.stringify({ ...parsed, active: {} }),
      JSON.stringify({ ...parsed, active: [{ ...parsed.active[0], sigPk: parsed.active[1].sigPk }] }),
      JSON.stringify({ ...parsed, retired: [parsed.active[0]] }),
    ];
    for (const value of corrupt) {
      const broken = memoryStorage();
      await broken.set("pins", value);
      await expect(DeviceDirectory.open({ storage: broken, storageKey: "pins" }), value).rejects.toBeInstanceOf(
        KeyStoreError,
      );
      expect(await broken.get("pins")).toBe(value);
    }
  });

  it("serialises overlapping learn calls so no change is lost or reported twice", async () => {
    const storage = memoryStorage();
    const directory = await DeviceDirectory.open({ storage });
    const records = await Promise.all(Array.from({ length: 6 }, async () => record(await identity(), "p_a")));
    const results = await Promise.all(records.map((_, i) => directory.learn(records.slice(0, i + 1))));
    expect(results.flatMap((r) => r.flatMap((c) => ids(c.added))).sort()).toEqual(ids(records).sort());
    expect((await DeviceDirectory.open({ storage })).devicesOf("p_a")).toHaveLength(6);
  });
});
