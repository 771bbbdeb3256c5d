/**
 * The one place a device record is stored for a principal: `device.register`
 * (devices.ts) and session sign-in with a device (sessions.ts) both come here.
 *
 * - Device ids are unique across principals: an id another principal holds is
 *   refused with `device_taken` (a commit lists devices by id, and two
 *   principals' devices under one id would make every later commit that lists
 *   both unbuildable and unverifiable).
 * - At most `maxDevices` per principal (`PARLEY_MAX_DEVICES`, default 10; a
 *   commit lists at most 16 per member): registering one more evicts the
 *   least recently seen of the others (last sign-in or registration), as
 *   Signal and WhatsApp unlink a long-unused companion device rather than lock
 *   the person out. Refusing would strand a customer who clears site data a
 *   few times (each browser profile is a new device, and there is no UI to
 *   remove one); an evicted device that comes back registers again and evicts
 *   the next least recently seen. Eviction only ever touches the principal's
 *   own devices, and the next commit leaves the evicted one out.
 *
 * A duplicate stored before ids were kept unique is settled at the next
 * registration of either: the first registration keeps the id, the other
 * principal's record is removed (or its registration refused).
 *
 * The uniqueness check and the put are two steps; ids are 128-bit random
 * (chosen by devices), so only an id already known (seen in a commit or a
 * device list, hence already registered) can be contested, and that is refused.
 */
import { GatewayError } from "../errors.js";
import type { DeviceRecord, DeviceStore } from "../store/port.js";

/** Devices per principal unless `PARLEY_MAX_DEVICES` says otherwise. */
export const DEFAULT_MAX_DEVICES = 10;
/** The most `PARLEY_MAX_DEVICES` may be: a commit lists at most 16 devices per member (`epochCommitSchema`). */
export const MAX_DEVICES_LIMIT = 16;

/**
 * Stores `device` for its principal after the checks above; resolves with the
 * ids of the principal's devices it evicted (least recently seen first).
 */
export async function admitDevice(store: DeviceStore, device: DeviceRecord, maxDevices: number): Promise<string[]> {
  const owners = await store.deviceOwners(device.deviceId);
  const rivals = owners.filter((owner) => owner !== device.principalId);
  if (rivals.length > 0) {
    if (rivals.length === owners.length) {
      throw new GatewayError("device_taken", "another principal registered that device id");
    }
    // Duplicates stored before ids were kept unique: the first registration keeps the id.
    const mine = (await store.listDevices(device.principalId)).find((d) => d.deviceId === device.deviceId);
    for (const other of rivals) {
      const theirs = (await store.listDevices(other)).find((d) => d.deviceId === device.deviceId);
      if (theirs && mine && theirs.createdAt <= mine.createdAt) {
        throw new GatewayError("device_taken", "another principal registered that device id first");
      }
      await store.deleteDevice(other, device.deviceId);
    }
  }
  await store.putDevice(device);
  const others = (await store.listDevices(device.principalId))
    .filter((d) => d.deviceId !== device.deviceId)
    .sort((a, b) => a.lastSeenAt - b.lastSeenAt || a.createdAt - b.createdAt || (a.deviceId < b.deviceId ? -1 : 1));
  const evicted: string[] = [];
  for (const d of others.slice(0, Math.max(0, others.length + 1 - maxDevices))) {
    await store.deleteDevice(device.principalId, d.deviceId);
    evicted.push(d.deviceId);
  }
  return evicted;
}
