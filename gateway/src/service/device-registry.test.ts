import { describe, expect, it } from "vitest";
import type { DeviceRecord } from "../store/port.js";
import { T0, tempStore } from "../store/sqlite/test-kit.js";
import { admitDevice } from "./device-registry.js";

const device = (principalId: string, deviceId: string, createdAt: number, lastSeenAt = createdAt): DeviceRecord => ({
  principalId,
  deviceId,
  sigPk: `sig-${deviceId}`,
  boxPk: `box-${deviceId}`,
  createdAt,
  lastSeenAt,
});

describe("admitDevice (on the embedded store)", () => {
  it("evicts the least recently seen other device past the cap, not the oldest one", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    for (let i = 1; i <= 3; i++) expect(await admitDevice(store, device("p-a", `d${i}`, T0 + i), 3)).toEqual([]);
    // d1 is the oldest, but signed in again last: d2 is the least recently seen.
    expect(await admitDevice(store, device("p-a", "d1", T0 + 1, T0 + 10), 3)).toEqual([]);
    expect(await admitDevice(store, device("p-a", "d4", T0 + 11), 3)).toEqual(["d2"]);
    expect((await store.listDevices("p-a")).map((d) => d.deviceId).sort()).toEqual(["d1", "d3", "d4"]);
    // A lower cap (the setting changed) evicts down to it at the next registration.
    expect(await admitDevice(store, device("p-a", "d5", T0 + 12), 2)).toEqual(["d3", "d1"]);
    expect((await store.listDevices("p-a")).map((d) => d.deviceId).sort()).toEqual(["d4", "d5"]);
  });

  it("refuses another principal's device id with device_taken and stores nothing", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await admitDevice(store, device("p-a", "d1", T0), 10);
    await expect(admitDevice(store, device("p-b", "d1", T0 + 1), 10)).rejects.toMatchObject({ code: "device_taken" });
    expect(await store.listDevices("p-b")).toEqual([]);
    expect(await store.deviceOwners("d1")).toEqual(["p-a"]);
  });

  it("settles a duplicate stored before ids were unique: the first registration keeps the id", async () => {
    await using fx = await tempStore();
    const { store } = fx;
    await store.putDevice(device("p-a", "d1", T0));
    await store.putDevice(device("p-b", "d1", T0 + 1));
    await expect(admitDevice(store, device("p-b", "d1", T0 + 1, T0 + 2), 10)).rejects.toMatchObject({
      code: "device_taken",
    });
    expect(await admitDevice(store, device("p-a", "d1", T0, T0 + 3), 10)).toEqual([]);
    expect(await store.deviceOwners("d1")).toEqual(["p-a"]);
    expect(await store.listDevices("p-b")).toEqual([]);
  });
});
