/**
 * Whether this browser's device holds the shop's team key, which agents need
 * to read encrypted conversations. The SDK does the work (the first admin's
 * device makes the key; admin devices wrap it to every waiting team device);
 * this follows what happens so the dashboard can say so:
 *
 * - `ready`: this device holds the key.
 * - `waiting`: the shop has a key and this device has none yet: an admin's
 *   device must approve (wrap to) it. Ends with the `team` event `wrapped`
 *   for this device.
 * - `no-key`: no admin has signed in yet, so the shop has no team key.
 *
 * Admin dashboards also collect the devices they approved (`wrapped` events
 * for devices announced with `device-waiting` while this one was online).
 */
import { type KeyValueStorage, type ParleyClient, StateStore } from "@parley/sdk";

export type TeamKeyState = "checking" | "ready" | "waiting" | "no-key";

export interface TeamStatus {
  key: TeamKeyState;
  admin: boolean;
  /** Device ids this admin's dashboard saw approved, newest last. */
  approved: readonly string[];
}

/**
 * This device's id. The SDK keeps the device identity in the storage it was
 * given under `parley:device:<principal id>`; it does not expose the id yet.
 */
export async function ownDeviceId(storage: KeyValueStorage, principalId: string): Promise<string | undefined> {
  const raw = await storage.get(`parley:device:${principalId}`);
  if (!raw) return undefined;
  try {
    const id = (JSON.parse(raw) as { deviceId?: unknown }).deviceId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

export class TeamWatch {
  readonly state = new StateStore<TeamStatus>({ key: "checking", admin: false, approved: [] });
  readonly #client: ParleyClient;
  readonly #storage: KeyValueStorage;
  readonly #waiting = new Set<string>();
  #deviceId: string | undefined;
  #off: (() => void) | undefined;

  /** `onOwnKey` runs when this device receives the key after waiting (the app reconnects to read with it). */
  constructor(
    client: ParleyClient,
    storage: KeyValueStorage,
    private readonly onOwnKey: () => void,
  ) {
    this.#client = client;
    this.#storage = storage;
    // Subscribed before connect: the device-waiting announcement of a fresh device comes during connect.
    this.#off = client.on("team", (event) => this.#onTeam(event.change, event.deviceId));
  }

  /** Once connected: finds out where this device stands. */
  async check(): Promise<void> {
    const client = this.#client;
    this.#deviceId = await ownDeviceId(this.#storage, client.principal.id);
    const admin = await client.request("team.devices", {}).then(
      () => true,
      () => false,
    );
    const { key, wraps } = await client.request("team.wrap.get", {});
    const held = key !== null && wraps.some((w) => w.deviceId === this.#deviceId && w.version === key.version);
    this.state.set((s) => ({ ...s, admin, key: key === null ? "no-key" : held ? "ready" : "waiting" }));
  }

  #onTeam(change: "device-waiting" | "key-changed" | "wrapped", deviceId: string | undefined): void {
    if (change === "device-waiting" && deviceId && deviceId !== this.#deviceId) this.#waiting.add(deviceId);
    if (change === "wrapped" && deviceId) {
      if (deviceId === this.#deviceId) {
        const was = this.state.value.key;
        this.state.set((s) => ({ ...s, key: "ready" }));
        if (was === "waiting" || was === "no-key") this.onOwnKey();
      } else if (this.#waiting.delete(deviceId) && this.state.value.admin) {
        this.state.set((s) => ({ ...s, approved: [...s.approved, deviceId] }));
      }
    }
    if (change === "key-changed" && this.state.value.key === "no-key")
      this.state.set((s) => ({ ...s, key: "waiting" }));
  }

  close(): void {
    this.#off?.();
    this.#off = undefined;
  }
}
