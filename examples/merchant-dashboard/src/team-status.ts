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
 * Admin dashboards also list the team devices that got the key while they
 * were online (`wrapped` events for other devices): the SDK on an admin's
 * device wraps the key to every waiting device, at sign-in and on each
 * `device-waiting`. The event does not say which admin device wrapped, so a
 * shop with several admins online sees the notice on each of their dashboards.
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
  /** `wrapped` device ids seen before this device's own id was known. */
  readonly #early: string[] = [];
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
    // Subscribed before connect: an admin's device wraps waiting devices while it connects.
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
    const approved = admin ? this.#early.filter((d) => d !== this.#deviceId) : [];
    this.state.set((s) => ({
      admin,
      key: key === null ? "no-key" : held ? "ready" : "waiting",
      approved: [...s.approved, ...approved],
    }));
    // Wrapped to this (non-admin) device while it connected: the SDK took the key after the first reads, so
    // read again with it. (An admin's first device wraps to itself while it connects, holding the key already.)
    if (!admin && held && this.#early.includes(this.#deviceId ?? "")) this.onOwnKey();
  }

  /** `rotation-due` needs nothing here: the SDK's team key holder rotates on admin devices. */
  #onTeam(change: "device-waiting" | "key-changed" | "wrapped" | "rotation-due", deviceId: string | undefined): void {
    if (change === "wrapped" && deviceId) {
      if (this.#deviceId === undefined) this.#early.push(deviceId);
      else if (deviceId === this.#deviceId) {
        const was = this.state.value.key;
        this.state.set((s) => ({ ...s, key: "ready" }));
        if (was === "waiting" || was === "no-key") this.onOwnKey();
      } else if (this.state.value.admin) {
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
