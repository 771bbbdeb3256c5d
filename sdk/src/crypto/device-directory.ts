/**
 * Trust on first use for device keys. The first record seen for a device id
 * under a principal is pinned; later lists from the gateway are compared with
 * the pins, and what changed is reported (and emitted to listeners, which the
 * client forwards as its `devices-changed` event):
 *
 * - `added`: a device id not pinned before (pinned now);
 * - `removed`: a pinned device missing from a principal's complete list (kept
 *   as retired, so it cannot come back later with other keys unnoticed);
 * - `keyChanged`: a pinned device id offered with other keys. Never adopted:
 *   the pinned keys stay until {@link DeviceDirectory.repin} is called after
 *   the user compared fingerprints.
 *
 * Every record must carry a valid self-signature and subject-safe ids; the
 * others are reported as `invalid` and ignored. Pins persist in the injected
 * storage under one key; a stored value that cannot be read is never silently
 * replaced (that would reset every pin).
 */
import { Emitter } from "../emitter.js";
import { KeyStoreError } from "../errors.js";
import { ID_PATTERN } from "../protocol/ids.js";
import type { DeviceRecord } from "../protocol/models.js";
import type { KeyValueStorage } from "../storage.js";
import { verifyDeviceRecord } from "./device-keys.js";

export { KeyStoreError } from "../errors.js";

/** A pinned device offered again with other keys. */
export interface KeyChange {
  /** The device whose keys differ. */
  deviceId: string;
  /** The record that stays pinned. */
  pinned: DeviceRecord;
  /** The record the gateway now serves (self-signed, but not trusted). */
  offered: DeviceRecord;
}

/** What changed in one principal's device set. */
export interface DeviceSetChange {
  /** The principal whose devices changed. */
  principalId: string;
  /** True when nothing was pinned for this principal before: a first contact, not a change to warn about. */
  firstSight: boolean;
  /** Devices pinned now for the first time. */
  added: DeviceRecord[];
  /** Pinned devices the gateway no longer lists (kept, retired, to verify old messages). */
  removed: DeviceRecord[];
  /** Pinned devices offered with other keys (not adopted). */
  keyChanged: KeyChange[];
  /** Records for this principal whose self-signature or ids are invalid; ignored. */
  invalid: DeviceRecord[];
}

/** Options of {@link DeviceDirectory.open}. */
export interface DeviceDirectoryOptions {
  /** Where the pins are kept. */
  storage: KeyValueStorage;
  /**
   * The storage key the pins live under.
   * @default "parley.devices"
   */
  storageKey?: string;
}

/** Options of {@link DeviceDirectory.learn}. */
export interface LearnOptions {
  /**
   * Principals whose complete device list `records` holds: their pinned
   * devices missing from it are reported removed. Principals with records in
   * the batch count as complete; list here those that now have no device.
   * @default the principals of `records`
   */
  complete?: string[];
}

const STORED_VERSION = 1;

interface Pins {
  active: Map<string, DeviceRecord>;
  retired: Map<string, DeviceRecord>;
}

const sameKeys = (a: DeviceRecord, b: DeviceRecord) => a.sigPk === b.sigPk && a.boxPk === b.boxPk;
const copy = (r: DeviceRecord): DeviceRecord => ({
  principal: r.principal,
  deviceId: r.deviceId,
  sigPk: r.sigPk,
  boxPk: r.boxPk,
  sig: r.sig,
});
const byDeviceId = (a: DeviceRecord, b: DeviceRecord) => (a.deviceId < b.deviceId ? -1 : 1);

