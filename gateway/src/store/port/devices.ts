/** Devices: a principal's key pairs, one per browser or process. */
import type { DeviceKeys } from "@parley/sdk/protocol";

export interface DeviceRecord extends DeviceKeys {
  principalId: string;
  createdAt: number;
  lastSeenAt: number;
  /**
   * The device's self-signature (base64url) over its record, once it registered
   * one with `device.register`; absent for devices only seen at session start.
   */
  sig?: string;
}

export interface DeviceStore {
  /** Inserts or replaces a device (by deviceId within the principal). */
  putDevice(device: DeviceRecord): Promise<void>;
  listDevices(principalId: string): Promise<DeviceRecord[]>;
  /** The principals that hold a device with this id (indexed; one at most once ids are kept unique). */
  deviceOwners(deviceId: string): Promise<string[]>;
  /** Removes one device of a principal (evicted past the device cap); nothing when there is none. */
  deleteDevice(principalId: string, deviceId: string): Promise<void>;
}