/** The device keys this device trusts, pinned on first sight: a changed key is reported, never adopted. */
export class DeviceDirectory {
  readonly #storage: KeyValueStorage;
  readonly #storageKey: string;
  readonly #pins = new Map<string, Pins>();
  readonly #emitter = new Emitter<{ change: DeviceSetChange[] }>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(storage: KeyValueStorage, storageKey: string) {
    this.#storage = storage;
    this.#storageKey = storageKey;
  }

  /** Loads the pins from storage (none yet is fine); rejects with {@link KeyStoreError} when they cannot be read. */
  static async open(options: DeviceDirectoryOptions): Promise<DeviceDirectory> {
    const directory = new DeviceDirectory(options.storage, options.storageKey ?? "parley.devices");
    const text = await options.storage.get(directory.#storageKey);
    if (text !== undefined) await directory.#restore(text);
    return directory;
  }

  /**
   * Compares `records` (as served by `device.list`) with the pins, pins new
   * devices, persists, and returns the changes of every principal that has
   * any; listeners get the same list when it is not empty. Calls are
   * serialised.
   */
  learn(records: readonly DeviceRecord[], options: LearnOptions = {}): Promise<DeviceSetChange[]> {
    const run = this.#queue.then(() => this.#learn(records, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Replaces a pinned (or retired) record after the user accepted a key change,
   * for example by comparing fingerprints. The record must carry a valid
   * self-signature; resolves false otherwise.
   */
  repin(record: DeviceRecord): Promise<boolean> {
    const run = this.#queue.then(async () => {
      if (!(await validRecord(record))) return false;
      const pins = this.#pinsOf(record.principal);
      pins.retired.delete(record.deviceId);
      pins.active.set(record.deviceId, copy(record));
      await this.#persist();
      return true;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The pinned record of an active device, or undefined. */
  get(principalId: string, deviceId: string): DeviceRecord | undefined {
    return this.#pins.get(principalId)?.active.get(deviceId);
  }

  /** The pinned record of a device, active or retired (old commits and messages still verify with it), or undefined. */
  pinned(principalId: string, deviceId: string): DeviceRecord | undefined {
    const pins = this.#pins.get(principalId);
    return pins?.active.get(deviceId) ?? pins?.retired.get(deviceId);
  }

  /** A principal's active pinned devices, sorted by device id. */
  devicesOf(principalId: string): DeviceRecord[] {
    return [...(this.#pins.get(principalId)?.active.values() ?? [])].sort(byDeviceId);
  }

  /**
   * The one active pinned record with this device id, or undefined when there
   * is none or more than one principal claims it (a record is self-signed, so
   * anyone can claim any device id under their own principal).
   */
  findDevice(deviceId: string): DeviceRecord | undefined {
    let found: DeviceRecord | undefined;
    for (const pins of this.#pins.values()) {
      const record = pins.active.get(deviceId);
      if (!record) continue;
      if (found) return undefined;
      found = record;
    }
    return found;
  }

  /** Calls `listener` with every non-empty list of changes; returns the unsubscribe function. */
  onChange(listener: (changes: DeviceSetChange[]) => void): () => void {
    return this.#emitter.on("change", listener);
  }

  async #learn(records: readonly DeviceRecord[], options: LearnOptions): Promise<DeviceSetChange[]> {
    const offered = new Map<string, DeviceRecord[]>();
    const invalid = new Map<string, DeviceRecord[]>();
    for (const record of records) {
      const ok = await validRecord(record);
      const principal = (record as { principal?: unknown } | null)?.principal;
      if (!ok) {
        if (typeof principal === "string" && ID_PATTERN.test(principal)) listFor(invalid, principal).push(record);
        continue;
      }
      listFor(offered, record.principal).push(record);
    }
    const complete = new Set([...offered.keys(), ...(options.complete ?? [])]);
    const principals = new Set([...complete, ...invalid.keys()]);

    const changes: DeviceSetChange[] = [];
    let dirty = false;
    for (const principalId of [...principals].sort()) {
      const firstSight = !this.#pins.has(principalId);
      const pins = this.#pinsOf(principalId);
      const change: DeviceSetChange = {
        principalId,
        firstSight,
        added: [],
        removed: [],
        keyChanged: [],
        invalid: invalid.get(principalId) ?? [],
      };
      const seen = new Set<string>();
      for (const record of offered.get(principalId) ?? []) {
        if (seen.has(record.deviceId)) continue;
        seen.add(record.deviceId);
        const pinned = pins.active.get(record.deviceId) ?? pins.retired.get(record.deviceId);
        if (pinned && !sameKeys(pinned, record)) {
          change.keyChanged.push({ deviceId: record.deviceId, pinned, offered: copy(record) });
          continue;
        }
        if (pins.active.has(record.deviceId)) continue;
        // New, or a retired device back with the keys it had.
        pins.retired.delete(record.deviceId);
        pins.active.set(record.deviceId, pinned ?? copy(record));
        change.added.push(pinned ?? copy(record));
        dirty = true;
      }
      if (complete.has(principalId)) {
        for (const [deviceId, record] of pins.active) {
          if (seen.has(deviceId)) continue;
          pins.active.delete(deviceId);
          pins.retired.set(deviceId, record);
          change.removed.push(record);
          dirty = true;
        }
      }
      if (firstSight && pins.active.size === 0 && pins.retired.size === 0) this.#pins.delete(principalId);
      if (change.added.length + change.removed.length + change.keyChanged.length + change.invalid.length > 0) {
        for (const list of [change.added, change.removed, change.invalid]) list.sort(byDeviceId);
        changes.push(change);
      }
    }
    if (dirty) await this.#persist();
    if (changes.length > 0) this.#emitter.emit("change", changes);
    return changes;
  }

  #pinsOf(principalId: string): Pins {
    let pins = this.#pins.get(principalId);
    if (!pins) {
      pins = { active: new Map(), retired: new Map() };
      this.#pins.set(principalId, pins);
    }
    return pins;
  }

  async #persist(): Promise<void> {
    const active: DeviceRecord[] = [];
    const retired: DeviceRecord[] = [];
    for (const pins of this.#pins.values()) {
      active.push(...pins.active.values());
      retired.push(...pins.retired.values());
    }
    await this.#storage.set(this.#storageKey, JSON.stringify({ v: STORED_VERSION, active, retired }));
  }

  async #restore(text: string): Promise<void> {
    let value: { v?: unknown; active?: unknown; retired?: unknown };
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new KeyStoreError("stored device pins are not JSON", { cause });
    }
    if (
      value === null ||
      typeof value !== "object" ||
      value.v !== STORED_VERSION ||
      !Array.isArray(value.active) ||
      !Array.isArray(value.retired)
    ) {
      throw new KeyStoreError("stored device pins have an unknown format");
    }
    for (const [list, state] of [
      [value.active, "active"],
      [value.retired, "retired"],
    ] as const) {
      for (const record of list as unknown[]) {
        if (!(await validRecord(record))) throw new KeyStoreError("a stored device pin is invalid");
        const r = record as DeviceRecord;
        const pins = this.#pinsOf(r.principal);
        if (pins.active.has(r.deviceId) || pins.retired.has(r.deviceId)) {
          throw new KeyStoreError("a device is pinned twice");
        }
        pins[state].set(r.deviceId, copy(r));
      }
    }
  }
}

async function validRecord(record: unknown): Promise<boolean> {
  if (!(await verifyDeviceRecord(record))) return false;
  const r = record as DeviceRecord;
  return ID_PATTERN.test(r.principal) && ID_PATTERN.test(r.deviceId);
}

function listFor<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}
